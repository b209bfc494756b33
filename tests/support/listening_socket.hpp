// A listening TCP socket on loopback that a test holds and hands to
// `hookwarden receive` the way systemd's socket activation does (fd 3,
// LISTEN_FDS=1, LISTEN_PID; see HookwardenProcess's `listen_fd`). The port
// is known before the receiver starts, so a manifest can name it, and it
// stays the same across a restart: connections made while the receiver is
// down wait in the backlog instead of being refused — exactly what
// hookwarden-receiver.socket gives in production. Header-only; failure throws.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>

namespace hookwarden::test {

class ListeningSocket {
  public:
    ListeningSocket() {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(fd, 1024) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
            throw std::runtime_error("cannot make a listening socket on 127.0.0.1");
        // Well above 3, so that handing it over as fd 3 is always a real dup
        // (which clears close-on-exec in the child only).
        fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 100);
        ::close(fd);
        if (fd_ < 0)
            throw std::runtime_error("cannot move the listening socket");
        port_ = ntohs(address.sin_port);
    }
    ~ListeningSocket() { ::close(fd_); }
    ListeningSocket(const ListeningSocket&) = delete;
    ListeningSocket& operator=(const ListeningSocket&) = delete;

    int fd() const noexcept { return fd_; }
    std::uint16_t port() const noexcept { return port_; }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

} // namespace hookwarden::test
