#pragma once

#include <optional>
#include <string>

#include "sdk/pki/csr.h"

namespace certctl::sdk::pki {

// The PKCS#9 challengePassword attribute of a request (1.2.840.113549.1.9.7),
// whichever DirectoryString type carries it; nullopt when absent. Throws
// PkiError for an attribute that is present but malformed or repeated.
std::optional<std::string> csrChallengePassword(const Csr& csr);

}  // namespace certctl::sdk::pki
