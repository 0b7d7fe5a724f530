#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdk/pki/certificate.h"
#include "sdk/pki/openssl_ptr.h"
#include "sdk/pki/revocation_reason.h"

namespace certctl::sdk::pki {

using X509CrlPtr = std::unique_ptr<X509_CRL, OpenSslDeleter<X509_CRL_free>>;

struct CrlEntry {
  std::string serialHex;  // as Certificate::serialHex(): uppercase, no leading zeros
  std::chrono::system_clock::time_point revocationTime;
  RevocationReason reason = RevocationReason::unspecified;  // also when absent

  bool operator==(const CrlEntry&) const = default;
};

// A parsed X.509 CRL (any issuer's, v1 or v2). Move-only: it is read, checked
// and dropped, never shared.
class Crl {
 public:
  // Takes ownership; throws PkiError if `crl` is null.
  explicit Crl(X509CrlPtr crl);

  // Exactly one DER CRL; trailing bytes are refused.
  static Crl fromDer(std::string_view der);
  // The first X509 CRL block of `pem`.
  static Crl fromPem(std::string_view pem);

  std::string toDer() const;

  // RFC 2253 form, as Certificate::issuerString().
  std::string issuerString() const;
  std::chrono::system_clock::time_point thisUpdate() const;
  // nullopt when the CRL has no nextUpdate.
  std::optional<std::chrono::system_clock::time_point> nextUpdate() const;
  // cRLNumber as uppercase hex; nullopt when absent.
  std::optional<std::string> numberHex() const;
  std::size_t entryCount() const;
  // In the CRL's own order. An unknown reason code reads as unspecified.
  std::vector<CrlEntry> entries() const;

  // True when `issuer`'s public key verifies the signature (signature only:
  // no validity or name checks).
  bool isSignedBy(const Certificate& issuer) const;

  // Borrowed; valid while this Crl lives.
  X509_CRL* get() const { return crl_.get(); }

 private:
  X509CrlPtr crl_;
};

}  // namespace certctl::sdk::pki
