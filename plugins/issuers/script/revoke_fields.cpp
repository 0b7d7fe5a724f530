#include "revoke_fields.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "sdk/pki/revocation_reason.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::script_issuer {

using nlohmann::json;

json validatedRevocation(const json& request) {
  auto serialIt = request.find("serial");
  if (serialIt == request.end() || !serialIt->is_string())
    throw sdk::PluginError::rejected("revoke: serial is required");
  std::string serial = serialIt->get<std::string>();
  if (serial.rfind("0x", 0) == 0 || serial.rfind("0X", 0) == 0) serial.erase(0, 2);
  serial.erase(std::remove(serial.begin(), serial.end(), ':'), serial.end());
  if (serial.empty() || serial.size() > 40 ||
      !std::all_of(serial.begin(), serial.end(), [](unsigned char c) { return std::isxdigit(c); }))
    throw sdk::PluginError::rejected("revoke: the serial must be hex digits only (got " +
                                     std::to_string(serialIt->get<std::string>().size()) +
                                     " characters that are not)");
  std::transform(serial.begin(), serial.end(), serial.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string reasonName = request.value("reason", std::string("unspecified"));
  if (reasonName.empty()) reasonName = "unspecified";
  auto reason = sdk::pki::parseRevocationReason(reasonName);
  if (!reason) throw sdk::PluginError::rejected("revoke: the reason is not an RFC 5280 CRLReason");
  return {{"serial", serial},
          {"reason", std::string(sdk::pki::revocationReasonName(*reason))},
          {"reason_code", static_cast<int>(*reason)}};
}

}  // namespace certctl::script_issuer
