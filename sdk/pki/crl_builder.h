#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sdk/pki/certificate.h"
#include "sdk/pki/revocation_reason.h"

namespace certctl::sdk::pki {

class PrivateKey;

// A signed CRL in the encoding the CRL endpoint serves.
struct SignedCrl {
  std::string der;

  // "X509 CRL" PEM of `der`. Made on request: a 1M-entry CRL is ~50 MB of DER.
  std::string toPem() const;
};

// Builds and signs a v2 CRL (RFC 5280 section 5) with the cRLNumber and
// authorityKeyIdentifier extensions, SHA-256 signature (Ed25519: pure).
//
// Entries are DER-encoded into one buffer as they are added, and the TBS is
// signed with a single EVP_DigestSign. OpenSSL's X509_CRL path allocates
// several objects per entry and sorts and re-encodes them, which cannot reach
// the 1M-entries-in-under-a-second target of issue 3.
class CrlBuilder {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // `issuerKey` is borrowed and must outlive the builder. Throws PkiError when
  // it does not match `issuer`, or when `issuer` has a keyUsage without
  // cRLSign (relying parties would reject every CRL it signs).
  CrlBuilder(Certificate issuer, const PrivateKey& issuerKey);

  // cRLNumber; required, because RFC 5280 makes it mandatory and monotonic and
  // only the caller knows the previous one.
  CrlBuilder& number(std::uint64_t n);
  // Default: the time of sign().
  CrlBuilder& thisUpdate(TimePoint t);
  // Default: thisUpdate + 24 h.
  CrlBuilder& nextUpdate(TimePoint t);

  // Pre-sizes the entry buffer for `entries` more entries.
  CrlBuilder& reserve(std::size_t entries);

  // One revoked certificate. `serialHex` as Certificate::serialHex() prints
  // it (either case, leading zeros allowed), positive, at most 20 octets.
  // `unspecified` leaves the reasonCode extension out, as RFC 5280 5.3.1
  // asks. Throws PkiError for a malformed serial, a time outside 1950..9999 or
  // removeFromCRL (meaningful in delta CRLs only). Entries keep their order;
  // duplicates are not detected (add each serial once).
  CrlBuilder& add(std::string_view serialHex, TimePoint revokedAt,
                  RevocationReason reason = RevocationReason::unspecified);

  std::size_t size() const { return count_; }

  // Throws PkiError if number() was not set or nextUpdate <= thisUpdate.
  SignedCrl sign() const;

 private:
  Certificate issuer_;
  const PrivateKey& issuerKey_;
  std::optional<std::uint64_t> number_;
  std::optional<TimePoint> thisUpdate_;
  std::optional<TimePoint> nextUpdate_;
  std::string entries_;  // concatenated DER of the revokedCertificates items
  std::size_t count_ = 0;
};

}  // namespace certctl::sdk::pki
