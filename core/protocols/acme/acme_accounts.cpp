// newAccount, account update/deactivation and keyChange (RFC 8555 §7.3).
#include "core/protocols/acme/acme_contacts.h"
#include "core/protocols/acme/acme_problem.h"
#include "core/protocols/acme/acme_server.h"
#include "core/services/resource_service.h"

namespace certctl::protocols::acme {

namespace {

using nlohmann::json;

bool flag(const json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || it->is_null()) return false;
  if (!it->is_boolean()) throw malformed(std::string("\"") + name + "\" must be a boolean");
  return it->get<bool>();
}

http::Response withLocation(http::Response response, const std::string& location) {
  response.setHeader("Location", location);
  return response;
}

}  // namespace

http::Response AcmeServer::newAccount(Context& ctx) {
  Signed s = authenticate(ctx, KeyRule::JwkOnly);
  json payload = s.jws.payloadObject();
  const Jwk& key = *s.jws.jwk;
  auto existing = store_.accountByThumbprint(ctx.profileId, key.thumbprint);
  if (existing) {
    if (existing->status != "valid") throw unauthorized("the account is " + existing->status);
    ctx.req.actor = existing->id;
    return withLocation(http::Response::json(200, accountJson(ctx, *existing)),
                        ctx.base + "/account/" + existing->id);
  }
  if (flag(payload, "onlyReturnExisting"))
    throw AcmeProblem("accountDoesNotExist", 400, "no account exists with this key");
  bool agreed = flag(payload, "termsOfServiceAgreed");
  if (!settings_.termsOfServiceUrl.empty() && !agreed) {
    AcmeProblem problem("userActionRequired", 403,
                        "agree to the terms of service (termsOfServiceAgreed)");
    problem.extra["instance"] = settings_.termsOfServiceUrl;
    throw problem;
  }
  AcmeAccount account;
  account.id = services::generateId("acct-", "");
  account.profileId = ctx.profileId;
  account.jwk = canonicalJwk(key);
  account.thumbprint = key.thumbprint;
  account.contact = validateContacts(payload.value("contact", json())).dump();
  account.termsAgreed = agreed;
  account.createdAt = unixNow();
  if (!store_.createAccount(account)) {  // the same key registered concurrently
    existing = store_.accountByThumbprint(ctx.profileId, key.thumbprint);
    if (!existing) throw AcmeProblem("serverInternal", 500, "the account could not be stored");
    return withLocation(http::Response::json(200, accountJson(ctx, *existing)),
                        ctx.base + "/account/" + existing->id);
  }
  ctx.req.actor = account.id;
  audit(ctx, account.id, "acme.account.created", "acme_accounts", account.id,
        {{"thumbprint", account.thumbprint}});
  return withLocation(http::Response::json(201, accountJson(ctx, account)),
                      ctx.base + "/account/" + account.id);
}

http::Response AcmeServer::accountUpdate(Context& ctx) {
  Signed s = authenticate(ctx, KeyRule::KidOnly);
  AcmeAccount& account = *s.account;
  if (ctx.req.param("acc_id") != account.id)
    throw unauthorized("an account can only be read or changed by its own key");
  if (!s.jws.postAsGet()) {
    json payload = s.jws.payloadObject();
    std::string contact = account.contact;
    std::string status = account.status;
    if (payload.contains("contact")) contact = validateContacts(payload["contact"]).dump();
    if (payload.contains("status")) {
      if (payload["status"] != "deactivated")
        throw malformed("an account's status can only be changed to \"deactivated\"");
      status = "deactivated";
    }
    if (contact != account.contact || status != account.status) {
      store_.updateAccount(account.id, contact, status);
      audit(ctx, account.id,
            status != account.status ? "acme.account.deactivated" : "acme.account.updated",
            "acme_accounts", account.id);
      account.contact = contact;
      account.status = status;
    }
  }
  return withLocation(http::Response::json(200, accountJson(ctx, account)),
                      ctx.base + "/account/" + account.id);
}

// RFC 8555 7.1.2.1: the account's orders, by POST-as-GET with its own key,
// newest first, a page at a time: a fuller list has a Link rel="next" to
// the same URL with ?cursor=<the last order id of this page>.
http::Response AcmeServer::accountOrders(Context& ctx) {
  Signed s = authenticate(ctx, KeyRule::KidOnly);
  if (ctx.req.param("acc_id") != s.account->id)
    throw unauthorized("an account's orders can only be read with its own key");
  if (!s.jws.postAsGet()) throw malformed("the orders list is read by POST-as-GET (empty payload)");
  std::string cursor;
  for (const auto& [name, value] : ctx.req.query) {
    if (name != "cursor" || !cursor.empty())
      throw malformed("the orders list takes one query parameter, cursor");
    cursor = value;
    if (cursor.empty() || cursor.size() > 128)
      throw malformed("cursor must be an order id from a rel=\"next\" link");
  }
  // One more than a page tells whether a next page exists.
  const int pageSize = settings_.ordersPageSize;
  auto ids = store_.liveOrderIds(s.account->id, unixNow(), pageSize + 1, cursor);
  if (!ids) throw malformed("cursor is not an order of this account");
  const bool more = static_cast<int>(ids->size()) > pageSize;
  if (more) ids->resize(pageSize);
  json orders = json::array();
  for (const auto& id : *ids) orders.push_back(ctx.base + "/order/" + id);
  auto response = http::Response::json(200, json{{"orders", std::move(orders)}});
  if (more)
    response.setHeader("Link", "<" + ctx.base + "/account/" + s.account->id +
                                   "/orders?cursor=" + ids->back() + ">;rel=\"next\"");
  return response;
}

http::Response AcmeServer::keyChange(Context& ctx) {
  Signed outer = authenticate(ctx, KeyRule::KidOnly);
  AcmeAccount& account = *outer.account;
  json innerBody = outer.jws.payloadObject();
  Jws inner = parseJws(innerBody);
  if (!inner.jwk) throw malformed("the inner JWS of keyChange must carry the new key as \"jwk\"");
  if (inner.nonce) throw malformed("the inner JWS of keyChange must not have a nonce");
  if (inner.url != outer.jws.url)
    throw malformed("the inner JWS url must be the same as the outer one");
  verifyJws(inner, *inner.jwk);
  json payload = inner.payloadObject();
  const std::string accountUrl = ctx.base + "/account/" + account.id;
  if (payload.value("account", json()) != accountUrl)
    throw malformed("the keyChange \"account\" is not the signer's account URL");
  if (!payload.contains("oldKey")) throw malformed("the keyChange payload needs \"oldKey\"");
  if (parseJwk(payload["oldKey"]).thumbprint != account.thumbprint)
    throw malformed("\"oldKey\" is not the account's current key");
  const Jwk& newKey = *inner.jwk;
  auto conflict = [&](const std::string& holder) {
    AcmeProblem problem("malformed", 409, "the new key is already in use by an account");
    problem.headers.emplace_back("Location", ctx.base + "/account/" + holder);
    return problem;
  };
  if (newKey.thumbprint == account.thumbprint)
    throw malformed("the new key is the account's current key");
  if (auto holder = store_.accountByThumbprint(ctx.profileId, newKey.thumbprint))
    throw conflict(holder->id);
  if (!store_.changeAccountKey(account.id, canonicalJwk(newKey), newKey.thumbprint)) {
    auto holder = store_.accountByThumbprint(ctx.profileId, newKey.thumbprint);
    throw conflict(holder ? holder->id : account.id);
  }
  audit(ctx, account.id, "acme.account.key_changed", "acme_accounts", account.id,
        {{"old_thumbprint", account.thumbprint}, {"new_thumbprint", newKey.thumbprint}});
  account.jwk = canonicalJwk(newKey);
  account.thumbprint = newKey.thumbprint;
  return withLocation(http::Response::json(200, accountJson(ctx, account)), accountUrl);
}

}  // namespace certctl::protocols::acme
