// The tenant emulator as a child process, for integration tests.
//
// `EmulatorProcess` starts the hookwarden-emulator binary built with this
// tree on a free loopback port, with fresh TLS material in a temporary
// directory, and waits until it listens. Point hookwarden (or an
// EmulatorControl) at base_url() and trust ca_file(). The destructor sends
// SIGTERM and reaps the process; and since the emulator's stdin is a pipe
// held by this object (`--stop-at-stdin-eof`), it also stops when the test
// process dies without running destructors.
//
//     hookwarden::test::EmulatorProcess emulator({"--rpm", "60"});
//     hookwarden::test::EmulatorControl control(emulator);
//     control.reset();
#pragma once

#include "tests/support/scratch_dir.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace hookwarden::test {

class EmulatorProcess {
  public:
    static constexpr const char* kClientId = "demo-client";     ///< the emulator's default
    static constexpr const char* kClientSecret = "demo-secret"; ///< the emulator's default

    /// Starts the emulator with `--port 0 --tls-dir <temp> --stop-at-stdin-eof` followed by
    /// `extra_args` (e.g. {"--token-lifetime", "1", "--quiet"}), and waits
    /// up to `startup_timeout` for its `listening on` line. Throws
    /// std::runtime_error when it exits or stays silent instead.
    explicit EmulatorProcess(std::vector<std::string> extra_args = {},
                             std::chrono::milliseconds startup_timeout = std::chrono::seconds(10));
    /// Stops the emulator (see stop()).
    ~EmulatorProcess();

    EmulatorProcess(const EmulatorProcess&) = delete;
    EmulatorProcess& operator=(const EmulatorProcess&) = delete;

    /// "https://127.0.0.1:PORT", as the emulator printed it.
    const std::string& base_url() const noexcept { return base_url_; }
    /// base_url() + "/oauth/token".
    std::string token_url() const { return base_url_ + "/oauth/token"; }
    /// The address it listens on, e.g. "127.0.0.1" or "::1".
    const std::string& host() const noexcept { return host_; }
    std::uint16_t port() const noexcept { return port_; }
    /// The CA certificate (PEM) that signed the emulator's certificate.
    std::filesystem::path ca_file() const { return tls_dir_ / "ca.pem"; }
    const std::filesystem::path& tls_dir() const noexcept { return tls_dir_.path(); }
    pid_t pid() const noexcept { return pid_; }

    /// Sends SIGTERM and waits up to `timeout` (then SIGKILL). Returns the
    /// exit status, or 128 + the signal that ended it. Later calls return
    /// the same value without signalling again.
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// The emulator binary this test support was built against.
    static std::filesystem::path binary();

  private:
    testing::ScratchDir tls_dir_;
    pid_t pid_ = -1;
    int stdin_fd_ = -1; ///< our end of the emulator's stdin
    int exit_status_ = -1;
    std::string base_url_;
    std::string host_;
    std::uint16_t port_ = 0;
};

} // namespace hookwarden::test
