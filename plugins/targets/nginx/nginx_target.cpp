// The NGINX target plugin ("NGINX"): certificate (with its chain), optional
// separate chain and key files, `nginx -t`, reload, optional live check.
// Everything but the spec and the schema is sdk/deploy.
#include "sdk/deploy/file_target_plugin.h"
#include "sdk/deploy/schema.h"
#include "sdk/plugin/export.h"

#ifndef CERTCTL_TARGET_PLUGIN_VERSION
#define CERTCTL_TARGET_PLUGIN_VERSION "0.0.0"
#endif

namespace certctl::targets::nginx {

namespace deploy = certctl::sdk::deploy;

constexpr auto kSchema = deploy::concatLiterals(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "NGINX",
  "description": "Writes the certificate and key files nginx reads (ssl_certificate holds the certificate followed by its chain), runs the config test, reloads nginx and can check the live endpoint. Any failure restores the previous files.",
  "type": "object",
  "required": ["cert_path", "key_path"],
  "properties": {
    "cert_path": {"type": "string", "description": "ssl_certificate file: certificate followed by the chain (mode 0644)"},
    "key_path": {"type": "string", "description": "ssl_certificate_key file (mode 0600)"},
    "chain_path": {"type": "string", "description": "Optional: the chain alone, e.g. for ssl_trusted_certificate (mode 0644)"},
    "validate_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Config test run before the reload; [] to skip. Default [\"nginx\", \"-t\"]"},
    "reload_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Reload command; [] to skip. Default [\"systemctl\", \"reload\", \"nginx\"]; e.g. [\"nginx\", \"-s\", \"reload\"] without systemd"},)json",
                                                deploy::kCommonSchemaProperties, R"json(
  }
})json");

const deploy::FileTargetSpec& spec() {
  static const deploy::FileTargetSpec s = [] {
    deploy::FileTargetSpec x;
    x.typeName = "NGINX";
    x.layout = deploy::FileLayout::SeparateFiles;
    x.chainPlacement = deploy::ChainPlacement::AlwaysWithCertificate;
    x.defaultValidate = {"nginx", "-t"};
    x.defaultReload = {"systemctl", "reload", "nginx"};
    return x;
  }();
  return s;
}

// The plugin class: the spec is the whole target.
using NginxTarget = deploy::SpecFileTarget<&spec>;

}  // namespace certctl::targets::nginx

CERTCTL_EXPORT_TARGET(certctl::targets::nginx::NginxTarget, "NGINX", CERTCTL_TARGET_PLUGIN_VERSION,
                      certctl::targets::nginx::kSchema.data())
