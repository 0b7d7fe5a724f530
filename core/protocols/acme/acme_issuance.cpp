#include "core/protocols/acme/acme_issuance.h"

#include "core/services/issuance.h"
#include "core/services/revocation_service.h"

namespace certctl::protocols::acme {

AcmeEnrollment ServiceAcmeIssuance::enroll(const std::string& issuerId, const sdk::pki::Csr& csr,
                                           const std::string& profileId) {
  auto enrolled = issuance_.enrollCsr(issuerId, csr, "acme", profileId);
  return {enrolled.certificateId, enrolled.certPem, enrolled.chainPem};
}

bool ServiceAcmeIssuance::revoke(const std::string& certificateId, const std::string& reason,
                                 const std::string& actor, const std::string& requestId) {
  auto result = revocations_.revoke(certificateId, {{"reason", reason}}, {actor, requestId});
  return !result.value("already_revoked", false);
}

}  // namespace certctl::protocols::acme
