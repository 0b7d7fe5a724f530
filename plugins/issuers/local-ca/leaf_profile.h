#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/subject_alt_names.h"

namespace certctl::local_ca {

// What a leaf certificate may say, from the request: its names and purposes.
// Each function throws sdk::PluginError(Rejected) naming the request field.

// request.sans: each string by its form. An explicit "DNS:", "IP:",
// "email:" or "URI:" prefix (any case) decides; otherwise a value with
// "://" or starting "urn:" is a URI, one with '@' an rfc822Name, an IP
// literal an iPAddress and anything else a DNS name.
sdk::pki::SubjectAltNames parseSans(const nlohmann::json& sans);

// request.ekus as OpenSSL short names, in request order without duplicates;
// ["serverAuth"] when absent or empty. Accepted: serverAuth, clientAuth,
// emailProtection, codeSigning, timeStamping, in any case, snake_case, or as
// dotted OIDs. Anything else (OCSPSigning above all: such a certificate could
// answer OCSP for this CA) is refused, and so is timeStamping next to another
// purpose (RFC 3161 2.3: a TSA certificate has that one purpose).
std::vector<std::string> parseEkus(const nlohmann::json& request);

// keyUsage for those purposes and the subject key:
//   serverAuth, clientAuth -> digitalSignature (+ keyEncipherment for RSA keys)
//   emailProtection        -> digitalSignature, contentCommitment (+ keyEncipherment for RSA)
//   codeSigning, timeStamping -> digitalSignature
// An EC or EdDSA key cannot do key transport, so it never gets keyEncipherment.
sdk::pki::KeyUsage keyUsageFor(const std::vector<std::string>& ekus, bool rsaKey);

}  // namespace certctl::local_ca
