#include "tests/support/emulator_process.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace hookwarden::test {
namespace chrono = std::chrono;

namespace {

constexpr std::string_view kListeningPrefix = "listening on https://";

std::runtime_error system_failure(const std::string& what) {
    return std::runtime_error(what + ": " + std::generic_category().message(errno));
}

/// Reads one line from `fd` until `deadline`; nullopt-like empty + false on timeout/EOF.
bool read_line(int fd, chrono::steady_clock::time_point deadline, std::string& line) {
    line.clear();
    for (;;) {
        const auto left =
            chrono::duration_cast<chrono::milliseconds>(deadline - chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return false;
        char c;
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        if (c == '\n')
            return true;
        line.push_back(c);
    }
}

/// The exit status as a shell reports it: the code, or 128 + signal.
int shell_status(int wait_status) {
    if (WIFEXITED(wait_status))
        return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status))
        return 128 + WTERMSIG(wait_status);
    return -1;
}

} // namespace

std::filesystem::path EmulatorProcess::binary() {
    return HOOKWARDEN_EMULATOR_PATH;
}

EmulatorProcess::EmulatorProcess(std::vector<std::string> extra_args,
                                 chrono::milliseconds startup_timeout)
    : tls_dir_("hookwarden-emulator-tls") {
    std::vector<std::string> args{
        binary().string(),    "--port", "0", "--tls-dir", tls_dir_.path().string(),
        "--stop-at-stdin-eof"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    // Both pipes are close-on-exec here, so that emulators started by other
    // threads do not inherit our ends; dup2 gives the child its copies.
    int in[2];
    int out[2];
    if (::pipe2(in, O_CLOEXEC) != 0)
        throw system_failure("could not create a pipe for the emulator");
    if (::pipe2(out, O_CLOEXEC) != 0) {
        ::close(in[0]);
        ::close(in[1]);
        throw system_failure("could not create a pipe for the emulator");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    const int spawned = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_fd_ = in[1];
    if (spawned != 0) {
        ::close(out[0]);
        ::close(stdin_fd_);
        stdin_fd_ = -1;
        pid_ = -1;
        errno = spawned;
        throw system_failure("could not start " + args[0]);
    }

    std::string line;
    const bool got = read_line(out[0], chrono::steady_clock::now() + startup_timeout, line);
    // The emulator prints nothing after this line; closing our end is safe
    // (it ignores SIGPIPE anyway).
    ::close(out[0]);
    if (!got || !line.starts_with(kListeningPrefix)) {
        const int status = stop(chrono::seconds(2));
        throw std::runtime_error(args[0] + " did not start (" +
                                 (got ? "it printed '" + line + "'" : "no listening line") +
                                 ", exit status " + std::to_string(status) +
                                 "); its stderr is above");
    }
    base_url_ = line.substr(kListeningPrefix.size() - std::string_view("https://").size());
    const std::string authority = line.substr(kListeningPrefix.size());
    const auto colon = authority.rfind(':');
    host_ = authority.substr(0, colon);
    if (host_.size() > 2 && host_.front() == '[')
        host_ = host_.substr(1, host_.size() - 2);
    port_ = static_cast<std::uint16_t>(std::stoi(authority.substr(colon + 1)));
}

EmulatorProcess::~EmulatorProcess() {
    stop();
}

int EmulatorProcess::stop(chrono::milliseconds timeout) {
    if (pid_ <= 0)
        return exit_status_;
    ::kill(pid_, SIGTERM);
    const auto deadline = chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_)
            break;
        if (done < 0 && errno != EINTR) {
            status = -1;
            break;
        }
        if (chrono::steady_clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(chrono::milliseconds(10));
    }
    // Closed only now, so that the exit status above is SIGTERM's doing.
    ::close(stdin_fd_);
    stdin_fd_ = -1;
    pid_ = -1;
    exit_status_ = status == -1 ? -1 : shell_status(status);
    return exit_status_;
}

} // namespace hookwarden::test
