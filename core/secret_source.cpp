#include "core/secret_source.hpp"

#include "core/source_file.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hookwarden {

std::string SecretSource::describe() const {
    switch (kind) {
    case Kind::generate: return "generated secret";
    case Kind::plain: return "inline value";
    case Kind::credential: return "credential '" + reference + "'";
    case Kind::file: return "file " + reference;
    case Kind::env: return "environment variable " + reference;
    }
    return "secret";
}

SecretEnvironment SecretEnvironment::process() {
    SecretEnvironment env;
    env.getenv = [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (!value)
            return std::nullopt;
        return std::string(value);
    };
    if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir && *dir)
        env.credentials_directory = dir;
    return env;
}

namespace {

// Which permission bits make a secret file too open to use. A `file:`
// source must be the owner's alone (0400 or 0600): any group or other bit is
// refused. A credential is a file systemd wrote into the unit's private
// $CREDENTIALS_DIRECTORY, mode 0400; when the service user is not its owner
// systemd grants read through an ACL instead, whose mask stat(2) shows as the
// group bits (0440), so only the other bits are refused there.
mode_t too_open_bits(SecretSource::Kind kind) {
    return kind == SecretSource::Kind::credential ? mode_t{S_IRWXO} : mode_t{S_IRWXG | S_IRWXO};
}

std::string octal_mode(mode_t mode) {
    std::string text = "0000";
    for (std::size_t digit = 0; digit < 4; ++digit)
        text[3 - digit] = static_cast<char>('0' + ((mode >> (3 * digit)) & 07));
    return text;
}

Result<std::string> read_secret_file(const std::filesystem::path& path, const SecretSource& source) {
    // The mode is read from the descriptor that is then read, so that the
    // file checked is the file used.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return make_error(ErrorKind::io, "cannot read " + source.describe() + " (" +
                                             path.string() + "): not found or not readable");
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0)
        return make_error(ErrorKind::io, "cannot read " + source.describe() + " (" +
                                             path.string() + "): " + std::strerror(errno));
    if (const mode_t open_bits = info.st_mode & too_open_bits(source.kind); open_bits != 0) {
        const bool others = (open_bits & S_IRWXO) != 0;
        const std::string what = source.kind == SecretSource::Kind::file
                                     ? source.describe()
                                     : source.describe() + " (" + path.string() + ")";
        return make_error(ErrorKind::invalid_input,
                          what + " is mode " +
                              octal_mode(info.st_mode) + ", open to " +
                              (others ? "other users" : "its group") +
                              "; a secret file must be readable by its owner only (chmod 600 " +
                              path.string() + ")");
    }
    std::string value(max_source_file_bytes + 1, '\0');
    std::size_t size = 0;
    while (size < value.size()) {
        const ssize_t got = ::read(fd, value.data() + size, value.size() - size);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return make_error(ErrorKind::io, "cannot read " + source.describe() + " (" +
                                                 path.string() + "): " + std::strerror(errno));
        if (got == 0)
            break;
        size += static_cast<std::size_t>(got);
    }
    value.resize(size);
    if (value.size() > max_source_file_bytes)
        return make_error(ErrorKind::invalid_input, source.describe() + " is larger than 1 MiB");
    // One newline: "\n" or "\r\n". A lone trailing '\r' is part of the value.
    if (value.ends_with('\n')) {
        value.pop_back();
        if (value.ends_with('\r'))
            value.pop_back();
    }
    return value;
}

} // namespace

Result<std::string> resolve_secret(const SecretSource& source, const SecretEnvironment& env) {
    Result<std::string> value = std::string();
    switch (source.kind) {
    case SecretSource::Kind::generate:
        return make_error(ErrorKind::internal, "a generated secret is kept by the secret store");
    case SecretSource::Kind::plain:
        value = source.reference;
        break;
    case SecretSource::Kind::credential:
        if (!env.credentials_directory)
            return make_error(ErrorKind::not_found,
                              source.describe() +
                                  " is not available: $CREDENTIALS_DIRECTORY is not set "
                                  "(use LoadCredential= in the unit, or another source)");
        value = read_secret_file(*env.credentials_directory / source.reference, source);
        break;
    case SecretSource::Kind::file:
        value = read_secret_file(source.reference, source);
        break;
    case SecretSource::Kind::env: {
        auto found = env.getenv ? env.getenv(source.reference) : std::nullopt;
        if (!found)
            return make_error(ErrorKind::not_found, source.describe() + " is not set");
        value = std::move(*found);
        break;
    }
    }
    if (value && value->empty())
        return make_error(ErrorKind::invalid_input, source.describe() + " is empty");
    return value;
}

} // namespace hookwarden
