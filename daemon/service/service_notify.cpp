#include "daemon/service/service_notify.hpp"

#include "daemon/service/log.hpp"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <ctime>
#include <string>

namespace hookwarden {

namespace {

// STATUS= ends at a newline; a stray one would start a bogus assignment.
std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c == '\n' || c == '\r')
            c = ' ';
    return out;
}

} // namespace

ServiceNotifier::ServiceNotifier() {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    active_ = socket && *socket;
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        watchdog_ = std::chrono::microseconds(usec);
}

void ServiceNotifier::send(const std::string& state) {
    if (active_)
        sd_notify(0, state.c_str());
}

void ServiceNotifier::ready(std::string_view status) {
    last_status_ = one_line(status);
    send("READY=1\nSTATUS=" + last_status_);
}

void ServiceNotifier::reloading() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
                      static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading");
    last_status_ = "reloading";
}

void ServiceNotifier::stopping(std::string_view status) {
    last_status_ = one_line(status);
    send("STOPPING=1\nSTATUS=" + last_status_);
}

void ServiceNotifier::status(std::string_view text) {
    std::string line = one_line(text);
    if (line == last_status_)
        return;
    last_status_ = line;
    send("STATUS=" + line);
}

void ServiceNotifier::watchdog() { send("WATCHDOG=1"); }

void ServiceNotifier::extend_timeout(std::chrono::microseconds extra) {
    send("EXTEND_TIMEOUT_USEC=" + std::to_string(extra.count()));
}

void ServiceNotifier::fatal(std::string_view status, int errno_value) {
    send("STATUS=" + one_line(status) + "\nERRNO=" + std::to_string(errno_value));
}

int report_fatal(ServiceNotifier& notify, const std::string& message, int errno_value) {
    log_error(message);
    notify.fatal(message, errno_value);
    return 1;
}

} // namespace hookwarden
