#include "core/protocols/acme/acme_server.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>

#include <map>

#include "core/domain/errors.h"
#include "core/domain/json_fields.h"
#include "core/protocols/acme/acme_problem.h"
#include "core/services/audit_log.h"
#include "core/services/resource_repository.h"

namespace certctl::protocols::acme {

namespace {

using nlohmann::json;

// The problem an API error from the services becomes: a profile or policy
// refusal keeps its message; an internal failure does not leak.
AcmeProblem fromApiError(const domain::ApiError& e) {
  switch (e.kind()) {
    case domain::ErrorKind::BadRequest:
      return {e.code() == "policy_violation" ? "rejectedIdentifier" : "badCSR", 400, e.what()};
    case domain::ErrorKind::Forbidden:
    case domain::ErrorKind::Unauthorized:
      return {"unauthorized", 403, e.what()};
    case domain::ErrorKind::NotFound:
      return notFound(e.what());
    case domain::ErrorKind::Conflict:
      return {"malformed", 409, e.what()};
    case domain::ErrorKind::PayloadTooLarge:
      return {"malformed", 413, e.what()};
    case domain::ErrorKind::Unavailable:
      return {"serverInternal", 503, e.what()};
  }
  return {"serverInternal", 500, "internal error"};
}

bool plainId(const std::string& id) {
  return !id.empty() && id.size() <= 128 &&
         id.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
             std::string::npos;
}

// RFC 8555 6.4: the JWS "url" is the URL of the request, its query included
// (the orders list's next page). The query is compared decoded, as the
// request's own was.
bool isUrlOf(const std::string& url, const http::Request& req, const std::string& publicUrl) {
  const size_t mark = url.find('?');
  if (url.compare(0, mark, publicUrl + req.path) != 0) return false;
  if (mark == std::string::npos) return req.query.empty();
  try {
    Poco::URI parsed;
    parsed.setRawQuery(url.substr(mark + 1));
    std::multimap<std::string, std::string> query;
    for (auto& [name, value] : parsed.getQueryParameters()) query.emplace(name, value);
    return query == req.query;
  } catch (const Poco::Exception&) {
    return false;
  }
}

bool profileEnabled(const json& profile) {
  auto it = profile.find("enabled");
  if (it == profile.end() || it->is_null()) return true;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<long long>() != 0;
  return true;
}

}  // namespace

AcmeServer::AcmeServer(AcmeStore& store, services::ResourceRepository& resources,
                       AcmeIssuance& issuance, services::AuditLog& audit,
                       AcmeServerSettings settings, std::shared_ptr<ChallengeValidator> validator)
    : store_(store),
      resources_(resources),
      issuance_(issuance),
      audit_(audit),
      settings_(std::move(settings)),
      validator_(std::move(validator)),
      nonces_(store_, settings_.nonceTtl) {
  while (!settings_.publicUrl.empty() && settings_.publicUrl.back() == '/')
    settings_.publicUrl.pop_back();
}

http::Response AcmeServer::handle(Endpoint endpoint, http::Request& req) {
  return respond(req, [&](Context& ctx) { return dispatch(endpoint, ctx); });
}

http::Response AcmeServer::handleUnknown(http::Request& req,
                                         const std::vector<std::string>& allowed) {
  return respond(req, [&](Context&) -> http::Response {
    if (allowed.empty()) throw notFound("no such ACME resource: " + req.path.substr(0, 256));
    std::string list;
    for (const auto& m : allowed) list += (list.empty() ? "" : ", ") + m;
    AcmeProblem problem("malformed", 405, "method " + req.method + " is not allowed here");
    problem.headers.emplace_back("Allow", list);
    throw problem;
  });
}

http::Response AcmeServer::respond(http::Request& req,
                                   const std::function<http::Response(Context&)>& work) {
  http::Response response;
  try {
    if (req.body.size() > 0 && req.method == "GET") throw malformed("GET requests have no body");
    Context ctx = context(req);
    response = work(ctx);
  } catch (const AcmeProblem& problem) {
    response = problemResponse(problem);
  } catch (const domain::ApiError& e) {
    response = problemResponse(fromApiError(e));
  } catch (const std::exception& e) {
    spdlog::error("ACME {} {} failed: {} (request_id={})", req.method, req.path, e.what(),
                  req.requestId);
    response = problemResponse({"serverInternal", 500, "internal server error"});
  }
  addCommonHeaders(req, response);
  return response;
}

http::Response AcmeServer::pipelineProblem(const http::Request& req, int status,
                                           const std::string& detail) {
  http::Response response = acme::pipelineProblem(status, detail);
  addCommonHeaders(req, response);
  return response;
}

void AcmeServer::addCommonHeaders(const http::Request& req, http::Response& response) {
  // The path's profile id goes into a header: only when it looks like an id.
  // Without a matched route (the pipeline's own errors) it is read from the path.
  std::string profileId;
  if (auto param = req.pathParams.find("id"); param != req.pathParams.end())
    profileId = param->second;
  else if (const std::string prefix = "/acme/profile/"; req.path.rfind(prefix, 0) == 0)
    profileId = req.path.substr(prefix.size(), req.path.find('/', prefix.size()) - prefix.size());
  bool viaProfile = !profileId.empty() && plainId(profileId);
  std::string index = settings_.publicUrl + "/acme" +
                      (viaProfile ? "/profile/" + profileId : std::string()) + "/directory";
  try {
    response.setHeader("Replay-Nonce", nonces_.issue());
  } catch (const std::exception& e) {
    spdlog::error("ACME: cannot issue a nonce: {}", e.what());
  }
  // Several links share one header (RFC 8288 §3): a handler's rel="up"
  // comes after the index.
  std::string link = "<" + index + ">;rel=\"index\"";
  for (auto& [name, value] : response.headers)
    if (name == "Link") link += ", " + value;
  response.setHeader("Link", link);
}

AcmeServer::Context AcmeServer::context(http::Request& req) {
  auto param = req.pathParams.find("id");
  std::string profileId =
      param != req.pathParams.end() ? param->second : settings_.defaultProfileId;
  if (profileId.empty())
    throw notFound(
        "no default ACME profile is configured: use /acme/profile/<profile-id>/directory");
  std::optional<json> profile;
  if (plainId(profileId)) profile = resources_.get(domain::requireResource("profiles"), profileId);
  if (!profile || !profileEnabled(*profile))
    throw notFound("no ACME directory for profile " + profileId.substr(0, 128) +
                   " (unknown or disabled)");
  std::string mode = profile->value("acme_auth_mode", json("trust_authenticated")).is_string()
                         ? profile->value("acme_auth_mode", std::string("trust_authenticated"))
                         : std::string("trust_authenticated");
  std::string base = settings_.publicUrl + "/acme" +
                     (param != req.pathParams.end() ? "/profile/" + profileId : std::string());
  return Context{req, profileId, mode, base};
}

http::Response AcmeServer::dispatch(Endpoint endpoint, Context& ctx) {
  switch (endpoint) {
    case Endpoint::Directory:
      return directory(ctx);
    case Endpoint::NewNonce:
      return newNonce(ctx);
    case Endpoint::NewAccount:
      return newAccount(ctx);
    case Endpoint::Account:
      return accountUpdate(ctx);
    case Endpoint::NewOrder:
      return newOrder(ctx);
    case Endpoint::Order:
      return orderRead(ctx);
    case Endpoint::Finalize:
      return finalize(ctx);
    case Endpoint::Authorization:
      return authorizationRead(ctx);
    case Endpoint::Challenge:
      return challengeRespond(ctx);
    case Endpoint::Certificate:
      return certificate(ctx);
    case Endpoint::KeyChange:
      return keyChange(ctx);
    case Endpoint::RevokeCert:
      return revokeCert(ctx);
    case Endpoint::RenewalInfo:
      return renewalInfo(ctx);
    case Endpoint::AccountOrders:
      return accountOrders(ctx);
  }
  throw notFound("no such ACME resource");
}

AcmeServer::Signed AcmeServer::authenticate(Context& ctx, KeyRule rule) {
  std::string contentType = ctx.req.header("content-type");
  if (contentType.rfind("application/jose+json", 0) != 0)
    throw AcmeProblem("malformed", 415, "ACME requests are application/jose+json");
  Signed s{parseJwsText(ctx.req.body), std::nullopt};
  if (!s.jws.nonce) throw badNonce("the protected header has no nonce");
  if (!nonces_.consume(*s.jws.nonce))
    throw badNonce("the nonce is unknown, used or expired: take the Replay-Nonce of this answer");
  if (!isUrlOf(s.jws.url, ctx.req, settings_.publicUrl))
    throw unauthorized("the JWS url \"" + s.jws.url.substr(0, 256) +
                       "\" is not the URL of this request");
  if (s.jws.jwk) {
    if (rule == KeyRule::KidOnly)
      throw malformed("this request must be signed with the account key named by \"kid\"");
    verifyJws(s.jws, *s.jws.jwk);
    return s;
  }
  if (rule == KeyRule::JwkOnly) throw malformed("this request must carry the key as \"jwk\"");
  const std::string prefix = ctx.base + "/account/";
  const std::string& kid = *s.jws.kid;
  if (kid.rfind(prefix, 0) != 0) throw AcmeProblem("accountDoesNotExist", 400, "unknown kid");
  auto account = store_.account(kid.substr(prefix.size()));
  if (!account || account->profileId != ctx.profileId)
    throw AcmeProblem("accountDoesNotExist", 400, "no account " + kid.substr(0, 256));
  verifyJws(s.jws, parseJwk(json::parse(account->jwk)));
  if (account->status != "valid") throw unauthorized("the account is " + account->status);
  ctx.req.actor = account->id;
  s.account = std::move(account);
  return s;
}

http::Response AcmeServer::directory(const Context& ctx) {
  json meta = {{"externalAccountRequired", false}};
  if (!settings_.termsOfServiceUrl.empty()) meta["termsOfService"] = settings_.termsOfServiceUrl;
  return http::Response::json(200, {{"newNonce", ctx.base + "/new-nonce"},
                                    {"newAccount", ctx.base + "/new-account"},
                                    {"newOrder", ctx.base + "/new-order"},
                                    {"revokeCert", ctx.base + "/revoke-cert"},
                                    {"keyChange", ctx.base + "/key-change"},
                                    {"renewalInfo", ctx.base + "/renewal-info"},
                                    {"meta", meta}});
}

http::Response AcmeServer::newNonce(const Context& ctx) {
  http::Response response;
  response.status = ctx.req.method == "HEAD" ? 200 : 204;
  response.contentType.clear();
  response.setHeader("Cache-Control", "no-store");
  return response;
}

void AcmeServer::audit(const Context& ctx, const std::string& accountId, const std::string& action,
                       const std::string& resourceType, const std::string& resourceId,
                       json details) {
  services::AuditEvent event;
  event.actor = accountId;
  event.actorType = "acme_account";
  event.action = action;
  event.resourceType = resourceType;
  event.resourceId = resourceId;
  event.method = ctx.req.method;
  event.path = ctx.req.path;
  event.requestId = ctx.req.requestId;
  details["profile_id"] = ctx.profileId;
  event.details = std::move(details);
  try {
    audit_.record(std::move(event), true);
  } catch (const std::exception& e) {
    spdlog::error("audit of {} failed: {}", action, e.what());
  }
}

}  // namespace certctl::protocols::acme
