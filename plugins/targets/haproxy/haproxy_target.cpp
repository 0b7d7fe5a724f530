// The HAProxy target plugin ("HAProxy"): one combined PEM (certificate,
// chain, key; mode 0600), optional `haproxy -c`, reload, optional live
// check. Everything but the spec and the schema is sdk/deploy.
#include "sdk/deploy/file_target_plugin.h"
#include "sdk/deploy/schema.h"
#include "sdk/plugin/export.h"

#ifndef CERTCTL_TARGET_PLUGIN_VERSION
#define CERTCTL_TARGET_PLUGIN_VERSION "0.0.0"
#endif

namespace certctl::targets::haproxy {

namespace deploy = certctl::sdk::deploy;

constexpr auto kSchema = deploy::concatLiterals(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "HAProxy",
  "description": "Writes the combined PEM HAProxy loads with `bind ... ssl crt` (certificate, chain, private key; mode 0600), optionally runs the config test, reloads HAProxy and can check the live endpoint. Any failure restores the previous file.",
  "type": "object",
  "required": ["pem_path"],
  "properties": {
    "pem_path": {"type": "string", "description": "The combined PEM file: certificate, chain, key (mode 0600)"},
    "validate_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Optional config test run before the reload, e.g. [\"haproxy\", \"-c\", \"-f\", \"/etc/haproxy/haproxy.cfg\"]; none by default"},
    "reload_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Reload command; [] to skip. Default [\"systemctl\", \"reload\", \"haproxy\"]"},)json",
                                                deploy::kCommonSchemaProperties, R"json(
  }
})json");

const deploy::FileTargetSpec& spec() {
  static const deploy::FileTargetSpec s = [] {
    deploy::FileTargetSpec x;
    x.typeName = "HAProxy";
    x.layout = deploy::FileLayout::CombinedPem;
    x.defaultReload = {"systemctl", "reload", "haproxy"};
    return x;
  }();
  return s;
}

// The plugin class: the spec is the whole target.
using HaproxyTarget = deploy::SpecFileTarget<&spec>;

}  // namespace certctl::targets::haproxy

CERTCTL_EXPORT_TARGET(certctl::targets::haproxy::HaproxyTarget, "HAProxy",
                      CERTCTL_TARGET_PLUGIN_VERSION, certctl::targets::haproxy::kSchema.data())
