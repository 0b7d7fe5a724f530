#pragma once

#include <string>
#include <string_view>

namespace certctl::sdk::pki {

// Standard base64 (RFC 4648 section 4, with padding), the encoding DER
// travels in inside JSON documents: CRLs, OCSP responses and nonces between
// the host and issuer plugins, CSR bodies of EST requests.

// One line, no line breaks.
std::string base64Encode(std::string_view bytes);

// Accepts line breaks and blanks between the characters (wrapped bodies);
// throws PkiError naming `what` for anything else that is not base64.
std::string base64Decode(std::string_view text, std::string_view what = "data");

// base64url without padding (RFC 4648 section 5, RFC 7515 section 2): the
// encoding of JOSE (ACME's JWS, JWK thumbprints, ARI certificate IDs).
std::string base64UrlEncode(std::string_view bytes);

// Strict: only the URL alphabet, no padding, no blanks; throws PkiError
// naming `what` otherwise.
std::string base64UrlDecode(std::string_view text, std::string_view what = "data");

}  // namespace certctl::sdk::pki
