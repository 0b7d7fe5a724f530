#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/services/revocation_store.h"

namespace certctl::services {

class IssuerRegistry;

// What revocation, CRL and OCSP need from an issuer, as plain calls: the
// issuer plugins' revoke / generate_crl / sign_ocsp / get_ca_chain
// (plugin-api/certctl/issuer_v1.h). An interface so the services are tested
// with a fake CA; RegistryIssuerGateway is the real one.
class RevocationIssuerGateway {
 public:
  enum class Availability { UnknownIssuer, Unavailable, Available };

  struct OcspSignRequest {
    std::string serial;         // uppercase hex
    std::string status;         // "good" | "revoked" | "unknown"
    std::string revokedAt;      // revoked only
    std::string reason;         // revoked only
    std::string thisUpdate;     // RFC 3339
    std::string nextUpdate;     // RFC 3339
    std::string nonce;          // raw extnValue octets to echo; "" = none
    std::string hashAlgorithm;  // CertID digest to answer with ("SHA1", "SHA256")
  };

  virtual ~RevocationIssuerGateway() = default;

  // Whether `issuerId` exists, is usable, and its plugin has `operation`
  // ("revoke", "generate_crl", "sign_ocsp"; "generate_crl" is also met by
  // generate_crl_compact alone). Never throws for an unknown id.
  virtual Availability availability(const std::string& issuerId, const std::string& operation) = 0;

  // Throws on failure (PluginCallError or domain errors).
  virtual void revoke(const std::string& issuerId, const std::string& serial,
                      const std::string& reason) = 0;
  // The DER CRL (through generate_crl_compact when the plugin has it:
  // services/crl_request.h).
  virtual std::string generateCrl(const std::string& issuerId, const CrlEntryList& entries,
                                  long long crlNumber, const std::string& thisUpdate,
                                  const std::string& nextUpdate) = 0;
  // The DER OCSPResponse.
  virtual std::string signOcsp(const std::string& issuerId, const OcspSignRequest& request) = 0;
  // The PEM of the issuing CA certificate (first of the chain); "" when unknown.
  virtual std::string caCertificatePem(const std::string& issuerId) = 0;
};

// The gateway over the live plugin instances of the IssuerRegistry.
class RegistryIssuerGateway : public RevocationIssuerGateway {
 public:
  explicit RegistryIssuerGateway(IssuerRegistry& registry) : registry_(registry) {}

  Availability availability(const std::string& issuerId, const std::string& operation) override;
  void revoke(const std::string& issuerId, const std::string& serial,
              const std::string& reason) override;
  std::string generateCrl(const std::string& issuerId, const CrlEntryList& entries,
                          long long crlNumber, const std::string& thisUpdate,
                          const std::string& nextUpdate) override;
  std::string signOcsp(const std::string& issuerId, const OcspSignRequest& request) override;
  std::string caCertificatePem(const std::string& issuerId) override;

 private:
  IssuerRegistry& registry_;
};

}  // namespace certctl::services
