// EstServer::enroll: simpleenroll, simplereenroll and serverkeygen share one
// gate sequence (auth, CSR, renewal match, channel binding, limits) so every
// door checks the same things in the same order.
#include <spdlog/spdlog.h>

#include "core/domain/errors.h"
#include "core/domain/json_fields.h"
#include "core/protocols/est/est_audit.h"
#include "core/protocols/est/est_channel_binding.h"
#include "core/protocols/est/est_server.h"
#include "core/protocols/est/est_server_keygen.h"
#include "core/protocols/est/est_wire.h"
#include "core/protocols/renewal_match.h"
#include "sdk/pki/csr_rekey.h"

namespace certctl::protocols::est {

namespace {

namespace pki = sdk::pki;

struct OperationNames {
  const char* success;
  const char* failed;
};

OperationNames namesOf(EstServer::Operation operation) {
  switch (operation) {
    case EstServer::Operation::SimpleReenroll:
      return {action::kSimpleReenrollSuccess, action::kSimpleReenrollFailed};
    case EstServer::Operation::ServerKeygen:
      return {action::kServerKeygenSuccess, action::kServerKeygenFailed};
    default:
      return {action::kSimpleEnrollSuccess, action::kSimpleEnrollFailed};
  }
}

std::string sourceIp(const http::Request& request) {
  return request.clientIp.empty() ? request.peerAddress : request.clientIp;
}

http::Response basicChallenge(const std::string& message) {
  auto response = estError(401, message);
  response.setHeader("WWW-Authenticate", "Basic realm=\"certctl EST\"");
  return response;
}

std::string peerSubject(const std::string& der) {
  try {
    return pki::Certificate::fromDer(der, pki::KeyDecoding::Deferred).subjectString();
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace

http::Response EstServer::enroll(EstProfile& profile, Operation operation, bool mtlsRoute,
                                 http::Request& request) {
  const auto& s = profile.settings();
  const std::string ip = sourceIp(request);
  const OperationNames names = namesOf(operation);
  auto audit = [&](const char* action, nlohmann::json details, int status) {
    recordEstEvent(deps_.audit, request, action, s.pathId, std::move(details), status);
  };

  // 1. Authentication: HTTP Basic on /est/, the client certificate on
  //    /est-mtls/ (and for every renewal, which renews that certificate).
  if (!mtlsRoute && profile.basicAuth().required()) {
    if (basicFailures_.exhausted(ip)) {
      audit(action::kAuthFailedBasic, {{"reason", "source locked out"}}, 429);
      auto response = estError(429, "too many failed EST authentications from this address");
      response.setHeader("Retry-After", std::to_string(basicFailures_.retryAfterSeconds(ip)));
      return response;
    }
    const std::string credentials = request.header("authorization");
    if (credentials.empty()) {
      // The usual first request of an HTTP client before it sends credentials:
      // challenged, but no guess, so it does not count towards the lockout.
      return basicChallenge("EST enrollment requires HTTP Basic authentication");
    }
    if (!profile.basicAuth().allows(credentials)) {
      basicFailures_.add(ip);
      audit(action::kAuthFailedBasic, {{"reason", "wrong enrollment password"}}, 401);
      return basicChallenge("EST enrollment requires HTTP Basic authentication");
    }
    basicFailures_.reset(ip);  // the lockout counts consecutive failures
    request.actor = "est-basic";
  }
  std::optional<pki::Certificate> clientCertificate;
  if (mtlsRoute || operation == Operation::SimpleReenroll) {
    std::string why = profile.trustAnchor()
                          ? profile.trustAnchor()->verify(request.peerCertificateDer, s.issuerId,
                                                          deps_.revocations)
                          : "this profile has no client CA trust bundle";
    if (!why.empty()) {
      audit(action::kAuthFailedMtls,
            {{"reason", why}, {"subject", peerSubject(request.peerCertificateDer)}}, 401);
      return estError(401, "client certificate refused: " + why);
    }
    clientCertificate =
        pki::Certificate::fromDer(request.peerCertificateDer, pki::KeyDecoding::Deferred);
    request.actor = "est-mtls";
  }

  // 2. The CSR, and for a renewal its match with the certificate it renews.
  std::optional<pki::Csr> csr;
  try {
    csr.emplace(parseCsrBody(request));
  } catch (const domain::ApiError& e) {
    audit(names.failed, {{"reason", e.what()}}, 400);
    return estError(400, e.what());
  }
  if (operation == Operation::SimpleReenroll) {
    std::string mismatch = renewalMismatch(*clientCertificate, *csr);
    if (!mismatch.empty()) {
      audit(names.failed, {{"reason", mismatch}, {"subject", clientCertificate->subjectString()}},
            403);
      return estError(403, "simplereenroll refused: " + mismatch);
    }
  }

  // 3. RFC 9266 channel binding.
  if (s.channelBindingRequired) {
    switch (checkChannelBinding(request, *csr)) {
      case ChannelBinding::Ok:
        break;
      case ChannelBinding::NotTls13:
        audit(action::kAuthFailedChannelBinding, {{"reason", "ErrChannelBindingNotTLS13"}}, 426);
        return estError(426, "channel binding needs TLS 1.3 (tls-exporter, RFC 9266)");
      case ChannelBinding::Missing:
        audit(action::kAuthFailedChannelBinding, {{"reason", "ErrChannelBindingMissing"}}, 400);
        return estError(400,
                        "channel binding is required: put base64 of the TLS 1.3 tls-exporter "
                        "value in the CSR's challengePassword");
      case ChannelBinding::Mismatch:
        spdlog::warn("EST profile {}: channel binding mismatch from {} (possible MITM)", s.pathId,
                     ip);
        audit(action::kAuthFailedChannelBinding, {{"reason", "ErrChannelBindingMismatch"}}, 409);
        return estError(409, "the CSR's channel binding does not match this TLS session");
    }
  }

  // 4. Per-(CN, source IP) cap.
  if (auto* limiter = profile.principalLimiter()) {
    std::string principal = csr->subjectCommonName() + "|" + ip;
    if (!limiter->tryAdd(principal)) {
      audit(action::kRateLimited, {{"common_name", csr->subjectCommonName()}}, 429);
      auto response = estError(429, "enrollment limit for this common name and address reached");
      response.setHeader("Retry-After", std::to_string(limiter->retryAfterSeconds(principal)));
      return response;
    }
  }

  // 5. Issuance through the same service as every other door.
  try {
    if (operation != Operation::ServerKeygen) {
      // A renewal adds a version to the certificate it renews.
      auto enrolled = operation == Operation::SimpleReenroll
                          ? deps_.issuance.reenrollCsr(clientCertificate->serialHex(), s.issuerId,
                                                       *csr, "est", s.profileId)
                          : deps_.issuance.enrollCsr(s.issuerId, *csr, "est", s.profileId);
      const auto& certificate = enrolled.certificate;
      nlohmann::json details = {{"certificate_id", enrolled.certificateId},
                                {"serial", certificate.serialHex()},
                                {"subject", certificate.subjectString()}};
      if (clientCertificate) details["client_certificate_serial"] = clientCertificate->serialHex();
      audit(names.success, std::move(details), 200);
      request.auditInBackground = true;  // certificate.issued was committed with the version
      return certsOnlyResponse({certificate});
    }
    if (!csr->verifySignature())
      throw domain::badRequest("csr", "the CSR's signature does not verify");
    if (csr->keyAlgorithm() != "RSA") {
      audit(names.failed, {{"reason", "ErrServerKeygenRequiresKeyEncipherment"}}, 400);
      return estError(400,
                      "serverkeygen wraps the key to the CSR's public key, which must be RSA "
                      "(keyTrans); this CSR carries " +
                          csr->keyAlgorithm());
    }
    nlohmann::json certificateProfile;
    if (auto found =
            deps_.resources.repository().get(domain::requireResource("profiles"), s.profileId))
      certificateProfile = *found;
    pki::PrivateKey key = generateServerKey(certificateProfile);
    auto enrolled =
        deps_.issuance.enrollCsr(s.issuerId, pki::rekeyCsr(*csr, key), "est", s.profileId);
    const auto& certificate = enrolled.certificate;
    auto response = serverKeygenResponse(key, *csr, certificate);
    audit(names.success,
          {{"certificate_id", enrolled.certificateId},
           {"serial", certificate.serialHex()},
           {"subject", certificate.subjectString()},
           {"key_algorithm", key.algorithm()}},
          200);
    return response;
  } catch (const domain::ApiError& e) {
    if (e.kind() == domain::ErrorKind::BadRequest) {
      audit(action::kCsrPolicyViolation, {{"reason", e.what()}}, 400);
      audit(names.failed, {{"reason", e.what()}}, 400);
      return estError(400, e.what());
    }
    audit(names.failed, {{"reason", e.what()}}, 0);
    throw;
  } catch (const std::exception& e) {
    audit(names.failed, {{"reason", e.what()}}, 500);
    throw;
  }
}

}  // namespace certctl::protocols::est
