#pragma once

#include <nlohmann/json.hpp>

namespace certctl::script_issuer {

// The revoke request checked before any script sees it: the serial in hex
// digits only (an optional "0x" and ':' separators are dropped), at most 40
// digits; the reason an RFC 5280 CRLReason name (absent = unspecified).
// Returns {"serial", "reason", "reason_code"}; throws PluginError::rejected.
nlohmann::json validatedRevocation(const nlohmann::json& request);

}  // namespace certctl::script_issuer
