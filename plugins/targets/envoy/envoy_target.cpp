// The Envoy target plugin ("Envoy"): the certificate, key and optionally the
// chain as files in cert_dir, the files Envoy's TLS context names (static
// `filename` references, or a watched directory), and with sds_config an
// SDS file (sds.json) for Envoy's file-based Secret Discovery Service,
// written last so Envoy reloads the secret with the new files in place. No
// reload command by default. Everything but the spec, the schema and the SDS
// document is sdk/deploy.
#include "plugins/targets/envoy/envoy_sds.h"
#include "sdk/deploy/config_fields.h"
#include "sdk/deploy/file_target_plugin.h"
#include "sdk/deploy/schema.h"
#include "sdk/plugin/export.h"

#ifndef CERTCTL_TARGET_PLUGIN_VERSION
#define CERTCTL_TARGET_PLUGIN_VERSION "0.0.0"
#endif

namespace certctl::targets::envoy {

namespace deploy = certctl::sdk::deploy;

constexpr const char* kSdsField = "sds_config";
constexpr const char* kSecretNameField = "sds_secret_name";
constexpr const char* kSdsFile = "sds.json";
constexpr const char* kDefaultSecretName = "server_cert";

constexpr auto kSchema = deploy::concatLiterals(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Envoy",
  "description": "Writes the certificate (followed by its chain unless chain_filename is set), the key and optionally the chain into cert_dir, and with sds_config an sds.json for Envoy's file-based SDS; Envoy picks the files up without a reload. Can check the live endpoint; any failure restores the previous files.",
  "type": "object",
  "required": ["cert_dir"],
  "properties": {
    "cert_dir": {"type": "string", "description": "Directory of the files Envoy reads"},
    "cert_filename": {"type": "string", "default": "cert.pem", "description": "Certificate, followed by the chain unless chain_filename is set (mode 0644)"},
    "key_filename": {"type": "string", "default": "key.pem", "description": "Private key (mode 0600)"},
    "chain_filename": {"type": "string", "description": "Optional: the chain in its own file (mode 0644); cert_filename then holds the certificate alone"},
    "sds_config": {"type": "boolean", "default": false,
      "description": "Also write cert_dir/sds.json: a tls.v3.Secret whose tls_certificate names cert_filename and key_filename, for a path_config_source SDS config"},
    "sds_secret_name": {"type": "string", "default": "server_cert",
      "description": "The Secret's name in sds.json (what sds_config.name refers to)"},
    "validate_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Optional check run after the files are written; none by default"},
    "reload_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Optional; none by default (SDS and watched directories need none)"},)json",
                                                deploy::kCommonSchemaProperties, R"json(
  }
})json");

void parseSds(const nlohmann::json& config, deploy::FileTargetConfig& parsed) {
  const bool sds = deploy::boolField(config, kSdsField, kSdsField).value_or(false);
  auto name = deploy::stringField(config, kSecretNameField, kSecretNameField);
  if (!sds) {
    if (name) parsed.warnings.push_back("sds_secret_name is ignored without sds_config");
    return;
  }
  const std::string secretName = name && !name->empty() ? *name : kDefaultSecretName;
  if (secretName.size() > 256 ||
      secretName.find_first_of(std::string("\0\n\r", 3)) != std::string::npos)
    throw deploy::DeployError::invalidConfig(kSecretNameField,
                                             "must be a single line of at most 256 bytes");
  if (parsed.chainPath)
    parsed.warnings.push_back(
        "with chain_filename, the certificate_chain sds.json names holds the certificate alone: "
        "Envoy then sends no intermediates");
  parsed.companionFiles.push_back({kSdsField, parsed.certPath.parent_path() / kSdsFile,
                                   sdsDocument(secretName, parsed.certPath, parsed.keyPath),
                                   deploy::kCertificateMode});
}

const deploy::FileTargetSpec& spec() {
  static const deploy::FileTargetSpec s = [] {
    deploy::FileTargetSpec x;
    x.typeName = "Envoy";
    x.layout = deploy::FileLayout::DirectoryFiles;
    x.certFileField = "cert_filename";
    x.keyFileField = "key_filename";
    x.chainFileField = "chain_filename";
    x.defaultCertFile = "cert.pem";
    x.defaultKeyFile = "key.pem";
    x.extraFields = {kSdsField, kSecretNameField};
    x.parseCompanions = parseSds;
    return x;
  }();
  return s;
}

// The plugin class: the spec is the whole target.
using EnvoyTarget = deploy::SpecFileTarget<&spec>;

}  // namespace certctl::targets::envoy

CERTCTL_EXPORT_TARGET(certctl::targets::envoy::EnvoyTarget, "Envoy", CERTCTL_TARGET_PLUGIN_VERSION,
                      certctl::targets::envoy::kSchema.data())
