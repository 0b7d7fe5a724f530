#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/services/audit_log.h"
#include "core/services/lifecycle_store.h"
#include "core/services/resource_service.h"

namespace certctl::services {

// Who asked for an export; it goes into the typed audit event.
struct ExportRequester {
  std::string actor = "anonymous";
  std::string actorType = "api_key";
  std::string requestId;
};

// Certificate export (seed 001 "Certificate Export"): the latest issued
// version as PEM or as a PKCS#12 bundle, certificate and chain only. The
// server never exports a private key, not even a demo server-made one.
// Every export is recorded as an audit event "certificate.export" on top of
// the HTTP pipeline's request record.
class CertificateExport {
 public:
  CertificateExport(ResourceService& resources, LifecycleStore& store, AuditLog& audit)
      : resources_(resources), store_(store), audit_(audit) {}

  // {certificate_id, version_id, certificate_pem, chain_pem, full_chain_pem,
  //  serial_number, fingerprint_sha256, not_before, not_after}.
  // 404 for an unknown certificate or one without an issued version.
  nlohmann::json pem(const std::string& certificateId, const ExportRequester& who);

  struct Bundle {
    std::string der;
    std::string fileName;  // "<certificate id>.p12"
  };
  // `body`: {} or {"password": "..."} (empty password: no encryption, no MAC).
  Bundle pkcs12(const std::string& certificateId, const nlohmann::json& body,
                const ExportRequester& who);

 private:
  nlohmann::json latest(const std::string& certificateId);
  void audit(const std::string& certificateId, const nlohmann::json& version,
             const std::string& format, const ExportRequester& who, nlohmann::json extra = {});

  ResourceService& resources_;
  LifecycleStore& store_;
  AuditLog& audit_;
};

}  // namespace certctl::services
