#pragma once

#include <string>
#include <string_view>

#include "sdk/pki/certificate.h"

namespace certctl::protocols::acme {

// The RFC 9773 §4.1 certificate identifier: base64url(AKI keyIdentifier)
// "." base64url(the serial number's DER content octets).
struct AriCertId {
  std::string keyIdentifier;  // raw bytes
  std::string serial;         // raw content octets (a leading 0x00 kept)

  // The serial as Certificate::serialHex() prints it (uppercase, no padding).
  std::string serialHex() const;
  std::string text() const;
};

// Throws AcmeProblem malformed for anything not of that form (also a
// serial that is negative or has a superfluous leading zero octet).
AriCertId parseAriCertId(std::string_view text);

// The identifier of `certificate`; throws AcmeProblem malformed when it has
// no authority key identifier.
AriCertId ariCertIdOf(const sdk::pki::Certificate& certificate);

}  // namespace certctl::protocols::acme
