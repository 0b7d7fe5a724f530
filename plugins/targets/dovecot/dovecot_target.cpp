// The Dovecot target plugin ("Dovecot"): certificate (chain appended unless
// chain_path is set) and key files for ssl_cert / ssl_key, `doveconf -n`,
// `doveadm reload`, optional live check (IMAPS, or IMAP with STARTTLS). Everything but the spec and
// the schema is sdk/deploy.
#include "sdk/deploy/file_target_plugin.h"
#include "sdk/deploy/schema.h"
#include "sdk/plugin/export.h"

#ifndef CERTCTL_TARGET_PLUGIN_VERSION
#define CERTCTL_TARGET_PLUGIN_VERSION "0.0.0"
#endif

namespace certctl::targets::dovecot {

namespace deploy = certctl::sdk::deploy;

constexpr auto kSchema = deploy::concatLiterals(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Dovecot",
  "description": "Writes the certificate and key files of ssl_cert / ssl_key (as ssl_cert = <file), runs `doveconf -n`, reloads Dovecot and can check the live endpoint (IMAPS, or STARTTLS). Any failure restores the previous files.",
  "type": "object",
  "properties": {
    "mode": {"type": "string", "enum": ["dovecot"], "description": "Accepted for compatibility with the dual-mode mail connector; Postfix is its own target type"},
    "cert_path": {"type": "string", "default": "/etc/dovecot/certs/cert.pem", "description": "The certificate, followed by the chain when chain_path is not set (mode 0644)"},
    "key_path": {"type": "string", "default": "/etc/dovecot/certs/key.pem", "description": "The private key (mode 0600)"},
    "chain_path": {"type": "string", "description": "Optional: the chain in its own file (mode 0644)"},
    "validate_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Config test run before the reload; [] to skip. Default [\"doveconf\", \"-n\"]"},
    "reload_command": {)json",
                                                deploy::kCommandSchemaTypes, R"json(,
      "description": "Reload command; [] to skip. Default [\"doveadm\", \"reload\"]"},)json",
                                                deploy::kCommonSchemaProperties, R"json(
  }
})json");

const deploy::FileTargetSpec& spec() {
  static const deploy::FileTargetSpec s = [] {
    deploy::FileTargetSpec x;
    x.typeName = "Dovecot";
    x.layout = deploy::FileLayout::SeparateFiles;
    x.chainPlacement = deploy::ChainPlacement::SeparateWhenChainPathSet;
    x.defaultCertPath = "/etc/dovecot/certs/cert.pem";
    x.defaultKeyPath = "/etc/dovecot/certs/key.pem";
    x.defaultValidate = {"doveconf", "-n"};
    x.defaultReload = {"doveadm", "reload"};
    x.mode = "dovecot";
    x.modeHint = "; Postfix is a target type of its own";
    return x;
  }();
  return s;
}

// The plugin class: the spec is the whole target.
using DovecotTarget = deploy::SpecFileTarget<&spec>;

}  // namespace certctl::targets::dovecot

CERTCTL_EXPORT_TARGET(certctl::targets::dovecot::DovecotTarget, "Dovecot",
                      CERTCTL_TARGET_PLUGIN_VERSION, certctl::targets::dovecot::kSchema.data())
