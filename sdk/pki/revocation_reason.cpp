#include "sdk/pki/revocation_reason.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace certctl::sdk::pki {

namespace {

struct ReasonName {
  RevocationReason reason;
  std::string_view camel;
  std::string_view snake;
};

constexpr std::array<ReasonName, 10> kReasons{{
    {RevocationReason::unspecified, "unspecified", "unspecified"},
    {RevocationReason::keyCompromise, "keyCompromise", "key_compromise"},
    {RevocationReason::caCompromise, "caCompromise", "ca_compromise"},
    {RevocationReason::affiliationChanged, "affiliationChanged", "affiliation_changed"},
    {RevocationReason::superseded, "superseded", "superseded"},
    {RevocationReason::cessationOfOperation, "cessationOfOperation", "cessation_of_operation"},
    {RevocationReason::certificateHold, "certificateHold", "certificate_hold"},
    {RevocationReason::removeFromCRL, "removeFromCRL", "remove_from_crl"},
    {RevocationReason::privilegeWithdrawn, "privilegeWithdrawn", "privilege_withdrawn"},
    {RevocationReason::aACompromise, "aACompromise", "aa_compromise"},
}};

std::string toUpper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace

std::string_view revocationReasonName(RevocationReason reason) {
  for (const auto& r : kReasons) {
    if (r.reason == reason) return r.camel;
  }
  return "unspecified";  // unreachable for a valid enumerator
}

std::optional<RevocationReason> parseRevocationReason(std::string_view name) {
  if (name == "cACompromise") return RevocationReason::caCompromise;
  for (const auto& r : kReasons) {
    if (name == r.camel || name == r.snake || name == toUpper(r.snake)) return r.reason;
  }
  return std::nullopt;
}

std::optional<RevocationReason> revocationReasonFromCode(int code) {
  for (const auto& r : kReasons) {
    if (static_cast<int>(r.reason) == code) return r.reason;
  }
  return std::nullopt;
}

}  // namespace certctl::sdk::pki
