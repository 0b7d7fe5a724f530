#include "local_ca_issuer.h"

#include <chrono>

#include "config_schema.h"
#include "crl_signer.h"
#include "issuance.h"
#include "sdk/plugin/export.h"
#include "time_format.h"

#ifndef CERTCTL_LOCAL_CA_VERSION
#define CERTCTL_LOCAL_CA_VERSION "0.0.0"
#endif

namespace certctl::local_ca {

using nlohmann::json;

LocalCaIssuer::LocalCaIssuer(const json& config)
    : config_(LocalCaConfig::parse(config)),
      ca_(loadCa(config_)),
      chainPem_(ca_.chainPem()),
      ocsp_(ca_, config_) {}

json LocalCaIssuer::validateConfig(const json& config) {
  const LocalCaConfig parsed = LocalCaConfig::parse(config);
  json warnings = json::array();
  if (parsed.subCa()) {
    for (auto& w : caWarnings(loadSubCa(parsed), parsed)) warnings.push_back(std::move(w));
  }
  if (parsed.ocspRotationGrace >= std::chrono::days(parsed.ocspResponderValidityDays)) {
    warnings.push_back(
        "ocsp_responder_rotation_grace_seconds is not shorter than ocsp_responder_validity_days: "
        "the OCSP responder certificate is replaced on every signature");
  }
  return warnings.empty() ? json::object() : json{{"warnings", warnings}};
}

json LocalCaIssuer::issue(const json& request) {
  return issueCertificate(ca_, chainPem_, config_, request);
}

json LocalCaIssuer::revoke(const json&) { return json::object(); }

json LocalCaIssuer::generateCrl(const json& request) { return local_ca::generateCrl(ca_, request); }

json LocalCaIssuer::generateCrlCompact(const json& request) {
  return local_ca::generateCrlCompact(ca_, request);
}

json LocalCaIssuer::signOcsp(const json& request) { return ocsp_.sign(request); }

json LocalCaIssuer::getCaChain(const json&) { return {{"chain_pem", chainPem_}}; }

json LocalCaIssuer::testConnection(const json&) {
  const auto notAfter = ca_.cert.notAfter();
  const bool valid = std::chrono::system_clock::now() < notAfter;
  return {
      {"ok", valid},
      {"message", "CA " + ca_.cert.subjectString() + (valid ? " valid until " : " expired on ") +
                      formatRfc3339(notAfter) + ", mode " + std::string(modeName(ca_.mode))}};
}

}  // namespace certctl::local_ca

CERTCTL_EXPORT_ISSUER(certctl::local_ca::LocalCaIssuer, "GenericCA", CERTCTL_LOCAL_CA_VERSION,
                      certctl::local_ca::kConfigSchema)
