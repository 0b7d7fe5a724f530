#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sdk/pki/certificate.h"
#include "sdk/pki/ocsp_cert_id.h"
#include "sdk/pki/revocation_reason.h"

namespace certctl::sdk::pki {

class PrivateKey;

// RFC 6960 4.2.1 OCSPResponseStatus (4 is unassigned).
enum class OcspResponseStatus : int {
  successful = 0,
  malformedRequest = 1,
  internalError = 2,
  tryLater = 3,
  sigRequired = 5,
  unauthorized = 6,
};

// What a SingleResponse says about one certificate.
struct OcspCertStatus {
  using TimePoint = std::chrono::system_clock::time_point;
  enum class Kind { good, revoked, unknown };

  Kind kind = Kind::good;
  TimePoint revocationTime{};                               // revoked only
  RevocationReason reason = RevocationReason::unspecified;  // revoked only; unspecified: omitted

  static OcspCertStatus good() { return {}; }
  static OcspCertStatus revoked(TimePoint at, RevocationReason why) {
    return {Kind::revoked, at, why};
  }
  static OcspCertStatus unknown() { return {Kind::unknown, {}, RevocationReason::unspecified}; }
};

// Builds and signs OCSPResponses (RFC 6960) for the certificates of one CA:
// a BasicOCSPResponse with the responder identified by key hash and its
// certificate included, SHA-256 signature (Ed25519: pure). A builder can be
// kept and reused: the validation of the responder set-up happens once, in
// the constructor, and thisUpdate defaults to the time of each signature.
class OcspResponseBuilder {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // `responder` is `issuer` itself or a delegated responder certificate
  // issued by it with the OCSPSigning extended key usage (RFC 6960 4.2.2.2);
  // anything else throws PkiError, because every client would reject the
  // responses. `responderKey` is borrowed, must outlive the builder and
  // match `responder`.
  OcspResponseBuilder(Certificate issuer, Certificate responder, const PrivateKey& responderKey);

  // Default: the time of each signature.
  OcspResponseBuilder& thisUpdate(TimePoint t);
  // Default: no nextUpdate ("newer information is always available").
  // Responses meant for caching should have one.
  OcspResponseBuilder& nextUpdate(TimePoint t);
  // nextUpdate = thisUpdate + d, evaluated at each signature.
  OcspResponseBuilder& validFor(std::chrono::seconds d);
  // Echoed verbatim: pass OcspRequest::nonce().
  OcspResponseBuilder& nonce(std::string extnValue);
  // One SingleResponse; `id` is repeated exactly as given (for an answer to
  // a request, pass the request's CertID).
  OcspResponseBuilder& add(OcspCertId id, OcspCertStatus status);
  // Forgets the added responses and the nonce, keeps the rest.
  OcspResponseBuilder& clear();

  // The DER OCSPResponse (status successful) with every added response.
  // Throws PkiError when none was added.
  std::string sign() const;

  // Fast path for pre-signed responses (RFC 5019 style): the complete DER
  // OCSPResponse for one serial of the issuer, CertID with `hashAlgorithm`
  // (clients send SHA-1 by default, and match the CertID exactly, so a cache
  // keys on both), no nonce. Ignores add() and nonce(); uses the times.
  std::string signSingle(std::string_view serialHex, const OcspCertStatus& status,
                         std::string_view hashAlgorithm = "SHA1") const;

  // The DER of an unsuccessful OCSPResponse: no body, nothing signed, the
  // same bytes every time. Throws PkiError for `successful`.
  static std::string errorResponse(OcspResponseStatus status);

 private:
  using Entry = std::pair<OcspCertId, OcspCertStatus>;

  std::string build(const std::vector<Entry>& entries,
                    const std::optional<std::string>& nonce) const;

  Certificate issuer_;
  Certificate responder_;
  const PrivateKey& responderKey_;
  std::optional<TimePoint> thisUpdate_;
  std::optional<TimePoint> nextUpdate_;
  std::optional<std::chrono::seconds> validFor_;
  std::optional<std::string> nonce_;
  std::vector<Entry> entries_;
};

}  // namespace certctl::sdk::pki
