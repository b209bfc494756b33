// Tenant resources written back as manifests, for `hookwarden export`
// (SPEC §4): the first step of adopting a tenant's existing webhooks and
// Process Automation triggers.
//
// Each function returns one YAML document, written with yaml-cpp through
// core/yaml_writer.hpp, under a comment that says where it came from. What
// it writes loads back (load_manifest_text) as a manifest whose fields equal
// the resource's, labels aside, when the resource keeps the manifest rules;
// a resource that breaks one (a name the rules refuse, a criterion with
// neither value nor values) is written as it is, and loading the document
// reports the problem at its place. Server-owned fields (id, version) are
// not written, except the id in the comment.
#pragma once

#include "core/trigger.hpp"
#include "core/webhook.hpp"

#include <string>

namespace hookwarden {

/// `kind: Webhook`, without secretRef: applied with `adopt: true`, it takes
/// the webhook over and keeps the secret the tenant has. The comment tells
/// how to choose a secret source instead.
std::string manifest_yaml(const Webhook& webhook);

/// `kind: Trigger`. Defaults are written out (dataFormat, enabled), optional
/// fields only when set, match criteria in the tenant's order with each
/// value as the JSON type it has (a string that looks like a number or a
/// boolean is quoted).
std::string manifest_yaml(const Trigger& trigger);

} // namespace hookwarden
