#pragma once

#include "sdk/pki/csr.h"
#include "sdk/pki/private_key.h"

namespace certctl::sdk::pki {

// A request for the same subject and requested extensions as `original`,
// carrying and signed by `key`: what EST serverkeygen (RFC 7030 4.4) hands
// the issuer once the server has made the key. Attributes other than the
// extension request (challengePassword) are not copied.
Csr rekeyCsr(const Csr& original, const PrivateKey& key);

}  // namespace certctl::sdk::pki
