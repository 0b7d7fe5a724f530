#pragma once

#include <string>
#include <string_view>

namespace certctl::sdk::pki {

// Hex helpers shared by fingerprints, serials and key ids. The inventory
// compares fingerprints as strings, so the case is fixed here, once.

// Hex of arbitrary bytes, no separators ("" for no bytes).
std::string hexEncode(std::string_view bytes, bool uppercase = false);

// SHA-256 of `bytes`: the 32 raw digest bytes.
std::string sha256(std::string_view bytes);

// SHA-256 of `bytes` as 64 lowercase hex characters.
std::string sha256Hex(std::string_view bytes);

}  // namespace certctl::sdk::pki
