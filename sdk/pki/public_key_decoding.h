#pragma once

#include <string_view>

#include "sdk/pki/openssl_ptr.h"

namespace certctl::sdk::pki {

// OpenSSL 3.0 decodes the SubjectPublicKeyInfo of every certificate and
// request it parses through its generic decoder framework, which builds a
// decoder context per key: ~80 µs, twice the cost of verifying a P-256
// signature, and the largest single cost of issuing a certificate. These
// helpers parse the structures without that step and decode the key
// directly where the key type allows it.

// Parses exactly one DER X509_REQ / X509 without decoding its public key
// (X509_REQ_get0_pubkey / X509_get0_pubkey answer nullptr for the result);
// nullptr when the DER is malformed. `der` advances past what was read.
X509_REQ* parseRequestWithoutKey(const unsigned char** der, long length);
X509* parseCertificateWithoutKey(const unsigned char** der, long length);

// The public key of `spki`: EC keys on a named curve and Ed25519/X25519/
// Ed448/X448 keys are built directly from their parameters (the point is
// checked to be on the curve), anything else goes through OpenSSL's
// decoder. nullptr when the key cannot be decoded.
EvpPkeyPtr decodePublicKey(const X509_PUBKEY* spki);

// The DER SubjectPublicKeyInfo of `spki` (re-encoded from its fields).
std::string subjectPublicKeyInfoDer(const X509_PUBKEY* spki);

// The same as PEM ("PUBLIC KEY"); "" when it cannot be encoded. From the
// structure, not the decoded key: the key's own encoder would give the same
// text at many times the cost.
std::string subjectPublicKeyInfoPem(const X509_PUBKEY* spki);

}  // namespace certctl::sdk::pki
