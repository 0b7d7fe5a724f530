#include "revocation_fields.h"

#include <cctype>

#include "sdk/plugin/plugin_error.h"

namespace certctl::local_ca {

namespace {

using nlohmann::json;
using sdk::PluginError;
namespace pki = certctl::sdk::pki;

constexpr std::size_t kMaxSerialHexDigits = 40;  // RFC 5280: at most 20 octets

}  // namespace

std::string serialMember(const json& object, const std::string& label) {
  auto it = object.find("serial");
  if (it == object.end() || !it->is_string()) {
    throw PluginError::rejected(label + ": required, the certificate serial as hex");
  }
  std::string_view in = it->get_ref<const std::string&>();
  if (in.size() > 2 && in[0] == '0' && (in[1] == 'x' || in[1] == 'X')) in.remove_prefix(2);
  std::string hex;
  hex.reserve(in.size());
  for (char c : in) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      throw PluginError::rejected(label + ": '" + it->get<std::string>() + "' is not hex");
    }
    hex.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (hex.empty() || hex.size() > kMaxSerialHexDigits + 2) {
    throw PluginError::rejected(label + ": '" + it->get<std::string>() +
                                "' is not a serial number (1 to 20 octets of hex)");
  }
  return hex;
}

pki::RevocationReason ReasonCache::parse(const json& object, const std::string& label) {
  auto it = object.find("reason");
  if (it == object.end() || it->is_null()) return pki::RevocationReason::unspecified;
  if (it->is_number_integer()) {
    if (auto reason = pki::revocationReasonFromCode(it->get<int>())) return *reason;
    throw PluginError::rejected(label + ": " + it->dump() + " is not an RFC 5280 reason code");
  }
  if (!it->is_string()) throw PluginError::rejected(label + ": must be a reason name");
  const auto& name = it->get_ref<const std::string&>();
  if (name.empty()) return pki::RevocationReason::unspecified;
  if (auto hit = byName_.find(name); hit != byName_.end()) return hit->second;
  auto reason = pki::parseRevocationReason(name);
  if (!reason) {
    throw PluginError::rejected(label + ": '" + name +
                                "' is not an RFC 5280 reason (keyCompromise, caCompromise, "
                                "affiliationChanged, superseded, cessationOfOperation, "
                                "certificateHold, privilegeWithdrawn, aACompromise, unspecified)");
  }
  byName_.emplace(name, *reason);
  return *reason;
}

}  // namespace certctl::local_ca
