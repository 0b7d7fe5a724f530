// newOrder, orders, authorizations, challenges and finalize (RFC 8555 §7.4-7.5).
#include <spdlog/spdlog.h>

#include "core/domain/errors.h"
#include "core/protocols/acme/acme_problem.h"
#include "core/protocols/acme/acme_server.h"
#include "core/protocols/acme/ari_cert_id.h"
#include "core/services/resource_service.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/csr.h"

namespace certctl::protocols::acme {

namespace {

using nlohmann::json;
namespace pki = sdk::pki;

constexpr long long kOrderLifetime = 7 * 24 * 3600;
constexpr long long kHour = 3600;

http::Response located(int status, json body, const std::string& location) {
  auto response = http::Response::json(status, body);
  response.setHeader("Location", location);
  return response;
}

// The RFC 8555 problem a validator's outcome becomes.
std::string validationError(const ChallengeOutcome& outcome) {
  std::string type = outcome.errorType;
  bool plain = !type.empty() && type.size() < 64 &&
               type.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
                   std::string::npos;
  return json{{"type", "urn:ietf:params:acme:error:" + (plain ? type : "incorrectResponse")},
              {"detail", outcome.detail.substr(0, 1024)},
              {"status", 403}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

void AcmeServer::checkOrderRate(const AcmeAccount& account) {
  long long now = unixNow();
  auto [count, oldest] = store_.ordersSince(account.id, now - kHour);
  if (count < settings_.ordersPerHour) return;
  long long retryAfter = std::max<long long>(1, oldest + kHour - now);
  AcmeProblem problem(
      "rateLimited", 429,
      "at most " + std::to_string(settings_.ordersPerHour) + " new orders per account and hour");
  problem.headers.emplace_back("Retry-After", std::to_string(retryAfter));
  throw problem;
}

std::vector<AcmeAuthorization> AcmeServer::newAuthorizations(
    const Context& ctx, const AcmeAccount& account, const std::vector<Identifier>& identifiers,
    long long expiresAt) const {
  bool trusted = ctx.authMode != "challenge";
  std::vector<AcmeAuthorization> out;
  for (const auto& id : identifiers) {
    AcmeAuthorization authz;
    authz.id = services::generateId("authz-", "");
    authz.accountId = account.id;
    authz.identifierType = id.type;
    authz.identifierValue = id.base();
    authz.wildcard = id.wildcard();
    authz.expiresAt = expiresAt;
    // trust_authenticated: the JWS-authenticated account is the proof.
    authz.status = trusted ? "valid" : "pending";
    if (!trusted) {
      std::vector<std::string> types;
      if (id.wildcard())
        types = {"dns-01"};  // RFC 8555 §7.1.3: only dns-01 proves a wildcard
      else if (id.type == "ip")
        types = {"http-01", "tls-alpn-01"};  // RFC 8738 §7
      else
        types = {"http-01", "dns-01", "tls-alpn-01"};
      for (const auto& type : types) {
        AcmeChallenge c;
        c.id = services::generateId("chall-", "");
        c.type = type;
        c.token = randomToken();
        authz.challenges.push_back(std::move(c));
      }
    }
    out.push_back(std::move(authz));
  }
  return out;
}

http::Response AcmeServer::newOrder(Context& ctx) {
  Signed s = authenticate(ctx, KeyRule::KidOnly);
  const AcmeAccount& account = *s.account;
  json payload = s.jws.payloadObject();
  for (const char* field : {"notBefore", "notAfter"})
    if (payload.contains(field) && !payload[field].is_null())
      throw malformed(std::string(field) +
                      " is not supported: the certificate profile decides the validity period");
  auto identifiers = parseIdentifiers(payload.value("identifiers", json()));

  AcmeOrder order;
  if (payload.contains("replaces") && !payload["replaces"].is_null()) {
    if (!payload["replaces"].is_string()) throw malformed("\"replaces\" must be a string");
    AriCertId replaced = parseAriCertId(payload["replaces"].get<std::string>());
    auto previous = store_.orderBySerial(ctx.profileId, replaced.serialHex());
    if (!previous || previous->accountId != account.id)
      throw malformed("\"replaces\" names no certificate this account ordered");
    order.replaces = replaced.text();
    if (auto other = store_.orderReplacing(ctx.profileId, order.replaces))
      throw AcmeProblem("alreadyReplaced", 409,
                        "order " + *other + " already replaces that certificate");
  }
  checkOrderRate(account);

  long long now = unixNow();
  order.id = services::generateId("ord-", "");
  order.accountId = account.id;
  order.profileId = ctx.profileId;
  order.createdAt = now;
  order.expiresAt = now + kOrderLifetime;
  json ids = json::array();
  for (const auto& id : identifiers) ids.push_back(id.json());
  order.identifiers = ids.dump();
  auto authorizations = newAuthorizations(ctx, account, identifiers, order.expiresAt);
  order.status = ctx.authMode == "challenge" ? "pending" : "ready";
  store_.createOrder(order, authorizations);
  audit(ctx, account.id, "acme.order.created", "acme_orders", order.id,
        {{"identifiers", ids}, {"status", order.status}});
  return located(201, orderJson(ctx, order), ctx.base + "/order/" + order.id);
}

AcmeOrder AcmeServer::ownOrder(const Context& ctx, const Signed& s, const std::string& id) {
  auto order = store_.order(id);
  if (!order || order->profileId != ctx.profileId) throw notFound("no such order");
  if (order->accountId != s.account->id) throw unauthorized("the order belongs to another account");
  return *order;
}

http::Response AcmeServer::orderRead(Context& ctx) {
  Signed s = authenticate(ctx, KeyRule::KidOnly);
  AcmeOrder order = ownOrder(ctx, s, ctx.req.param("ord_id"));
  return located(200, orderJson(ctx, order), ctx.base + "/order/" + order.id);
}

http::Response AcmeServer::finalize(Context& ctx) {
  Signed s = authenticate(ctx, KeyRule::KidOnly);
  AcmeOrder order = ownOrder(ctx, s, ctx.req.param("ord_id"));
  const std::string location = ctx.base + "/order/" + order.id;
  if (order.status != "ready" || order.expiresAt <= unixNow())
    throw AcmeProblem("orderNotReady", 403, "the order is " + order.status + ", not ready");
  json payload = s.jws.payloadObject();
  if (!payload.contains("csr") || !payload["csr"].is_string())
    throw malformed("finalize needs \"csr\": the base64url DER CSR");
  std::optional<pki::Csr> csr;
  try {
    csr.emplace(pki::Csr::fromDer(pki::base64UrlDecode(payload["csr"].get<std::string>(), "csr")));
  } catch (const std::exception&) {
    throw AcmeProblem("badCSR", 400, "\"csr\" is not a base64url DER PKCS#10 request");
  }
  if (!csr->verifySignature()) throw AcmeProblem("badCSR", 400, "the CSR's signature is wrong");
  std::vector<Identifier> identifiers;
  for (const auto& item : json::parse(order.identifiers))
    identifiers.push_back(
        {item.at("type").get<std::string>(), item.at("value").get<std::string>()});
  checkCsrNames(*csr, identifiers);

  if (!store_.setOrderStatus(order.id, "ready", "processing"))
    throw AcmeProblem("orderNotReady", 403, "the order is already being finalized");
  AcmeEnrollment enrolled;
  try {
    enrolled = issuance_.enroll(settings_.issuerId, *csr, ctx.profileId);
  } catch (...) {
    // The client may finalize again (another CSR, the policy fixed).
    store_.setOrderStatus(order.id, "processing", "ready");
    throw;
  }
  std::string pem = enrolled.certPem;
  if (!pem.empty() && pem.back() != '\n') pem += '\n';
  pem += enrolled.chainPem;
  std::string serial =
      pki::Certificate::fromPem(enrolled.certPem, pki::KeyDecoding::Deferred).serialHex();
  store_.completeOrder(order.id, enrolled.certificateId, serial, pem);
  audit(ctx, s.account->id, "acme.order.finalized", "acme_orders", order.id,
        {{"certificate_id", enrolled.certificateId}, {"serial_number", serial}});
  auto updated = store_.order(order.id);
  return located(200, orderJson(ctx, updated ? *updated : order), location);
}

http::Response AcmeServer::authorizationRead(Context& ctx) {
  Signed s = authenticate(ctx, KeyRule::KidOnly);
  auto authz = store_.authorization(ctx.req.param("authz_id"));
  if (!authz) throw notFound("no such authorization");
  if (authz->accountId != s.account->id)
    throw unauthorized("the authorization belongs to another account");
  if (!s.jws.postAsGet()) {
    json payload = s.jws.payloadObject();
    if (payload.value("status", json()) != "deactivated")
      throw malformed("an authorization can only be updated to {\"status\": \"deactivated\"}");
    store_.deactivateAuthorization(authz->id);
    audit(ctx, s.account->id, "acme.authorization.deactivated", "acme_authorizations", authz->id);
    authz = store_.authorization(authz->id);
  }
  return http::Response::json(200, authorizationJson(ctx, *authz));
}

void AcmeServer::startValidation(const AcmeAccount& account, const AcmeAuthorization& authz,
                                 const AcmeChallenge& challenge) {
  ChallengeCheck check{challenge.type, authz.identifierType, authz.identifierValue, challenge.token,
                       challenge.token + "." + account.thumbprint};
  auto validator = validator_;
  AcmeStore& store = store_;
  std::string id = challenge.id;
  workers_.post([validator, check, id, &store] {
    ChallengeOutcome outcome;
    try {
      outcome = validator->validate(check);
    } catch (const std::exception& e) {
      outcome = {false, "serverInternal", std::string("validation failed: ") + e.what()};
    }
    store.finishChallenge(id, outcome.valid, outcome.valid ? "" : validationError(outcome),
                          unixNow());
    spdlog::info("ACME {} challenge {} for {}: {}", check.type, id, check.identifier,
                 outcome.valid ? "valid" : "invalid");
  });
}

http::Response AcmeServer::challengeRespond(Context& ctx) {
  Signed s = authenticate(ctx, KeyRule::KidOnly);
  auto challenge = store_.challenge(ctx.req.param("chall_id"));
  if (!challenge) throw notFound("no such challenge");
  auto authz = store_.authorization(challenge->authorizationId);
  if (!authz || authz->accountId != s.account->id)
    throw unauthorized("the challenge belongs to another account");
  // An empty payload reads the challenge; "{}" asks for validation (§7.5.1).
  if (!s.jws.postAsGet() && challenge->status == "pending" && authz->status == "pending") {
    s.jws.payloadObject();
    if (!validator_)
      throw AcmeProblem("serverInternal", 500,
                        "no challenge validator is configured on this server");
    if (authz->expiresAt <= unixNow()) throw malformed("the authorization has expired");
    if (store_.startChallenge(challenge->id)) {
      challenge->status = "processing";
      audit(ctx, s.account->id, "acme.challenge.started", "acme_challenges", challenge->id,
            {{"type", challenge->type}, {"identifier", authz->identifierValue}});
      startValidation(*s.account, *authz, *challenge);
    }
    if (auto latest = store_.challenge(challenge->id)) challenge = latest;
  }
  auto response = http::Response::json(200, challengeJson(ctx, *challenge));
  response.setHeader("Link", "<" + ctx.base + "/authz/" + authz->id + ">;rel=\"up\"");
  return response;
}

}  // namespace certctl::protocols::acme
