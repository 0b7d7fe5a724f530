#pragma once

#include <nlohmann/json.hpp>

namespace certctl::protocols::acme {

// An account's "contact" (RFC 8555 §7.3): null/absent = none, else up to
// 10 "mailto:" URLs of one plain address each. Returns the array to store;
// throws AcmeProblem unsupportedContact (another scheme) or invalidContact.
nlohmann::json validateContacts(const nlohmann::json& contact);

}  // namespace certctl::protocols::acme
