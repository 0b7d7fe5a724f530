#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace certctl::protocols::est {

// The CsrAttrs SEQUENCE (RFC 7030 4.5.2) an EST profile publishes at
// /csrattrs, DER; "" when there is nothing to ask for (answered with 204):
//  * challengePassword (1.2.840.113549.1.9.7) when the profile requires
//    RFC 9266 channel binding: the tls-exporter value goes there;
//  * per allowed key algorithm of the bound CertificateProfile: ECDSA as an
//    id-ecPublicKey attribute naming the curve (P-256 unless the profile's
//    minimum says P-384/P-521), RSA as rsaEncryption, Ed25519 as id-Ed25519;
//  * extensionRequest (1.2.840.113549.1.9.14) when the profile requires SANs.
// `certificateProfile` is the stored profile record (null: none bound).
std::string csrAttrsDer(const nlohmann::json& certificateProfile, bool channelBinding);

}  // namespace certctl::protocols::est
