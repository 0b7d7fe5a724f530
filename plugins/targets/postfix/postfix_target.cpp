// The Postfix target plugin ("Postfix"): certificate (chain appended unless
// chain_path is set) and key files for smtpd_tls_cert_file /
// smtpd_tls_key_file, `postfix check`, `postfix reload`, optional live check
// over STARTTLS. Everything but the spec and the schema is sdk/deploy.
#include "sdk/deploy/file_target_plugin.h"
#include "sdk/deploy/schema.h"
#include "sdk/plugin/export.h"

#ifndef CERTCTL_TARGET_PLUGIN_VERSION
#define CERTCTL_TARGET_PLUGIN_VERSION "0.0.0"
#endif

namespace certctl::targets::postfix {

namespace deploy = certctl::sdk::deploy;

constexpr auto kSchema = deploy::concatLiterals(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Postfix",
  "description": "Writes the certificate and key files of smtpd_tls_cert_file / smtpd_tls_key_file, runs `postfix check`, reloads Postfix and can check the live endpoint over STARTTLS. Any failure restores the previous files.",
  "type": "object",
  "properties": {
    "mode": {"type": "string", "enum": ["postfix"], "description": "Accepted for compatibility with the dual-mode mail connector; Dovecot is its own target type"},
    "cert_path": {"type": "string", "default": "/etc/postfix/certs/cert.pem", "description": "The certificate, followed by the chain when chain_path is not set (mode 0644)"},
    "key_path": {"type": "string", "default": "/etc/postfix/certs/key.pem", "description": "The private key (mode 0600)"},
    "chain_path": {"type": "string", "description": "Optional: the chain in its own file (mode 0644)"},
    "validate_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Config test run before the reload; [] to skip. Default [\"postfix\", \"check\"]"},
    "reload_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Reload command; [] to skip. Default [\"postfix\", \"reload\"]"},)json",
                                                deploy::kCommonSchemaProperties, R"json(
  }
})json");

const deploy::FileTargetSpec& spec() {
  static const deploy::FileTargetSpec s = [] {
    deploy::FileTargetSpec x;
    x.typeName = "Postfix";
    x.layout = deploy::FileLayout::SeparateFiles;
    x.chainPlacement = deploy::ChainPlacement::SeparateWhenChainPathSet;
    x.defaultCertPath = "/etc/postfix/certs/cert.pem";
    x.defaultKeyPath = "/etc/postfix/certs/key.pem";
    x.defaultValidate = {"postfix", "check"};
    x.defaultReload = {"postfix", "reload"};
    x.mode = "postfix";
    x.modeHint = "; Dovecot is a target type of its own";
    return x;
  }();
  return s;
}

// The plugin class: the spec is the whole target.
using PostfixTarget = deploy::SpecFileTarget<&spec>;

}  // namespace certctl::targets::postfix

CERTCTL_EXPORT_TARGET(certctl::targets::postfix::PostfixTarget, "Postfix",
                      CERTCTL_TARGET_PLUGIN_VERSION, certctl::targets::postfix::kSchema.data())
