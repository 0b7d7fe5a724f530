#pragma once

#include <nlohmann/json.hpp>

#include "core/http/http_types.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/private_key.h"

namespace certctl::protocols::est {

// RFC 7030 4.4 server-side key generation, the parts around issuance:

// The key to make, as CERTCTL_KEYGEN_MODE=server chooses it from the bound
// CertificateProfile's allowed_key_algorithms (services::serverKeyFor).
sdk::pki::PrivateKey generateServerKey(const nlohmann::json& certificateProfile);

// The 200 multipart/mixed answer (RFC 7030 4.4.2): first the private key as
// a CMS EnvelopedData wrapped to the client's CSR key
// (application/pkcs7-mime; smime-type=server-generated-key), then the
// certificate (application/pkcs7-mime; smime-type=certs-only), each base64.
// Throws sdk::pki::PkiError when the CSR key is not RSA.
http::Response serverKeygenResponse(const sdk::pki::PrivateKey& key, const sdk::pki::Csr& clientCsr,
                                    const sdk::pki::Certificate& certificate);

}  // namespace certctl::protocols::est
