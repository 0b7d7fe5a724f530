// The Apache httpd target plugin ("Apache"): certificate, chain (separate
// with chain_path, else appended to the certificate) and key files,
// `apachectl configtest`, graceful reload, optional live check. Everything
// but the spec and the schema is sdk/deploy.
#include "sdk/deploy/file_target_plugin.h"
#include "sdk/deploy/schema.h"
#include "sdk/plugin/export.h"

#ifndef CERTCTL_TARGET_PLUGIN_VERSION
#define CERTCTL_TARGET_PLUGIN_VERSION "0.0.0"
#endif

namespace certctl::targets::apache {

namespace deploy = certctl::sdk::deploy;

constexpr auto kSchema = deploy::concatLiterals(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Apache httpd",
  "description": "Writes the certificate, chain and key files of SSLCertificateFile / SSLCertificateChainFile / SSLCertificateKeyFile, runs the config test, reloads Apache gracefully and can check the live endpoint. Any failure restores the previous files.",
  "type": "object",
  "required": ["cert_path", "key_path"],
  "properties": {
    "cert_path": {"type": "string", "description": "SSLCertificateFile: the certificate, followed by the chain when chain_path is not set (mode 0644)"},
    "key_path": {"type": "string", "description": "SSLCertificateKeyFile (mode 0600)"},
    "chain_path": {"type": "string", "description": "Optional SSLCertificateChainFile: the chain alone (mode 0644)"},
    "validate_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Config test run before the reload; [] to skip. Default [\"apachectl\", \"configtest\"]"},
    "reload_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Reload command; [] to skip. Default [\"apachectl\", \"graceful\"]"},)json",
                                                deploy::kCommonSchemaProperties, R"json(
  }
})json");

const deploy::FileTargetSpec& spec() {
  static const deploy::FileTargetSpec s = [] {
    deploy::FileTargetSpec x;
    x.typeName = "Apache";
    x.layout = deploy::FileLayout::SeparateFiles;
    x.chainPlacement = deploy::ChainPlacement::SeparateWhenChainPathSet;
    x.defaultValidate = {"apachectl", "configtest"};
    x.defaultReload = {"apachectl", "graceful"};
    return x;
  }();
  return s;
}

// The plugin class: the spec is the whole target.
using ApacheTarget = deploy::SpecFileTarget<&spec>;

}  // namespace certctl::targets::apache

CERTCTL_EXPORT_TARGET(certctl::targets::apache::ApacheTarget, "Apache",
                      CERTCTL_TARGET_PLUGIN_VERSION, certctl::targets::apache::kSchema.data())
