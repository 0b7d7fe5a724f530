// The Traefik target plugin ("Traefik"): Traefik's file provider. The
// certificate (with its chain) and key go into cert_dir, the directory the
// provider watches (providers.file.directory), followed by a dynamic
// configuration file listing them under tls.certificates; Traefik notices
// the change itself, so there is no reload command. Optional config test
// and live check as for every file target. Everything but the spec, the
// schema and the dynamic config text is sdk/deploy.
#include "plugins/targets/traefik/traefik_dynamic_config.h"
#include "sdk/deploy/config_fields.h"
#include "sdk/deploy/file_target_plugin.h"
#include "sdk/deploy/schema.h"
#include "sdk/plugin/export.h"

#ifndef CERTCTL_TARGET_PLUGIN_VERSION
#define CERTCTL_TARGET_PLUGIN_VERSION "0.0.0"
#endif

namespace certctl::targets::traefik {

namespace deploy = certctl::sdk::deploy;

constexpr const char* kDynamicConfigField = "dynamic_config_file";
constexpr const char* kDefaultDynamicConfig = "certctl-tls.yml";

constexpr auto kSchema = deploy::concatLiterals(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Traefik",
  "description": "Writes the certificate (followed by its chain) and the key into the directory Traefik's file provider watches, then a dynamic configuration file listing them under tls.certificates; Traefik reloads by itself. Can check the live endpoint; any failure restores the previous files.",
  "type": "object",
  "required": ["cert_dir"],
  "properties": {
    "cert_dir": {"type": "string", "description": "The directory Traefik's file provider watches (providers.file.directory)"},
    "cert_file": {"type": "string", "default": "site.crt", "description": "Certificate followed by the chain (mode 0644)"},
    "key_file": {"type": "string", "default": "site.key", "description": "Private key (mode 0600)"},
    "dynamic_config_file": {"type": "string", "default": "certctl-tls.yml",
      "description": "Dynamic configuration written into cert_dir (mode 0644): .yml/.yaml for YAML, .toml for TOML; \"\" to write none (your own dynamic config then names the files)"},
    "validate_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Optional check run after the files are written; none by default"},
    "reload_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Optional; none by default: Traefik watches the directory"},)json",
                                                deploy::kCommonSchemaProperties, R"json(
  }
})json");

void parseDynamicConfig(const nlohmann::json& config, deploy::FileTargetConfig& parsed) {
  auto name = deploy::stringField(config, kDynamicConfigField, kDynamicConfigField);
  if (name && name->empty()) return;  // explicitly none
  const std::string file = name.value_or(kDefaultDynamicConfig);
  if (file.size() > 255 || file.find_first_of(std::string("/\0", 2)) != std::string::npos ||
      file.front() == '.')
    throw deploy::DeployError::invalidConfig(
        kDynamicConfigField, "must be a plain file name inside cert_dir, got \"" + file + "\"");
  const DynamicConfigFormat format = formatOf(file, kDynamicConfigField);
  parsed.companionFiles.push_back({kDynamicConfigField, parsed.certPath.parent_path() / file,
                                   dynamicConfig(format, parsed.certPath, parsed.keyPath),
                                   deploy::kCertificateMode});
}

const deploy::FileTargetSpec& spec() {
  static const deploy::FileTargetSpec s = [] {
    deploy::FileTargetSpec x;
    x.typeName = "Traefik";
    x.layout = deploy::FileLayout::DirectoryFiles;
    x.defaultCertFile = "site.crt";
    x.defaultKeyFile = "site.key";
    x.extraFields = {kDynamicConfigField};
    x.parseCompanions = parseDynamicConfig;
    return x;
  }();
  return s;
}

// The plugin class: the spec is the whole target.
using TraefikTarget = deploy::SpecFileTarget<&spec>;

}  // namespace certctl::targets::traefik

CERTCTL_EXPORT_TARGET(certctl::targets::traefik::TraefikTarget, "Traefik",
                      CERTCTL_TARGET_PLUGIN_VERSION, certctl::targets::traefik::kSchema.data())
