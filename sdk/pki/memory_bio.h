#pragma once

#include <string>
#include <string_view>

#include "sdk/pki/openssl_ptr.h"

namespace certctl::sdk::pki {

// PEM/DER in sdk/pki moves through memory BIOs; these keep the size casts and
// error checks in one place.

// A read-only BIO over caller-owned bytes; valid only while `data` lives.
BioPtr memoryBioFrom(std::string_view data);

// An empty, growable memory BIO.
BioPtr newMemoryBio();

// Everything written to a memory BIO so far.
std::string bioToString(BIO* bio);

}  // namespace certctl::sdk::pki
