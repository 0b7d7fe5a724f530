#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/protocols/ocsp_response_cache.h"
#include "core/services/revocation_issuer_gateway.h"
#include "core/services/revocation_store.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/ocsp_cert_id.h"

namespace certctl::protocols {

// The OCSP responder (RFC 6960) behind /.well-known/pki/ocsp: turns a
// request into a DER OCSPResponse for one issuer. Every input yields a
// response, never an exception: malformedRequest for bytes that are not an
// OCSPRequest, unauthorized for an unknown issuer, an issuer without OCSP
// signing, or a CertID naming another CA; internalError/tryLater when the
// database or the plugin fails.
//
// Responses without a nonce are pre-signed by the issuer's plugin (thisUpdate
// now, nextUpdate now + validity) and served from OcspResponseCache; a
// revocation invalidates its serials. A request with a nonce is signed fresh
// (its status still comes from the cache when possible). Short-lived
// certificates and serials the issuer never issued are "unknown" and not
// cached.
class OcspResponder {
 public:
  struct Options {
    std::chrono::seconds validity{3600};  // nextUpdate - thisUpdate
    // Served until nextUpdate - staleMargin; refreshed from validity / 2 on.
    std::chrono::seconds staleMargin{300};
    std::size_t maxCachedResponses = 250000;
    // How often an issuer's CA certificate and OCSP support are re-read.
    std::chrono::seconds issuerRecheck{60};
    std::size_t maxNonceBytes = 128;  // extnValue; larger requests are malformed
  };

  struct Stats {
    std::uint64_t cacheHits = 0;
    std::uint64_t cacheMisses = 0;
    std::uint64_t signatures = 0;
    std::uint64_t errors = 0;  // error responses other than malformed/unauthorized
    std::size_t cachedResponses = 0;
  };

  OcspResponder(services::RevocationStore& store, services::RevocationIssuerGateway& issuers,
                Options options);
  OcspResponder(services::RevocationStore& store, services::RevocationIssuerGateway& issuers)
      : OcspResponder(store, issuers, Options()) {}

  // POST body / RFC 6960 A.1 GET: a DER OCSPRequest.
  std::string respond(const std::string& issuerId, std::string_view requestDer);
  // GET /{issuer}/{serial}: hex serial in any case, leading zeros or "0x"
  // allowed; answered with a SHA-1 CertID, as `openssl ocsp -serial` asks.
  std::string respondForSerial(const std::string& issuerId, std::string_view serialText);

  // After a revocation.
  void invalidate(const std::string& issuerId, const std::vector<std::string>& serials);
  // Re-signs cached responses past the middle of their validity that were
  // served since they were signed, drops the others. Returns how many were
  // re-signed. Run by a scheduler loop.
  std::size_t refreshDue();

  Stats stats() const;

  // "ABC123" for "0x00abc123"; nullopt when not a hex serial of at most 20 octets.
  static std::optional<std::string> canonicalSerial(std::string_view text);

 private:
  struct IssuerContext {
    bool authoritative = false;
    std::string caDer;
    std::string sha1Name, sha1Key, sha256Name, sha256Key;
    std::optional<sdk::pki::Certificate> ca;
    std::chrono::steady_clock::time_point loadedAt;
  };
  // nullptr when the issuer's context cannot be loaded right now (internal error).
  std::shared_ptr<const IssuerContext> context(const std::string& issuerId);
  std::shared_ptr<const IssuerContext> loadContext(const std::string& issuerId);
  bool issuedBy(const IssuerContext& ctx, const sdk::pki::OcspCertId& id) const;
  std::string answer(const std::string& issuerId, const std::string& serial,
                     const std::string& hashAlgorithm, const std::optional<std::string>& nonce);
  std::string sign(const std::string& issuerId, const std::string& serial,
                   const std::string& hashAlgorithm, const services::SerialStatus& status,
                   const std::string& nonce, std::chrono::system_clock::time_point& thisUpdate);
  std::string failure(const std::exception& e, const std::string& issuerId);

  services::RevocationStore& store_;
  services::RevocationIssuerGateway& issuers_;
  Options options_;
  OcspResponseCache cache_;

  mutable std::shared_mutex contextsMutex_;
  std::unordered_map<std::string, std::shared_ptr<const IssuerContext>> contexts_;

  std::atomic<std::uint64_t> signatures_{0};
  std::atomic<std::uint64_t> errors_{0};
};

}  // namespace certctl::protocols
