// `hookwarden run` as systemd sees it, for process tests: the service
// manager's end of sd_notify (a bound AF_UNIX datagram socket to give as
// $NOTIFY_SOCKET) and the binary as a child process whose output goes to a
// file. Header-only; failures to set either up throw (a test cannot go on).
#pragma once

#include "tests/support/output_capture.hpp"
#include "tests/support/scratch_dir.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace hookwarden::test {

/// The service manager's end of sd_notify: a bound datagram socket.
class NotifySocket {
public:
    explicit NotifySocket(const testing::ScratchDir& dir) : path_((dir / "notify.sock").string()) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        // Cut short, the path would name another socket than NOTIFY_SOCKET does.
        if (path_.size() >= sizeof address.sun_path)
            throw std::runtime_error("the notify socket path is too long for a Unix socket: " + path_);
        path_.copy(address.sun_path, path_.size());
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            throw std::runtime_error("cannot bind the notify socket " + path_);
    }
    /// Unlinked, so that the next daemon of a test can have one at the same path.
    ~NotifySocket() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    const std::string& path() const { return path_; }

    /// Reads messages until one contains `needle`; every message read is kept.
    bool wait_for(const std::string& needle, std::chrono::milliseconds timeout) {
        for (std::size_t i = seen_; i < messages_.size(); ++i) {
            if (messages_[i].find(needle) != std::string::npos) {
                seen_ = i + 1;
                return true;
            }
        }
        seen_ = messages_.size();
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (!receive(deadline))
                continue;
            seen_ = messages_.size();
            if (messages_.back().find(needle) != std::string::npos)
                return true;
        }
        return false;
    }

    /// Collects whatever arrives during `duration`.
    std::vector<std::string> collect(std::chrono::milliseconds duration) {
        const std::size_t first = messages_.size();
        const auto deadline = std::chrono::steady_clock::now() + duration;
        while (std::chrono::steady_clock::now() < deadline)
            receive(deadline);
        seen_ = messages_.size();
        return {messages_.begin() + static_cast<std::ptrdiff_t>(first), messages_.end()};
    }

    /// The STATUS= text of the latest message that carried one.
    std::string last_status() const {
        for (auto m = messages_.rbegin(); m != messages_.rend(); ++m) {
            const auto at = m->find("STATUS=");
            if (at == std::string::npos)
                continue;
            const auto end = m->find('\n', at);
            return m->substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
        }
        return "";
    }

    std::string all() const {
        std::string out;
        for (const auto& m : messages_)
            out += m + "\n--\n";
        return out;
    }

private:
    bool receive(std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(std::max<long long>(1, left.count()))) <= 0)
            return false;
        char buffer[4096];
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0)
            return false;
        messages_.emplace_back(buffer, static_cast<std::size_t>(n));
        return true;
    }

    std::string path_;
    int fd_ = -1;
    std::vector<std::string> messages_;
    std::size_t seen_ = 0;
};

/// The hookwarden binary (`binary`) as a child process, stdout and stderr
/// to a file in `dir`, with only `env` (and PATH) as its environment.
class HookwardenProcess {
public:
    /// `listen_fd` >= 0: handed over as systemd's socket activation does —
    /// as fd 3 with LISTEN_FDS=1 and LISTEN_PID set to the child's PID (by
    /// a shell that then execs the binary, keeping its PID).
    HookwardenProcess(const std::string& binary, const testing::ScratchDir& dir, std::vector<std::string> args,
                      std::vector<std::string> env, int listen_fd = -1)
        : dir_(dir.path()), log_(dir / ("hookwarden-" + std::to_string(counter_++) + ".log")) {
        args.insert(args.begin(), binary);
        if (listen_fd >= 0)
            args.insert(args.begin(), {"/bin/sh", "-c", "export LISTEN_PID=$$ LISTEN_FDS=1; exec \"$0\" \"$@\""});
        std::vector<char*> argv;
        argv.reserve(args.size() + 1);
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        env.emplace_back("PATH=/usr/bin:/bin");
        std::vector<char*> envp;
        envp.reserve(env.size() + 1);
        for (auto& e : env)
            envp.push_back(e.data());
        envp.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        if (listen_fd >= 0)
            posix_spawn_file_actions_adddup2(&actions, listen_fd, 3);
        const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        if (spawned != 0)
            throw std::runtime_error("cannot start " + binary);
    }

    ~HookwardenProcess() {
        if (status_ < 0) {
            ::kill(pid_, SIGKILL);
            wait(std::chrono::seconds(5));
        }
        // For the suite-wide secret scan: what it printed and what it left
        // in the state directory (`stateDir: state` in every process test).
        if (const auto text = output(); !text.empty())
            capture_output("hookwarden", text);
        capture_state_dir(dir_ / "state");
    }

    pid_t pid() const { return pid_; }
    void signal(int sig) const { ::kill(pid_, sig); }

    /// Exit status, or -1 when still running after `timeout`.
    int wait(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (status_ < 0) {
            int raw = 0;
            const pid_t got = ::waitpid(pid_, &raw, WNOHANG);
            if (got == pid_) {
                status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
                break;
            }
            if (std::chrono::steady_clock::now() >= deadline)
                return -1;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return status_;
    }

    std::string output() const {
        std::ifstream in(log_);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

private:
    static inline int counter_ = 0;
    std::filesystem::path dir_;
    std::filesystem::path log_;
    pid_t pid_ = -1;
    int status_ = -1;
};

} // namespace hookwarden::test
