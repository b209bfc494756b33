#include "core/manifest_export.hpp"

#include "core/yaml_fields.hpp"
#include "core/yaml_writer.hpp"

#include <boost/json/value.hpp>

#include <stdexcept>
#include <string_view>

namespace hookwarden {

namespace {

// Everything up to the spec's first field; the caller ends both mappings.
void begin_manifest(YamlWriter& yaml, const char* kind, const std::string& name) {
    yaml.begin_mapping();
    yaml.string("apiVersion").string("hookwarden/v1");
    yaml.string("kind").string(kind);
    yaml.string("metadata").begin_mapping().string("name").string(name).end_mapping();
    yaml.string("spec").begin_mapping();
}

} // namespace

std::string manifest_yaml(const Webhook& webhook) {
    std::string out =
        "# " + webhook.name + ": exported from the tenant by `hookwarden export` (webhook id " +
        webhook.id +
        ").\n"
        "#\n"
        "# There is no secretRef: hookwarden adopts this webhook and keeps the secret the\n"
        "# tenant already has (the default source, generate, never replaces the secret of\n"
        "# an adopted webhook). To choose the secret here instead, add under spec one of\n"
        "#   secretRef: {credential: NAME}   # $CREDENTIALS_DIRECTORY/NAME (LoadCredential=)\n"
        "#   secretRef: {file: /etc/hookwarden/secrets/NAME}\n"
        "#   secretRef: {env: VARIABLE}\n"
        "# and the next apply sends that value; or run\n"
        "#   hookwarden apply --rotate-secret " +
        webhook.name +
        "\n"
        "# to have hookwarden generate a new one and keep it in its state directory.\n"
        "# Receivers must be given the new secret either way.\n";

    YamlWriter yaml;
    begin_manifest(yaml, "Webhook", webhook.name);
    yaml.string("eventTypes").begin_sequence();
    for (const auto& event : webhook.event_types)
        yaml.string(event);
    yaml.end_sequence();
    yaml.string("endpointUrl").string(webhook.endpoint_url);
    yaml.string("enabled").boolean(webhook.enabled);
    yaml.string("retryPolicy").begin_mapping();
    yaml.string("retryInterval").string(webhook.retry_policy.retry_interval);
    yaml.string("maxRetries").integer(webhook.retry_policy.max_retries);
    yaml.end_mapping();
    // Always double-quoted: a template is free text, and YAML's plain
    // scalars would turn some of it into numbers, booleans or nulls.
    yaml.string("payloadTemplate").quoted(webhook.payload_template);
    yaml.end_mapping();
    yaml.end_mapping();
    return out + yaml.finish();
}

namespace {

// `text` for a comment line: a line break in it (a name is the tenant's)
// would end the comment and turn the rest into YAML.
std::string comment_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) {
            out += ' ';
        } else if (text.substr(i, 2) == "\xC2\x85" || text.substr(i, 3) == "\xE2\x80\xA8" ||
                   text.substr(i, 3) == "\xE2\x80\xA9") {
            out += ' '; // NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR: YAML 1.1 line breaks
            i += text[i] == '\xC2' ? 1 : 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// One match value as the type it has, so that it loads back as that type
// (core/yaml_fields.hpp read_json_scalar). A string is quoted whenever the
// loader would read it plain as something else, which covers more than the
// writer's own rule (yes/no, .inf, 0o17 are refused by the loader, not read
// as strings).
void write_json_scalar(YamlWriter& yaml, const boost::json::value& value) {
    switch (value.kind()) {
    case boost::json::kind::string: {
        const std::string_view text = value.get_string();
        if (plain_scalar_is_string(text))
            yaml.string(text);
        else
            yaml.quoted(text);
        return;
    }
    case boost::json::kind::int64:
        yaml.integer(value.get_int64());
        return;
    case boost::json::kind::uint64:
        yaml.unsigned_integer(value.get_uint64());
        return;
    case boost::json::kind::double_:
        yaml.real(value.get_double());
        return;
    case boost::json::kind::bool_:
        yaml.boolean(value.get_bool());
        return;
    case boost::json::kind::null:
        // Not a valid match value; written so that `validate` points at it.
        yaml.null();
        return;
    case boost::json::kind::array:
    case boost::json::kind::object:
        break;
    }
    // The tenant's JSON is parsed into MatchCriterion by the adapter, which
    // keeps only scalars; anything else is a bug there.
    throw std::invalid_argument("a match criterion value must be a JSON scalar");
}

} // namespace

std::string manifest_yaml(const Trigger& trigger) {
    const std::string out =
        "# " + comment_text(trigger.name) +
        ": exported from the tenant by `hookwarden export` (trigger id " + comment_text(trigger.id) +
        ").\n"
        "#\n"
        "# A Process Automation trigger: events of topicName that meet every match\n"
        "# criterion start the Architect workflow target.id. topicName is fixed once the\n"
        "# trigger exists: changing it here makes apply delete the trigger and create it\n"
        "# anew (shown as a replace by plan).\n";

    YamlWriter yaml;
    begin_manifest(yaml, "Trigger", trigger.name);
    yaml.string("topicName").string(trigger.topic_name);
    yaml.string("target").begin_mapping();
    yaml.string("type").string(trigger.target.type);
    yaml.string("id").string(trigger.target.id);
    // Empty when the tenant sent none: left out, the manifest's default (Json)
    // applies, as the API's does.
    if (!trigger.target.data_format.empty())
        yaml.string("dataFormat").string(trigger.target.data_format);
    yaml.end_mapping();
    if (!trigger.match_criteria.empty()) {
        yaml.string("matchCriteria").begin_sequence();
        for (const auto& criterion : trigger.match_criteria) {
            yaml.begin_mapping();
            yaml.string("jsonPath").string(criterion.json_path);
            yaml.string("operator").string(criterion.op);
            if (criterion.value) {
                yaml.string("value");
                write_json_scalar(yaml, *criterion.value);
            }
            if (criterion.values) {
                yaml.string("values").begin_sequence();
                for (const auto& value : *criterion.values)
                    write_json_scalar(yaml, value);
                yaml.end_sequence();
            }
            yaml.end_mapping();
        }
        yaml.end_sequence();
    }
    yaml.string("enabled").boolean(trigger.enabled);
    if (trigger.event_ttl_seconds)
        yaml.string("eventTTLSeconds").integer(*trigger.event_ttl_seconds);
    if (trigger.delay_by_seconds)
        yaml.string("delayBySeconds").integer(*trigger.delay_by_seconds);
    if (!trigger.description.empty())
        yaml.string("description").string(trigger.description);
    yaml.end_mapping();
    yaml.end_mapping();
    return out + yaml.finish();
}

} // namespace hookwarden
