#include "core/services/certificate_export.h"

#include "core/domain/errors.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/pkcs12.h"

namespace certctl::services {

using nlohmann::json;
namespace pki = sdk::pki;

namespace {

constexpr size_t kMaxPasswordLength = 1024;

struct SplitChain {
  pki::Certificate leaf;
  std::vector<pki::Certificate> chain;
};

SplitChain split(const json& version) {
  auto certs = pki::Certificate::chainFromPem(version.value("pem_chain", std::string()));
  if (certs.empty()) throw std::runtime_error("stored version has no certificate");
  SplitChain out{certs.front(), {}};
  out.chain.assign(certs.begin() + 1, certs.end());
  return out;
}

}  // namespace

json CertificateExport::latest(const std::string& certificateId) {
  resources_.get(*domain::findResource("certificates"), certificateId);  // 404 unknown
  auto version = store_.latestVersion(certificateId);
  if (!version)
    throw domain::notFound("certificate " + certificateId + " has no issued version to export");
  return *version;
}

void CertificateExport::audit(const std::string& certificateId, const json& version,
                              const std::string& format, const ExportRequester& who, json extra) {
  AuditEvent event;
  event.actor = who.actor;
  event.actorType = who.actorType;
  event.action = "certificate.export";
  event.resourceType = "certificates";
  event.resourceId = certificateId;
  event.requestId = who.requestId;
  event.timestamp = domain::nowRfc3339();
  event.details = {{"format", format},
                   {"version_id", version["id"]},
                   {"serial_number", version["serial_number"]},
                   {"private_key_included", false}};
  if (extra.is_object())
    for (const auto& [key, value] : extra.items()) event.details[key] = value;
  audit_.record(std::move(event), true);
}

json CertificateExport::pem(const std::string& certificateId, const ExportRequester& who) {
  json version = latest(certificateId);
  auto parts = split(version);
  std::string leaf = parts.leaf.toPem();
  std::string chain;
  for (const auto& c : parts.chain) chain += c.toPem();
  json out = {{"certificate_id", certificateId},
              {"version_id", version["id"]},
              {"certificate_pem", leaf},
              {"chain_pem", chain},
              {"full_chain_pem", leaf + chain},
              {"serial_number", version["serial_number"]},
              {"fingerprint_sha256", version["fingerprint_sha256"]},
              {"not_before", version["not_before"]},
              {"not_after", version["not_after"]}};
  audit(certificateId, version, "pem", who);
  return out;
}

CertificateExport::Bundle CertificateExport::pkcs12(const std::string& certificateId,
                                                    const json& body, const ExportRequester& who) {
  std::string password;
  for (const auto& [key, value] : body.items()) {
    if (key != "password") throw domain::badRequest(key, "unknown field: " + key);
    if (!value.is_string()) throw domain::badRequest("password", "password must be a string");
    password = value.get<std::string>();
    if (password.size() > kMaxPasswordLength)
      throw domain::badRequest("password", "password is longer than 1024 characters");
  }
  json version = latest(certificateId);
  auto parts = split(version);
  json certificate = resources_.get(*domain::findResource("certificates"), certificateId);
  std::string friendlyName = certificate.value("name", certificateId);
  Bundle bundle{pki::pkcs12CertificatesDer(parts.leaf, parts.chain, password, friendlyName),
                certificateId + ".p12"};
  audit(certificateId, version, "pkcs12", who, {{"password_protected", !password.empty()}});
  return bundle;
}

}  // namespace certctl::services
