#pragma once

#include <optional>
#include <string_view>

namespace certctl::sdk::pki {

// RFC 5280 5.3.1 CRLReason; the values are the wire codes, shared by CRL
// entries and OCSP revokedInfo. 7 is unassigned.
enum class RevocationReason : int {
  unspecified = 0,
  keyCompromise = 1,
  caCompromise = 2,
  affiliationChanged = 3,
  superseded = 4,
  cessationOfOperation = 5,
  certificateHold = 6,
  removeFromCRL = 8,
  privilegeWithdrawn = 9,
  aACompromise = 10,
};

// The camelCase name the REST API uses ("keyCompromise", "caCompromise").
std::string_view revocationReasonName(RevocationReason reason);

// Accepts the camelCase name (and RFC 5280's own spelling "cACompromise"),
// snake_case ("key_compromise") and upper snake case ("KEY_COMPROMISE").
// Anything else is nullopt, never a silent "unspecified": the reason is
// reported in audits, so a typo must be refused, not demoted.
std::optional<RevocationReason> parseRevocationReason(std::string_view name);

// nullopt for 7 and anything outside 0..10.
std::optional<RevocationReason> revocationReasonFromCode(int code);

}  // namespace certctl::sdk::pki
