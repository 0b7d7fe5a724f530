#pragma once

#include <string>

#include "sdk/pki/openssl_ptr.h"
#include "sdk/pki/private_key.h"

namespace certctl::sdk::pki {

// EST server-side key generation (RFC 7030 4.4.2): `key` as PKCS#8 DER,
// inside a CMS EnvelopedData (AES-256-CBC, random IV) whose content key is
// wrapped with RSA keyTrans to `recipientRsaKey` (the public key of the
// client's CSR). The recipient is named by subjectKeyIdentifier (SHA-1 of
// the public key), so `openssl cms -decrypt -inkey <client key>` opens it.
// Returns the DER. The plaintext PKCS#8 never leaves this function and is
// cleansed before it returns. Throws PkiError when `recipientRsaKey` is not RSA.
std::string envelopePrivateKey(const PrivateKey& key, EVP_PKEY* recipientRsaKey);

}  // namespace certctl::sdk::pki
