// The Caddy target plugin ("Caddy"), in the original product's two modes:
//  - "file" (the default): the certificate (with its chain) and key written
//    into cert_dir for a `tls <cert_file> <key_file>` site, `caddy validate`,
//    `caddy reload --force` (Caddy does not watch certificate files),
//    optional live check; all of it sdk/deploy;
//  - "api": the certificate loaded into the running Caddy through its admin
//    API (caddy_admin_target.h), no files and no commands.
#include <memory>

#include "plugins/targets/caddy/caddy_admin_target.h"
#include "sdk/deploy/config_fields.h"
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
  "title": "Caddy",
  "description": "File mode: writes the certificate (followed by its chain) and the key into cert_dir for a site configured with `tls <cert_file> <key_file>`, validates the Caddyfile, reloads Caddy and can check the live endpoint; any failure restores the previous files. API mode: loads the certificate and key into the running Caddy's config (apps.tls.certificates.load_pem, tagged with the certificate id) through its admin API with If-Match, can check the live endpoint, and restores the previous config if that check fails.",
  "type": "object",
  "properties": {
    "mode": {"type": "string", "enum": ["file", "api"], "default": "file"},
    "admin_api": {"type": "string", "default": "http://localhost:2019",
      "description": "API mode: Caddy's admin endpoint, http:// on a loopback address (the private key is sent in the request)"},
    "allow_remote_admin_api": {"type": "boolean", "default": false,
      "description": "API mode: accept an admin_api host that is not loopback (the key then crosses the network in clear text)"},
    "admin_timeout_seconds": {"type": "number", "minimum": 1, "maximum": 600, "default": 30,
      "description": "API mode: longest admin request"},
    "cert_dir": {"type": "string", "description": "File mode (required there): directory of the certificate and key files"},
    "cert_file": {"type": "string", "default": "site.crt", "description": "File mode: certificate followed by the chain (mode 0644)"},
    "key_file": {"type": "string", "default": "site.key", "description": "File mode: private key (mode 0600)"},
    "validate_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "File mode: config test run before the reload; [] to skip. Default [\"caddy\", \"validate\", \"--config\", \"/etc/caddy/Caddyfile\"]"},
    "reload_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "File mode: reload command; [] to skip. Default [\"caddy\", \"reload\", \"--config\", \"/etc/caddy/Caddyfile\", \"--force\"] (--force: the config text is unchanged, only the files are new)"},)json",
                                                deploy::kCommonSchemaProperties, R"json(
  },
  "if": {"properties": {"mode": {"const": "api"}}, "required": ["mode"]},
  "else": {"required": ["cert_dir"]}
})json");

const deploy::FileTargetSpec& fileSpec() {
  static const deploy::FileTargetSpec s = [] {
    deploy::FileTargetSpec x;
    x.typeName = "Caddy";
    x.layout = deploy::FileLayout::DirectoryFiles;
    x.defaultCertFile = "site.crt";
    x.defaultKeyFile = "site.key";
    x.defaultValidate = {"caddy", "validate", "--config", "/etc/caddy/Caddyfile"};
    x.defaultReload = {"caddy", "reload", "--config", "/etc/caddy/Caddyfile", "--force"};
    x.mode = "file";  // apiMode() has sent "api" elsewhere
    x.extraFields = {"admin_api", "allow_remote_admin_api", "admin_timeout_seconds"};
    return x;
  }();
  return s;
}

// "api" selects the admin-API mode, "file" (or nothing) the file mode.
bool apiMode(const nlohmann::json& config) {
  try {
    if (!config.is_object()) return false;  // the file mode's parse says what is wrong
    const std::string mode = deploy::stringField(config, "mode", "mode").value_or("");
    if (mode == "api") return true;
    if (mode.empty() || mode == "file") return false;
    throw deploy::DeployError::invalidConfig(
        "mode", "must be \"file\" or \"api\" for the Caddy target, got \"" + mode + "\"");
  } catch (const deploy::DeployError& e) {
    throw deploy::toPluginError(e);
  }
}

class CaddyTarget : public sdk::Target {
 public:
  explicit CaddyTarget(const nlohmann::json& config) : impl_(makeImpl(config)) {}

  static nlohmann::json validateConfig(const nlohmann::json& config) {
    if (!apiMode(config)) return deploy::FileTargetPlugin::checkConfig(fileSpec(), config);
    CaddyAdminConfig parsed = parseAdmin(config);
    if (parsed.warnings.empty()) return nlohmann::json::object();
    return {{"warnings", parsed.warnings}};
  }

  nlohmann::json deploy(const nlohmann::json& request) override { return impl_->deploy(request); }
  nlohmann::json validateDeployment(const nlohmann::json& request) override {
    return impl_->validateDeployment(request);
  }

 private:
  static CaddyAdminConfig parseAdmin(const nlohmann::json& config) {
    try {
      return CaddyAdminConfig::parse(config);
    } catch (const deploy::DeployError& e) {
      throw deploy::toPluginError(e);
    }
  }

  static std::unique_ptr<sdk::Target> makeImpl(const nlohmann::json& config) {
    if (apiMode(config)) return std::make_unique<CaddyAdminTarget>(parseAdmin(config));
    return std::make_unique<deploy::FileTargetPlugin>(fileSpec(), config);
  }

  std::unique_ptr<sdk::Target> impl_;
};

}  // namespace certctl::targets::caddy

CERTCTL_EXPORT_TARGET(certctl::targets::caddy::CaddyTarget, "Caddy", CERTCTL_TARGET_PLUGIN_VERSION,
                      certctl::targets::caddy::kSchema.data())
