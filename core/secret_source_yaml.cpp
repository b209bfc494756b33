#include "core/secret_source_yaml.hpp"

#include <algorithm>
#include <cctype>

namespace hookwarden {

const std::vector<std::string> secret_ref_forms{"generate", "credential", "file", "env"};

namespace {

bool is_credential_name(const std::string& s) {
    if (s.empty() || s.size() > 255 || s == "." || s == "..")
        return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
            c != '@' && c != ':')
            return false;
    return true;
}

bool is_env_name(const std::string& s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
        return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
            return false;
    return true;
}

} // namespace

std::optional<SecretSource> read_secret_source(const YamlField& field, const SecretSourceForms& forms,
                                               Diagnostics& diagnostics) {
    if (forms.allow_plain && field.node.is_scalar())
        return SecretSource{SecretSource::Kind::plain, field.node.scalar()};

    std::vector<std::string> allowed = secret_ref_forms;
    if (!forms.allow_generate)
        std::erase(allowed, "generate");

    YamlMap map(field.node, field.path, *field.file, diagnostics);
    if (!map.valid())
        return std::nullopt;
    std::vector<std::pair<std::string, YamlField>> given;
    for (const auto& form : allowed)
        if (auto value = map.take(form))
            given.emplace_back(form, *value);
    map.finish(allowed);

    // SPEC §2: at most one source, and without one a manifest's secret is
    // generated, whether secretRef is absent or `{}`. (Unknown keys alone
    // are not `{}`: finish() reported them.) Config credentials have no
    // default to fall back on.
    if (field.node.size() == 0 && forms.allow_generate)
        return SecretSource{SecretSource::Kind::generate, ""};
    if (given.empty()) {
        std::string forms_list;
        for (const auto& form : allowed)
            forms_list += (forms_list.empty() ? "" : ", ") + form;
        diagnostics.error(map.location(),
                          "field '" + field.path + "' must name one source: " + forms_list);
        return std::nullopt;
    }
    if (given.size() > 1) {
        diagnostics.error(given[1].second.location(),
                          "field '" + field.path + "' names both '" + given[0].first + "' and '" +
                              given[1].first + "'; choose one source");
        return std::nullopt;
    }
    const auto& [form, value] = given.front();
    if (form == "generate") {
        auto generate = read_bool(value, diagnostics);
        if (!generate)
            return std::nullopt;
        if (!*generate) {
            diagnostics.error(value.location(),
                              "field '" + value.path +
                                  "' can only be true; to bring your own secret use credential, "
                                  "file or env instead");
            return std::nullopt;
        }
        return SecretSource{SecretSource::Kind::generate, ""};
    }
    auto text = read_string(value, diagnostics);
    if (!text)
        return std::nullopt;
    if (form == "credential") {
        if (!is_credential_name(*text)) {
            diagnostics.error(value.location(), "field '" + value.path +
                                                    "' must be a credential name (letters, digits, "
                                                    "'-', '_', '.'), not a path");
            return std::nullopt;
        }
        return SecretSource{SecretSource::Kind::credential, *text};
    }
    if (form == "env") {
        if (!is_env_name(*text)) {
            diagnostics.error(value.location(),
                              "field '" + value.path + "' must be an environment variable name");
            return std::nullopt;
        }
        return SecretSource{SecretSource::Kind::env, *text};
    }
    std::filesystem::path path = *text;
    if (text->empty()) {
        diagnostics.error(value.location(), "field '" + value.path + "' must not be empty");
        return std::nullopt;
    }
    if (path.is_relative()) {
        if (forms.base_dir.empty()) {
            diagnostics.error(value.location(), "field '" + value.path +
                                                    "' must be an absolute path");
            return std::nullopt;
        }
        path = forms.base_dir / path;
    }
    return SecretSource{SecretSource::Kind::file, path.lexically_normal().string()};
}

} // namespace hookwarden
