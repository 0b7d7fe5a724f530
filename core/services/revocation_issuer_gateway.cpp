#include "core/services/revocation_issuer_gateway.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/domain/errors.h"
#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_instances.h"
#include "core/services/crl_request.h"
#include "core/services/issuer_registry.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"

using nlohmann::json;

namespace certctl::services {

namespace {

std::string decodedField(const json& result, const char* field, const std::string& issuerId) {
  auto it = result.find(field);
  if (it == result.end() || !it->is_string())
    throw plugins::PluginCallError(CERTCTL_INTERNAL,
                                   "issuer " + issuerId + " returned no " + std::string(field));
  try {
    return sdk::pki::base64Decode(it->get<std::string>(), field);
  } catch (const std::exception& e) {
    throw plugins::PluginCallError(
        CERTCTL_INTERNAL, "issuer " + issuerId + " returned bad " + field + ": " + e.what());
  }
}

}  // namespace

RevocationIssuerGateway::Availability RegistryIssuerGateway::availability(
    const std::string& issuerId, const std::string& operation) {
  if (!isValidId(issuerId)) return Availability::UnknownIssuer;
  try {
    auto entry = registry_.get(issuerId);
    if (!entry.plugin) return Availability::Unavailable;
    // A plugin may sign CRLs through either slot (generate_crl_compact: ABI 1.1).
    const bool supported =
        entry.plugin->supports(operation) ||
        (operation == "generate_crl" && entry.plugin->supports("generate_crl_compact"));
    return supported ? Availability::Available : Availability::Unavailable;
  } catch (const domain::ApiError& e) {
    if (e.kind() == domain::ErrorKind::NotFound) return Availability::UnknownIssuer;
    return Availability::Unavailable;
  } catch (const std::exception& e) {
    spdlog::warn("issuer {}: cannot make an instance: {}", issuerId, e.what());
    return Availability::Unavailable;
  }
}

void RegistryIssuerGateway::revoke(const std::string& issuerId, const std::string& serial,
                                   const std::string& reason) {
  registry_.get(issuerId).plugin->revoke({{"serial", serial}, {"reason", reason}});
}

std::string RegistryIssuerGateway::generateCrl(const std::string& issuerId,
                                               const CrlEntryList& entries, long long crlNumber,
                                               const std::string& thisUpdate,
                                               const std::string& nextUpdate) {
  auto plugin = registry_.get(issuerId).plugin;
  return generateCrlDer(*plugin, issuerId, entries, crlNumber, thisUpdate, nextUpdate);
}

std::string RegistryIssuerGateway::signOcsp(const std::string& issuerId, const OcspSignRequest& r) {
  auto plugin = registry_.get(issuerId).plugin;
  json request = {{"serial", r.serial},
                  {"status", r.status},
                  {"this_update", r.thisUpdate},
                  {"next_update", r.nextUpdate},
                  {"hash_algorithm", r.hashAlgorithm}};
  if (r.status == "revoked") {
    request["revoked_at"] = r.revokedAt;
    request["reason"] = r.reason;
  }
  if (!r.nonce.empty()) request["nonce_base64"] = sdk::pki::base64Encode(r.nonce);
  return decodedField(plugin->signOcsp(request), "response_der_base64", issuerId);
}

std::string RegistryIssuerGateway::caCertificatePem(const std::string& issuerId) {
  std::string chain = registry_.caChainPem(issuerId);
  if (chain.empty()) return {};
  return sdk::pki::Certificate::fromPem(chain).toPem();
}

}  // namespace certctl::services
