// Certificate download, revokeCert (RFC 8555 §7.4.2, §7.6) and renewalInfo
// (RFC 9773).
#include <openssl/x509.h>

#include <chrono>

#include "core/domain/json_fields.h"
#include "core/domain/timestamps.h"
#include "core/protocols/acme/acme_problem.h"
#include "core/protocols/acme/acme_server.h"
#include "core/protocols/acme/ari_cert_id.h"
#include "core/services/resource_repository.h"
#include "core/services/revocation_service.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/revocation_reason.h"

namespace certctl::protocols::acme {

namespace {

using nlohmann::json;
namespace pki = sdk::pki;

constexpr int kRenewalInfoRetryAfter = 6 * 3600;

std::string publicKeyDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string revocationReason(const json& payload) {
  auto it = payload.find("reason");
  if (it == payload.end() || it->is_null()) return "unspecified";
  if (!it->is_number_integer())
    throw AcmeProblem("badRevocationReason", 400, "\"reason\" must be an RFC 5280 reason code");
  auto reason = pki::revocationReasonFromCode(it->get<int>());
  if (!reason) throw AcmeProblem("badRevocationReason", 400, "unknown revocation reason code");
  try {
    return services::RevocationService::canonicalReason(
        std::string(pki::revocationReasonName(*reason)));
  } catch (const std::exception&) {
    throw AcmeProblem("badRevocationReason", 400,
                      "revocation reason " + std::string(pki::revocationReasonName(*reason)) +
                          " is not accepted here");
  }
}

}  // namespace

http::Response AcmeServer::certificate(Context& ctx) {
  Signed s = authenticate(ctx, KeyRule::KidOnly);
  auto order = store_.orderByCertificate(ctx.req.param("cert_id"));
  if (!order || order->profileId != ctx.profileId || order->certificatePem.empty())
    throw notFound("no such certificate");
  if (order->accountId != s.account->id)
    throw unauthorized("the certificate belongs to another account");
  http::Response response;
  response.status = 200;
  response.contentType = "application/pem-certificate-chain";
  response.body = order->certificatePem;
  return response;
}

http::Response AcmeServer::revokeCert(Context& ctx) {
  Signed s = authenticate(ctx, KeyRule::Either);
  json payload = s.jws.payloadObject();
  if (!payload.contains("certificate") || !payload["certificate"].is_string())
    throw malformed("revokeCert needs \"certificate\": the base64url DER certificate");
  std::optional<pki::Certificate> cert;
  try {
    cert.emplace(pki::Certificate::fromDer(
        pki::base64UrlDecode(payload["certificate"].get<std::string>(), "certificate"),
        pki::KeyDecoding::Deferred));
  } catch (const std::exception&) {
    throw malformed("\"certificate\" is not a base64url DER certificate");
  }
  std::string reason = revocationReason(payload);
  auto order = store_.orderBySerial(ctx.profileId, cert->serialHex());
  bool ours = false;
  if (order && !order->certificatePem.empty()) {
    auto chain = pki::Certificate::chainFromPem(order->certificatePem, pki::KeyDecoding::Deferred);
    ours = !chain.empty() && chain.front().toDer() == cert->toDer();
  }
  if (!ours) throw notFound("this server issued no such certificate through ACME");

  std::string actor;
  if (s.account) {
    if (order->accountId != s.account->id)
      throw unauthorized("only the account that ordered the certificate may revoke it");
    actor = s.account->id;
  } else {
    // Signed with the certificate's own key (§7.6).
    if (publicKeyDer(s.jws.jwk->key.get()) != cert->publicKeyDer())
      throw unauthorized("the JWS is not signed by the certificate's key");
    actor = "acme-certificate-key";
    ctx.req.actor = actor;
  }
  if (!issuance_.revoke(order->certificateId, reason, actor, ctx.req.requestId))
    throw AcmeProblem("alreadyRevoked", 400, "the certificate is already revoked");
  audit(ctx, actor, "acme.certificate.revoked", "certificates", order->certificateId,
        {{"reason", reason}, {"serial_number", cert->serialHex()}});
  http::Response response;
  response.status = 200;
  response.contentType.clear();
  return response;
}

http::Response AcmeServer::renewalInfo(Context& ctx) {
  AriCertId id = parseAriCertId(ctx.req.param("cert_id"));
  auto order = store_.orderBySerial(ctx.profileId, id.serialHex());
  if (!order || order->certificatePem.empty()) throw notFound("no such certificate");
  auto chain = pki::Certificate::chainFromPem(order->certificatePem, pki::KeyDecoding::Deferred);
  if (chain.empty() || ariCertIdOf(chain.front()).keyIdentifier != id.keyIdentifier)
    throw notFound("no such certificate");
  const auto& leaf = chain.front();
  auto notBefore = std::chrono::time_point_cast<std::chrono::seconds>(leaf.notBefore());
  auto notAfter = std::chrono::time_point_cast<std::chrono::seconds>(leaf.notAfter());
  auto lifetime = notAfter - notBefore;
  // The last third of the lifetime, ending a little before expiry so that
  // a client picking a random time in it still renews in time.
  domain::TimePoint start(notBefore.time_since_epoch() + lifetime * 2 / 3);
  domain::TimePoint end(notBefore.time_since_epoch() + lifetime * 11 / 12);
  auto certificate = resources_.get(domain::requireResource("certificates"), order->certificateId);
  if (certificate && certificate->value("status", std::string()) == "Revoked") {
    // A revoked certificate is to be replaced now (RFC 9773 §4.2).
    auto now = domain::nowSeconds();
    start = now - std::chrono::hours(1);
    end = now;
  }
  auto response = http::Response::json(
      200, {{"suggestedWindow",
             {{"start", domain::formatRfc3339(start)}, {"end", domain::formatRfc3339(end)}}}});
  response.setHeader("Retry-After", std::to_string(kRenewalInfoRetryAfter));
  return response;
}

}  // namespace certctl::protocols::acme
