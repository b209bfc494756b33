#include "core/secret_store.hpp"

#include "core/atomic_file.hpp"
#include "core/state_store.hpp"

#include <array>

#include <sys/stat.h>

namespace hookwarden {

namespace fs = std::filesystem;

std::string secret_fingerprint(std::string_view value) {
    return sha256_digest(value);
}

SecretStore::SecretStore(const fs::path& state_dir, SecretEnvironment environment,
                         SecretRandom random)
    : secrets_dir_(state_dir / "secrets"), environment_(std::move(environment)),
      random_(std::move(random)) {}

namespace {

// A name beginning with '.' has its first character written "%2E".
std::string file_name_of(const std::string& name) {
    return name.starts_with('.') ? "%2E" + name.substr(1) : name;
}

// A file edited by hand may end in a newline that is not part of the secret.
std::string& strip_line_end(std::string& value) {
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r'))
        value.pop_back();
    return value;
}

Error about(Error error, const std::string& name) {
    error.context.webhook = name;
    return error;
}

} // namespace

fs::path SecretStore::generated_path(const std::string& name) const {
    return secrets_dir_ / file_name_of(name);
}

fs::path SecretStore::previous_path(const std::string& name) const {
    return secrets_dir_ / ".previous" / file_name_of(name);
}

Result<std::string> SecretStore::read_generated(const std::string& name) const {
    const fs::path path = generated_path(name);
    auto kept = read_file_if_exists(path);
    if (!kept) {
        Error error = kept.error();
        error.context.webhook = name;
        return error;
    }
    if (!*kept)
        return make_error(ErrorKind::not_found, "no generated secret is kept for " + name,
                          ErrorContext{.webhook = name});
    std::string value = std::move(**kept);
    if (strip_line_end(value).empty())
        return make_error(ErrorKind::invalid_input,
                          "the generated secret " + path.string() +
                              " is empty (delete it, or run apply --rotate-secret " + name + ")",
                          ErrorContext{.webhook = name});
    return value;
}

SecretStatus SecretStore::inspect(const std::string& name, const SecretSource& source) const {
    Result<std::string> value = source.kind == SecretSource::Kind::generate
                                    ? read_generated(name)
                                    : resolve_secret(source, environment_);
    if (value)
        return {SecretStatus::State::available, secret_fingerprint(*value), std::nullopt};
    if (source.kind == SecretSource::Kind::generate && value.error().kind == ErrorKind::not_found)
        return {SecretStatus::State::not_generated, {}, std::nullopt};
    Error error = value.error();
    error.context.webhook = name;
    return {SecretStatus::State::unavailable, {}, std::move(error)};
}

Result<std::string> SecretStore::current(const std::string& name, const SecretSource& source) const {
    if (source.kind == SecretSource::Kind::generate)
        return read_generated(name);
    auto value = resolve_secret(source, environment_);
    if (!value) {
        Error error = value.error();
        error.context.webhook = name;
        return error;
    }
    return value;
}

std::string SecretStore::version(const std::string& name, const SecretSource& source) const {
    fs::path file;
    switch (source.kind) {
    case SecretSource::Kind::generate:
        file = generated_path(name);
        break;
    case SecretSource::Kind::file:
        file = source.reference;
        break;
    case SecretSource::Kind::credential:
        if (!environment_.credentials_directory)
            return {};
        file = *environment_.credentials_directory / source.reference;
        break;
    case SecretSource::Kind::env:
    case SecretSource::Kind::plain:
        return {};
    }
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0)
        return "absent";
    return std::to_string(info.st_ino) + ":" + std::to_string(info.st_mtim.tv_sec) + "." +
           std::to_string(info.st_mtim.tv_nsec) + ":" + std::to_string(info.st_size);
}

Result<std::string> SecretStore::value(const std::string& name, const SecretSource& source) {
    auto kept = current(name, source);
    if (kept || source.kind != SecretSource::Kind::generate || kept.error().kind != ErrorKind::not_found)
        return kept;
    return rotate(name);
}

Result<std::string> SecretStore::rotate(const std::string& name,
                                        const std::optional<std::string>& sent_fingerprint) {
    // The kept value goes to .previous first: a crash between the two
    // writes leaves it in both places, never in neither.
    auto kept = read_generated(name);
    if (!kept && kept.error().kind == ErrorKind::io)
        return kept.error(); // an empty or missing one is replaced with nothing kept
    if (kept && (!sent_fingerprint || *sent_fingerprint == secret_fingerprint(*kept))) {
        const fs::path previous = previous_path(name);
        if (auto dir = ensure_directory(previous.parent_path(), fs::perms::owner_all); !dir)
            return about(dir.error(), name);
        if (auto written = write_file_atomically(previous, *kept); !written)
            return about(written.error(), name);
    }

    std::array<unsigned char, generated_secret_bytes> bytes{};
    if (!random_ || !random_(bytes))
        return make_error(ErrorKind::internal, "the random source failed; no secret was generated",
                          ErrorContext{.webhook = name});
    std::string value = to_hex(bytes);
    bytes.fill(0);
    if (auto dir = ensure_directory(secrets_dir_, fs::perms::owner_all); !dir)
        return dir.error();
    if (auto written = write_file_atomically(generated_path(name), value); !written) {
        Error error = written.error();
        error.context.webhook = name;
        return error;
    }
    return value;
}

Result<std::optional<std::string>> SecretStore::previous(const std::string& name) const {
    auto kept = read_file_if_exists(previous_path(name));
    if (!kept)
        return about(kept.error(), name);
    if (*kept && strip_line_end(**kept).empty())
        return std::optional<std::string>{};
    return std::move(*kept);
}

Result<void> SecretStore::forget_previous(const std::string& name) {
    const fs::path path = previous_path(name);
    std::error_code ec;
    fs::remove(path, ec);
    if (ec)
        return make_error(ErrorKind::io, "cannot delete " + path.string() + ": " + ec.message(),
                          ErrorContext{.webhook = name});
    return {};
}

} // namespace hookwarden
