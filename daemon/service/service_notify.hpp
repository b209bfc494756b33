// The service manager protocol (sd_notify(3)) as the run loop uses it.
//
// Every call is a no-op when $NOTIFY_SOCKET is unset, so `hookwarden run`
// behaves the same in a terminal. The watchdog interval comes from
// $WATCHDOG_USEC (sd_watchdog_enabled); the loop pings at half of it, and
// only while it makes progress.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

class ServiceNotifier {
public:
    ServiceNotifier();

    /// WatchdogSec= of the unit, when set.
    std::optional<std::chrono::microseconds> watchdog_interval() const noexcept { return watchdog_; }

    void ready(std::string_view status);
    /// RELOADING=1 with MONOTONIC_USEC= (required by Type=notify-reload, harmless before).
    void reloading();
    void stopping(std::string_view status);
    /// Sends STATUS= only when the text differs from the last one sent.
    void status(std::string_view text);
    void watchdog();
    void extend_timeout(std::chrono::microseconds extra);
    /// STATUS= and ERRNO= just before a fatal exit.
    void fatal(std::string_view status, int errno_value);

private:
    void send(const std::string& state);

    bool active_ = false; ///< a service manager listens ($NOTIFY_SOCKET set)
    std::optional<std::chrono::microseconds> watchdog_;
    std::string last_status_;
};

/// Why a service (`run`, `receive`) cannot go on: logged as an error and
/// told to the service manager (STATUS=, ERRNO=). Returns 1, the exit
/// status of a service that cannot start or continue.
int report_fatal(ServiceNotifier& notify, const std::string& message, int errno_value);

} // namespace hookwarden
