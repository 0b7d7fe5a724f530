#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sdk/pki/certificate.h"

namespace certctl::sdk::pki {

// PKCS#12 export of a certificate and its chain, never a private key: the
// server does not hold subscribers' keys, and an export must not look as if
// it did. With a password the certificate bags are encrypted with PBES2
// (PBKDF2-HMAC-SHA256, AES-256-CBC) and the file has a SHA-256 MAC, which
// current OpenSSL, Windows and Java read; an empty password gives plain bags
// without a MAC (nothing secret is inside).
//
// `cert` comes first and carries `friendlyName` when one is given; `chain`
// follows in order (issuer first, as servers send it). Throws PkiError.
std::string pkcs12CertificatesDer(const Certificate& cert, const std::vector<Certificate>& chain,
                                  std::string_view password = {},
                                  std::string_view friendlyName = {});

}  // namespace certctl::sdk::pki
