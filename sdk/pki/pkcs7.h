#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sdk/pki/certificate.h"

namespace certctl::sdk::pki {

// "Certs-only" PKCS#7 / CMS SignedData (RFC 5652, degenerate: no signers,
// no content): how EST /cacerts (RFC 7030 4.1.3) and SCEP GetCACert ship a
// chain, and what `openssl crl2pkcs7 -nocrl` writes.

// DER of a certs-only SignedData holding `certificates` in order. Throws
// PkiError for an empty list (a client could do nothing with it).
std::string pkcs7CertsOnlyDer(const std::vector<Certificate>& certificates);

// The same as "-----BEGIN PKCS7-----" PEM.
std::string pkcs7CertsOnlyPem(const std::vector<Certificate>& certificates);

// The certificates of a PKCS#7 SignedData (DER), in order; signers and
// content are ignored. Throws PkiError for anything else.
std::vector<Certificate> certificatesFromPkcs7Der(std::string_view der);

}  // namespace certctl::sdk::pki
