#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdk/pki/ocsp_cert_id.h"

namespace certctl::sdk::pki {

// A parsed RFC 6960 OCSPRequest. Requests come from anyone on the network,
// so parsing only extracts values; every decision (which CertIDs to answer,
// nonce policy, signed requests) stays with the responder.
class OcspRequest {
 public:
  // Exactly one DER OCSPRequest; trailing bytes, no CertID at all or a
  // CertID whose fields cannot be read throw PkiError.
  static OcspRequest fromDer(std::string_view der);

  // In request order.
  const std::vector<OcspCertId>& certIds() const { return certIds_; }

  // The nonce extension's extnValue octets exactly as sent (a DER OCTET
  // STRING from conforming clients, RFC 8954). A response echoes these bytes
  // unchanged, which is how clients compare them.
  const std::optional<std::string>& nonce() const { return nonce_; }

  // The request carries an optionalSignature (not verified here).
  bool isSigned() const { return signed_; }

 private:
  std::vector<OcspCertId> certIds_;
  std::optional<std::string> nonce_;
  bool signed_ = false;
};

}  // namespace certctl::sdk::pki
