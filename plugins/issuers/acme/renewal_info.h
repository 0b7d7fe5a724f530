#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "acme_client.h"

namespace certctl::acme {

// The RFC 9773 certificate identifier: base64url(the authority key
// identifier's keyIdentifier) "." base64url(the serial number's DER
// content octets). Throws PluginError(Rejected) for a certificate without
// an AKI key identifier.
std::string ariCertId(const std::string& certPem);

// Asks the CA when to renew `certPem` (RFC 9773): GET
// <renewalInfo>/<certID>. Returns
//   {"source": "ari", "suggested_window": {"start", "end"},
//    "explanation_url"?, "retry_after_seconds"?}
// or, when the CA has no renewalInfo resource, answers 404 or something
// malformed, {"source": "threshold", "reason"}: the caller keeps its
// renewal threshold. Network failures also fall back (logged): ARI is
// advisory and must never block a renewal.
nlohmann::json fetchRenewalInfo(AcmeClient& client, const std::string& certPem);

}  // namespace certctl::acme
