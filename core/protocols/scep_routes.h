#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/http/router.h"
#include "core/protocols/client_trust_anchor.h"
#include "core/services/audit_log.h"
#include "core/services/issuance.h"
#include "core/services/issuer_registry.h"
#include "core/services/revocation_store.h"

namespace certctl::protocols {

struct ScepSettings {
  std::string issuerId = "iss-local";  // CERTCTL_SCEP_ISSUER_ID
  std::string challengePassword;       // CERTCTL_SCEP_CHALLENGE_PASSWORD (required)
  std::string raCertPath;              // CERTCTL_SCEP_RA_CERT_PATH
  std::string raKeyPath;               // CERTCTL_SCEP_RA_KEY_PATH (0600)
  std::string profileId;               // CertificateProfile of the enrollments ("" = none)
  std::string path = "/scep";          // /scep, or /scep/<pathID> of a profile
  // The mTLS sibling route of a profile ("" = none): /scep-mtls/<pathID>,
  // served only to a client certificate that chains to the bundle.
  std::string mtlsPath;
  std::string mtlsClientCaTrustBundlePath;
};

// SCEP (RFC 8894) at settings.path (/scep or /scep/<pathID>), without the API key (SCEP clients
// know nothing of it; the challenge password in the CSR, or for a renewal the
// certificate being renewed, authenticates):
//  * GET  /scep?operation=GetCACaps: what this server supports, one per line.
//  * GET  /scep?operation=GetCACert: the RA certificate and the issuer's CA
//    chain, certs-only PKCS#7 (application/x-x509-ca-ra-cert).
//  * GET  /scep?operation=PKIOperation&message=BASE64 and
//    POST /scep?operation=PKIOperation (DER body): a PKCSReq signed with a
//    self-signed certificate of the CSR's key is issued through
//    IssuanceService (source "scep") when the CSR's challengePassword
//    matches. A RenewalReq, or a PKCSReq signed with another certificate,
//    must be signed with a valid, unrevoked certificate of this issuer whose
//    subject names everything the CSR asks for; it adds a version to that
//    certificate (no password needed). CertPoll answers badCertId, as
//    issuance is synchronous and nothing is ever pending.
// With settings.mtlsPath, the same endpoint is served there too, behind a
// client certificate that must chain to the trust bundle (checked before
// the SCEP handler runs; 403 otherwise).
// Reads and checks the RA pair now: throws std::runtime_error when the files
// are missing, do not match, or the key is readable by group or others, when
// the challenge password is empty, and when the trust bundle is unusable.
struct ScepEndpoint;
ScepEndpoint registerScepRoutes(http::Router& router, services::IssuerRegistry& issuers,
                                services::IssuanceService& issuance,
                                services::RevocationStore& revocations,
                                const ScepSettings& settings);

// What registerScepRoutes published: for the admin listing, and for SIGHUP
// to reload the trust bundle.
struct ScepEndpoint {
  ScepSettings settings;  // its challengePassword cleared: never shown, kept once
  std::shared_ptr<ClientTrustAnchor> trustAnchor;  // null without mTLS
  nlohmann::json raCertificate;                    // {"subject", "not_after"}

  // The /api/v1/admin/scep/profiles entry: endpoints, issuer, profile, RA
  // certificate, mTLS trust anchors; never a password.
  nlohmann::json toJson() const;
};

// GET /api/v1/admin/scep/profiles (admin role): every SCEP endpoint, as
// {"data": [ScepEndpoint::toJson()...], "total": n}. `endpoints` is read
// at each request and must outlive the router.
void registerScepAdminRoutes(http::Router& router, const std::vector<ScepEndpoint>& endpoints);

// Re-reads the trust bundle of the mTLS route `path` (on SIGHUP): logged,
// and audited as scep_trust_anchor_reloaded with the anchors now in use. A
// file that cannot be read or parsed keeps the old bundle (logged, and
// audited as scep_trust_anchor_reload_failed). "" on success, else why not.
std::string reloadScepTrust(ClientTrustAnchor& anchor, const std::string& path,
                            services::AuditLog& audit);

}  // namespace certctl::protocols
