#include "script_issuer.h"

#include <algorithm>

#include "revoke_fields.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/certificate_summary.h"
#include "sdk/pki/crl.h"
#include "sdk/plugin/export.h"
#include "sdk/plugin/host.h"

#ifndef CERTCTL_SCRIPT_ISSUER_VERSION
#define CERTCTL_SCRIPT_ISSUER_VERSION "0.0.0"
#endif

namespace certctl::script_issuer {

using nlohmann::json;

namespace {

constexpr const char kConfigSchema[] = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "OpenSSL / custom CA (script)",
  "description": "Signs with your own CA tooling through Lua hooks in the server's hook directory (docs/script-issuer.md).",
  "type": "object",
  "required": ["sign_script"],
  "properties": {
    "sign_script": {"type": "string", "description": "Hook with sign(args), e.g. ca/openssl-ca.lua"},
    "revoke_script": {"type": "string", "description": "Hook with revoke(args); the serial is hex-validated first"},
    "crl_script": {"type": "string", "description": "Hook with crl(args) returning {crl_pem} or {crl_der_base64}"},
    "timeout_seconds": {"type": "integer", "minimum": 1, "maximum": 3600, "default": 30},
    "validity_days": {"type": "integer", "minimum": 1, "maximum": 3650, "default": 90},
    "script_args": {"type": "object", "description": "Handed to every hook as args.config (e.g. ca_dir)"}
  }
})json";

std::string stringOf(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

ScriptIssuer::ScriptIssuer(const json& config) : config_(ScriptIssuerConfig::parse(config)) {}

void ScriptIssuer::validateConfig(const json& config) { ScriptIssuerConfig::parse(config); }

json ScriptIssuer::callHook(const std::string& hook, const char* function, json args) {
  args["config"] = config_.scriptArgs;
  json reply = sdk::runLuaHook(hook, function, args, config_.timeoutSeconds);
  return reply.value("result", json());
}

json ScriptIssuer::issue(const json& request) {
  long long ttl = static_cast<long long>(config_.validityDays) * 86400;
  if (auto it = request.find("max_ttl_seconds"); it != request.end() && it->is_number_integer())
    ttl = std::min(ttl, it->get<long long>());
  if (auto it = request.find("ttl_seconds"); it != request.end() && it->is_number_integer())
    ttl = std::min(ttl, it->get<long long>());
  json args = {{"csr_pem", stringOf(request, "csr_pem")},
               {"common_name", stringOf(request, "common_name")},
               {"sans", request.value("sans", json::array())},
               {"ttl_seconds", ttl},
               {"validity_days", std::max<long long>(1, ttl / 86400)},
               {"ekus", request.value("ekus", json::array())}};
  json result = callHook(config_.signScript, "sign", std::move(args));
  if (!result.is_object())
    throw sdk::PluginError::internal("sign: the script must return {certificate_pem, chain_pem}");
  std::string certPem = stringOf(result, "certificate_pem");
  try {
    auto summary = sdk::pki::summarize(sdk::pki::Certificate::fromPem(certPem));
    return {{"cert_pem", certPem},
            {"chain_pem", stringOf(result, "chain_pem")},
            {"serial", summary.serialNumber},
            {"not_before", summary.notBefore},
            {"not_after", summary.notAfter}};
  } catch (const std::exception& e) {
    throw sdk::PluginError::internal(std::string("sign: the script returned no readable "
                                                 "certificate_pem: ") +
                                     e.what());
  }
}

json ScriptIssuer::revoke(const json& request) {
  json args = validatedRevocation(request);  // before any script sees it
  if (config_.revokeScript.empty()) return json::object();
  callHook(config_.revokeScript, "revoke", std::move(args));
  return json::object();
}

json ScriptIssuer::generateCrl(const json& request) {
  if (config_.crlScript.empty())
    throw sdk::PluginError::unsupported("no crl_script configured for this issuer");
  json args = {{"crl_number", request.value("crl_number", json())},
               {"this_update", request.value("this_update", json())},
               {"next_update", request.value("next_update", json())},
               {"revoked", request.value("revoked", json::array())}};
  json result = callHook(config_.crlScript, "crl", std::move(args));
  if (!result.is_object()) throw sdk::PluginError::unsupported("the crl script returned no CRL");
  if (std::string der = stringOf(result, "crl_der_base64"); !der.empty())
    return {{"crl_der_base64", der}};
  if (std::string pem = stringOf(result, "crl_pem"); !pem.empty()) {
    try {
      return {{"crl_der_base64", sdk::pki::base64Encode(sdk::pki::Crl::fromPem(pem).toDer())}};
    } catch (const std::exception& e) {
      throw sdk::PluginError::internal(std::string("crl: unreadable crl_pem: ") + e.what());
    }
  }
  throw sdk::PluginError::unsupported("the crl script returned no CRL");
}

}  // namespace certctl::script_issuer

CERTCTL_EXPORT_ISSUER(certctl::script_issuer::ScriptIssuer, "OpenSSL",
                      CERTCTL_SCRIPT_ISSUER_VERSION, certctl::script_issuer::kConfigSchema)
