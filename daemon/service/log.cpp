// Without this, sd_journal_sendv would record this file as every entry's
// origin; we pass the caller's location ourselves.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include "daemon/service/log.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace hookwarden {

namespace {

enum class LogSink { stderr_text, journal };

std::atomic<LogLevel> current_threshold{LogLevel::info};
std::atomic<LogSink> current_sink{LogSink::stderr_text};
std::mutex stderr_mutex;

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream)
        return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2)
        return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0)
        return false;
    return st.st_dev == dev && st.st_ino == ino;
}

int syslog_priority(LogLevel level) {
    switch (level) {
    case LogLevel::debug: return LOG_DEBUG;
    case LogLevel::info: return LOG_INFO;
    case LogLevel::warning: return LOG_WARNING;
    case LogLevel::error: return LOG_ERR;
    }
    return LOG_INFO;
}

const char* prefix(LogLevel level) {
    switch (level) {
    case LogLevel::debug: return "debug: ";
    case LogLevel::info: return "";
    case LogLevel::warning: return "warning: ";
    case LogLevel::error: return "error: ";
    }
    return "";
}

void send_to_journal(LogLevel level, std::string_view message, const LogFields& fields,
                     const LogSite& where) {
    std::vector<std::string> items;
    items.reserve(14);
    items.push_back("MESSAGE=" + std::string(message));
    items.push_back("PRIORITY=" + std::to_string(syslog_priority(level)));
    items.push_back("SYSLOG_IDENTIFIER=hookwarden");
    items.push_back(std::string("CODE_FILE=") + where.file);
    items.push_back("CODE_LINE=" + std::to_string(where.line));
    items.push_back(std::string("CODE_FUNC=") + where.function);
    const auto add = [&items](const char* name, std::string_view value) {
        if (!value.empty())
            items.push_back(std::string(name) + '=' + std::string(value));
    };
    add("MESSAGE_ID", fields.message_id);
    add("CYCLE_ID", fields.cycle_id);
    const bool trigger = fields.kind == "trigger";
    add("KIND", fields.kind);
    add(trigger ? "TRIGGER_NAME" : "WEBHOOK_NAME", fields.webhook_name);
    add(trigger ? "TRIGGER_ID" : "WEBHOOK_ID", fields.webhook_id);
    add("ACTION", fields.action);
    add("DRIFT_FIELDS", fields.drift_fields);
    add("DELIVERY_ID", fields.delivery_id);
    if (fields.http_status != 0)
        items.push_back("HTTP_STATUS=" + std::to_string(fields.http_status));

    std::vector<iovec> iov;
    iov.reserve(items.size());
    for (auto& item : items)
        iov.push_back({item.data(), item.size()});
    if (sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) < 0) {
        // journald went away: the text still reaches stderr (and the journal
        // through the stream, if it comes back).
        std::lock_guard lock(stderr_mutex);
        std::fprintf(stderr, "%s%.*s\n", prefix(level), static_cast<int>(message.size()),
                     message.data());
    }
}

} // namespace

void init_logging(LogLevel threshold) {
    current_threshold = threshold;
    current_sink = stderr_is_journal() ? LogSink::journal : LogSink::stderr_text;
}

void set_log_level(LogLevel threshold) { current_threshold = threshold; }

void log_message(LogLevel level, std::string_view message, const LogFields& fields,
                 LogSite where) {
    if (level < current_threshold.load())
        return;
    if (current_sink == LogSink::journal) {
        send_to_journal(level, message, fields, where);
        return;
    }
    std::lock_guard lock(stderr_mutex);
    std::fprintf(stderr, "%s%.*s\n", prefix(level), static_cast<int>(message.size()),
                 message.data());
    std::fflush(stderr);
}

} // namespace hookwarden
