#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sdk/pki/revocation_reason.h"

namespace certctl::local_ca {

// Fields shared by generate_crl and sign_ocsp requests.

// request.serial as hex for sdk/pki (uppercase, no separators): accepts
// Certificate::serialHex() form, either case, "0x" prefix, ':' separators.
// sdk::PluginError(Rejected) naming `label` when missing or not hex.
std::string serialMember(const nlohmann::json& object, const std::string& label);

// request.reason: an RFC 5280 name ("keyCompromise"; snake_case accepted)
// or its wire code; absent, null or "" is unspecified. Rejected naming
// `label` otherwise. Memoised per name: a 1M-entry CRL has few distinct ones.
class ReasonCache {
 public:
  sdk::pki::RevocationReason parse(const nlohmann::json& object, const std::string& label);

 private:
  std::unordered_map<std::string, sdk::pki::RevocationReason> byName_;
};

}  // namespace certctl::local_ca
