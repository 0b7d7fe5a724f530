// The JSON objects of RFC 8555 §7.1 as this server renders them.
#include <chrono>

#include "core/domain/timestamps.h"
#include "core/protocols/acme/acme_server.h"

namespace certctl::protocols::acme {

namespace {

using nlohmann::json;

std::string rfc3339(long long unixSeconds) {
  return domain::formatRfc3339(domain::TimePoint(std::chrono::seconds(unixSeconds)));
}

json storedJson(const std::string& text) {
  if (text.empty()) return nullptr;
  json value = json::parse(text, nullptr, false);
  return value.is_discarded() ? json() : value;
}

}  // namespace

json AcmeServer::accountJson(const Context& ctx, const AcmeAccount& account) const {
  json out = {{"status", account.status},
              {"contact", storedJson(account.contact)},
              {"orders", ctx.base + "/account/" + account.id + "/orders"},
              {"createdAt", rfc3339(account.createdAt)}};
  if (!out["contact"].is_array()) out["contact"] = json::array();
  if (account.termsAgreed) out["termsOfServiceAgreed"] = true;
  return out;
}

json AcmeServer::orderJson(const Context& ctx, const AcmeOrder& order) {
  std::string status = order.status;
  // An order left pending or ready past its expiry is dead (RFC 8555 §7.1.6).
  if ((status == "pending" || status == "ready") && order.expiresAt <= unixNow())
    status = "invalid";
  json authorizations = json::array();
  for (const auto& a : store_.authorizationsOfOrder(order.id))
    authorizations.push_back(ctx.base + "/authz/" + a.id);
  json out = {{"status", status},
              {"expires", rfc3339(order.expiresAt)},
              {"identifiers", storedJson(order.identifiers)},
              {"authorizations", authorizations},
              {"finalize", ctx.base + "/order/" + order.id + "/finalize"}};
  if (!order.certificateId.empty()) out["certificate"] = ctx.base + "/cert/" + order.certificateId;
  if (!order.error.empty()) out["error"] = storedJson(order.error);
  if (!order.replaces.empty()) out["replaces"] = order.replaces;
  return out;
}

json AcmeServer::authorizationJson(const Context& ctx, const AcmeAuthorization& authz) const {
  json challenges = json::array();
  for (const auto& c : authz.challenges) challenges.push_back(challengeJson(ctx, c));
  std::string status = authz.status;
  if (status == "pending" && authz.expiresAt <= unixNow()) status = "expired";
  json out = {{"identifier", {{"type", authz.identifierType}, {"value", authz.identifierValue}}},
              {"status", status},
              {"expires", rfc3339(authz.expiresAt)},
              {"challenges", challenges}};
  if (authz.wildcard) out["wildcard"] = true;
  return out;
}

json AcmeServer::challengeJson(const Context& ctx, const AcmeChallenge& challenge) const {
  json out = {{"type", challenge.type},
              {"url", ctx.base + "/challenge/" + challenge.id},
              {"status", challenge.status},
              {"token", challenge.token}};
  if (challenge.validatedAt > 0) out["validated"] = rfc3339(challenge.validatedAt);
  if (!challenge.error.empty()) out["error"] = storedJson(challenge.error);
  return out;
}

}  // namespace certctl::protocols::acme
