#pragma once

#include <string>

#include "core/http/router.h"
#include "core/services/issuance.h"
#include "core/services/issuer_registry.h"

namespace certctl::protocols {

struct EstSettings {
  std::string issuerId = "iss-local";  // CERTCTL_EST_ISSUER_ID
  std::string enrollmentPassword;      // CERTCTL_EST_ENROLLMENT_PASSWORD ("" = anonymous)
};

// EST (RFC 7030) without the API key, as EST clients know nothing of it:
//  * GET /.well-known/est/cacerts: the issuer's CA chain, base64 DER PKCS#7 certs-only.
//  * POST /.well-known/est/simpleenroll: a base64 DER PKCS#10 body, issued
//    through IssuanceService (source "est"); answers the certificate the same way.
//    HTTP Basic with the enrollment password when one is set (401 otherwise).
void registerEstRoutes(http::Router& router, services::IssuerRegistry& issuers,
                       services::IssuanceService& issuance, EstSettings settings);

}  // namespace certctl::protocols
