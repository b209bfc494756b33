// Logging for the daemon and the commands (SPEC §6 "Logging").
//
// When stderr is connected to journald (JOURNAL_STREAM's `dev:ino` equals
// fstat(2) of stderr) entries are sent natively with sd_journal_sendv and
// carry structured fields (CYCLE_ID, WEBHOOK_NAME, WEBHOOK_ID, ACTION,
// HTTP_STATUS, DRIFT_FIELDS, DELIVERY_ID, MESSAGE_ID) and the caller's CODE_FILE/LINE/FUNC.
// Otherwise each entry is one readable line on stderr with a level prefix.
// Messages are sentences for people; never pass a secret or token here.
#pragma once

#include "daemon/service/config.hpp"

#include <string>
#include <string_view>

namespace hookwarden {

/// Fixed MESSAGE_IDs (see packaging/hookwarden.catalog).
namespace message_id {
inline constexpr std::string_view cycle_started = "e169f65c274140c3a2bab10b99c6b0fe";
inline constexpr std::string_view cycle_finished = "47d0c69f78f240c9949b1be94011555f";
inline constexpr std::string_view webhook_changed = "01eb61cdd93e439cb6a5ec2b919af72b";
inline constexpr std::string_view drift_corrected = "d05ed17275664252b10d789f8c2b8ef9";
inline constexpr std::string_view webhook_failed = "3b45356683d54594b7a0d4506c07314f";
// The same three for triggers, whose journal fields are TRIGGER_NAME and
// TRIGGER_ID (the catalog's texts name them).
inline constexpr std::string_view trigger_changed = "026ec4b032b840e18c1ce54355b59731";
inline constexpr std::string_view trigger_drift_corrected = "4f3494ccac084288b9dea44eefa713f5";
inline constexpr std::string_view trigger_failed = "8671746707cb428e994b6b6a979dc49a";
inline constexpr std::string_view daemon_reloaded = "a0304182c0d34e4b87ed6fc1010981f0";
} // namespace message_id

/// Structured context of one entry; empty fields are not sent.
struct LogFields {
    std::string_view message_id;
    std::string_view cycle_id;
    /// "webhook" or "trigger" (journald KIND=); with "trigger" the name and
    /// id go out as TRIGGER_NAME and TRIGGER_ID instead of WEBHOOK_*.
    std::string_view kind;
    std::string_view webhook_name;
    std::string_view webhook_id;
    std::string_view action; ///< create | update | delete | adopt | conflict
    int http_status = 0;
    std::string_view drift_fields; ///< comma-separated field names
    std::string_view delivery_id;  ///< a delivery's webhook-id (receive)
};

/// Where a log call is written (journald's CODE_FILE, CODE_LINE, CODE_FUNC).
/// Not std::source_location: libstdc++ 12's needs a builtin clang 14 (the
/// fuzz build, tests/fuzz) lacks; these are the builtins gcc and clang both
/// have, which give the caller's place when used as default arguments.
struct LogSite {
    const char* file = "";
    unsigned line = 0;
    const char* function = "";

    static constexpr LogSite here(const char* file = __builtin_FILE(), unsigned line = __builtin_LINE(),
                                  const char* function = __builtin_FUNCTION()) noexcept {
        return {file, line, function};
    }
};

/// Sets the threshold and picks the sink (journal when JOURNAL_STREAM matches
/// stderr). Call once at start; safe to call again on reload.
void init_logging(LogLevel threshold);
void set_log_level(LogLevel threshold);

void log_message(LogLevel level, std::string_view message, const LogFields& fields = {},
                 LogSite where = LogSite::here());

inline void log_debug(std::string_view message, const LogFields& fields = {},
                      LogSite where = LogSite::here()) {
    log_message(LogLevel::debug, message, fields, where);
}
inline void log_info(std::string_view message, const LogFields& fields = {},
                     LogSite where = LogSite::here()) {
    log_message(LogLevel::info, message, fields, where);
}
inline void log_warning(std::string_view message, const LogFields& fields = {},
                        LogSite where = LogSite::here()) {
    log_message(LogLevel::warning, message, fields, where);
}
inline void log_error(std::string_view message, const LogFields& fields = {},
                      LogSite where = LogSite::here()) {
    log_message(LogLevel::error, message, fields, where);
}

} // namespace hookwarden
