#pragma once

#include <string>

#include "sdk/pki/csr.h"

namespace certctl::services {
class IssuanceService;
class RevocationService;
}  // namespace certctl::services

namespace certctl::protocols::acme {

struct AcmeEnrollment {
  std::string certificateId;  // the managed certificate
  std::string certPem;        // the leaf
  std::string chainPem;       // the CA certificates above it
};

// What the ACME server needs from issuance and revocation: a seam so the
// protocol's state machine is testable without a CA.
class AcmeIssuance {
 public:
  virtual ~AcmeIssuance() = default;
  // Throws domain::ApiError as IssuanceService::enrollCsr does.
  virtual AcmeEnrollment enroll(const std::string& issuerId, const sdk::pki::Csr& csr,
                                const std::string& profileId) = 0;
  // `reason` is an RFC 5280 name ("keyCompromise"); false when the
  // certificate was revoked before.
  virtual bool revoke(const std::string& certificateId, const std::string& reason,
                      const std::string& actor, const std::string& requestId) = 0;
};

// Through the services every other door uses (source "acme"), so profile,
// policy, inventory, audit, CRL and OCSP apply.
class ServiceAcmeIssuance : public AcmeIssuance {
 public:
  ServiceAcmeIssuance(services::IssuanceService& issuance, services::RevocationService& revocations)
      : issuance_(issuance), revocations_(revocations) {}
  AcmeEnrollment enroll(const std::string& issuerId, const sdk::pki::Csr& csr,
                        const std::string& profileId) override;
  bool revoke(const std::string& certificateId, const std::string& reason, const std::string& actor,
              const std::string& requestId) override;

 private:
  services::IssuanceService& issuance_;
  services::RevocationService& revocations_;
};

}  // namespace certctl::protocols::acme
