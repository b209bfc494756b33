#include "core/secret_source.hpp"

#include "core/source_file.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

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

Result<std::string> read_secret_file(const std::filesystem::path& path, const SecretSource& source) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(ErrorKind::io, "cannot read " + source.describe() + " (" +
                                             path.string() + "): not found or not readable");
    std::string value(max_source_file_bytes + 1, '\0');
    in.read(value.data(), static_cast<std::streamsize>(value.size()));
    value.resize(static_cast<std::size_t>(in.gcount()));
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
