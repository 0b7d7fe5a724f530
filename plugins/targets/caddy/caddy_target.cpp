// The Caddy target plugin ("Caddy"), file mode: the certificate (with its
// chain) and key written into cert_dir for a `tls <cert_file> <key_file>`
// site, `caddy validate`, `caddy reload --force` (Caddy does not watch
// certificate files), optional live check. The admin-API mode of the
// original product is not implemented yet and is refused. Everything but the
// spec and the schema is sdk/deploy.
#include "sdk/deploy/file_target_plugin.h"
#include "sdk/deploy/schema.h"
#include "sdk/plugin/export.h"

#ifndef CERTCTL_TARGET_PLUGIN_VERSION
#define CERTCTL_TARGET_PLUGIN_VERSION "0.0.0"
#endif

namespace certctl::targets::caddy {

namespace deploy = certctl::sdk::deploy;

constexpr auto kSchema = deploy::concatLiterals(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Caddy (file mode)",
  "description": "Writes the certificate (followed by its chain) and the key into cert_dir for a site configured with `tls <cert_file> <key_file>`, validates the Caddyfile, reloads Caddy and can check the live endpoint. Any failure restores the previous files. The admin-API mode is not supported yet.",
  "type": "object",
  "required": ["cert_dir"],
  "properties": {
    "mode": {"type": "string", "enum": ["file"], "default": "file", "description": "Only \"file\" is supported"},
    "admin_api": {"type": "string", "description": "Ignored in file mode"},
    "cert_dir": {"type": "string", "description": "Directory of the certificate and key files"},
    "cert_file": {"type": "string", "default": "site.crt", "description": "Certificate followed by the chain (mode 0644)"},
    "key_file": {"type": "string", "default": "site.key", "description": "Private key (mode 0600)"},
    "validate_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Config test run before the reload; [] to skip. Default [\"caddy\", \"validate\", \"--config\", \"/etc/caddy/Caddyfile\"]"},
    "reload_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Reload command; [] to skip. Default [\"caddy\", \"reload\", \"--config\", \"/etc/caddy/Caddyfile\", \"--force\"] (--force: the config text is unchanged, only the files are new)"},)json",
                                                deploy::kCommonSchemaProperties, R"json(
  }
})json");

const deploy::FileTargetSpec& spec() {
  static const deploy::FileTargetSpec s = [] {
    deploy::FileTargetSpec x;
    x.typeName = "Caddy";
    x.layout = deploy::FileLayout::DirectoryFiles;
    x.defaultCertFile = "site.crt";
    x.defaultKeyFile = "site.key";
    x.defaultValidate = {"caddy", "validate", "--config", "/etc/caddy/Caddyfile"};
    x.defaultReload = {"caddy", "reload", "--config", "/etc/caddy/Caddyfile", "--force"};
    x.mode = "file";
    x.modeHint = "; the admin-API mode (\"api\") is not supported yet";
    x.extraFields = {"admin_api"};
    return x;
  }();
  return s;
}

class CaddyTarget : public deploy::FileTargetPlugin {
 public:
  explicit CaddyTarget(const nlohmann::json& config) : FileTargetPlugin(spec(), config) {}
  static nlohmann::json validateConfig(const nlohmann::json& config) {
    return checkConfig(spec(), config);
  }
};

}  // namespace certctl::targets::caddy

CERTCTL_EXPORT_TARGET(certctl::targets::caddy::CaddyTarget, "Caddy", CERTCTL_TARGET_PLUGIN_VERSION,
                      certctl::targets::caddy::kSchema.data())
