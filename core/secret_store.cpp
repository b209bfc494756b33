#include "core/secret_store.hpp"

#include "core/atomic_file.hpp"
#include "core/state_store.hpp"

#include <array>

namespace hookwarden {

namespace fs = std::filesystem;

std::string secret_fingerprint(std::string_view value) {
    return sha256_digest(value);
}

SecretStore::SecretStore(fs::path state_dir, SecretEnvironment environment, SecretRandom random)
    : secrets_dir_(std::move(state_dir) / "secrets"), environment_(std::move(environment)),
      random_(std::move(random)) {}

fs::path SecretStore::generated_path(const std::string& name) const {
    if (name.starts_with('.'))
        return secrets_dir_ / ("%2E" + name.substr(1));
    return secrets_dir_ / name;
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
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r'))
        value.pop_back();
    if (value.empty())
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

Result<std::string> SecretStore::value(const std::string& name, const SecretSource& source) {
    if (source.kind != SecretSource::Kind::generate) {
        auto value = resolve_secret(source, environment_);
        if (!value) {
            Error error = value.error();
            error.context.webhook = name;
            return error;
        }
        return value;
    }
    auto kept = read_generated(name);
    if (kept || kept.error().kind != ErrorKind::not_found)
        return kept;
    return rotate(name);
}

Result<std::string> SecretStore::rotate(const std::string& name) {
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

} // namespace hookwarden
