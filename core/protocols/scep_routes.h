#pragma once

#include <string>

#include "core/http/router.h"
#include "core/services/issuance.h"
#include "core/services/issuer_registry.h"

namespace certctl::protocols {

struct ScepSettings {
  std::string issuerId = "iss-local";  // CERTCTL_SCEP_ISSUER_ID
  std::string challengePassword;       // CERTCTL_SCEP_CHALLENGE_PASSWORD (required)
  std::string raCertPath;              // CERTCTL_SCEP_RA_CERT_PATH
  std::string raKeyPath;               // CERTCTL_SCEP_RA_KEY_PATH (0600)
  std::string profileId;               // CertificateProfile of the enrollments ("" = none)
  std::string path = "/scep";          // /scep, or /scep/<pathID> of a profile
};

// SCEP (RFC 8894) at settings.path (/scep or /scep/<pathID>), without the API key (SCEP clients
// know nothing of it; the challenge password in the CSR authenticates):
//  * GET  /scep?operation=GetCACaps: what this server supports, one per line.
//  * GET  /scep?operation=GetCACert: the RA certificate and the issuer's CA
//    chain, certs-only PKCS#7 (application/x-x509-ca-ra-cert).
//  * GET  /scep?operation=PKIOperation&message=BASE64 and
//    POST /scep?operation=PKIOperation (DER body): PKCSReq and RenewalReq
//    are issued through IssuanceService (source "scep") when the CSR's
//    challengePassword matches; CertPoll answers badCertId, as issuance is
//    synchronous and nothing is ever pending.
// Reads and checks the RA pair now: throws std::runtime_error when the files
// are missing, do not match, or the key is readable by group or others, and
// when the challenge password is empty.
void registerScepRoutes(http::Router& router, services::IssuerRegistry& issuers,
                        services::IssuanceService& issuance, const ScepSettings& settings);

}  // namespace certctl::protocols
