#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/http/http_types.h"
#include "core/protocols/acme/acme_identifiers.h"
#include "core/protocols/acme/acme_issuance.h"
#include "core/protocols/acme/acme_nonces.h"
#include "core/protocols/acme/acme_store.h"
#include "core/protocols/acme/challenge_validator.h"
#include "core/protocols/acme/jws.h"
#include "core/protocols/acme/validation_workers.h"

namespace certctl::services {
class AuditLog;
class ResourceRepository;
}  // namespace certctl::services

namespace certctl::protocols::acme {

struct AcmeServerSettings {
  std::string publicUrl;               // CERTCTL_PUBLIC_URL: ACME URLs are built on it
  std::string defaultProfileId;        // CERTCTL_ACME_SERVER_DEFAULT_PROFILE_ID ("" = no /acme/...)
  std::string issuerId = "iss-local";  // CERTCTL_ACME_SERVER_ISSUER_ID
  std::chrono::seconds nonceTtl{600};  // CERTCTL_ACME_SERVER_NONCE_TTL
  int ordersPerHour = 300;             // CERTCTL_ACME_SERVER_ORDERS_PER_HOUR
  int ordersPageSize = 100;            // CERTCTL_ACME_SERVER_ORDERS_PAGE_SIZE
  std::string termsOfServiceUrl;       // CERTCTL_ACME_SERVER_TOS_URL
};

// The built-in ACME server (RFC 8555, RFC 9773 ARI) of docs/acme-server.md.
// One instance serves every profile: /acme/profile/{id}/... and the
// /acme/... shorthand for the default profile. Thread-safe; its state is
// in the database.
class AcmeServer {
 public:
  enum class Endpoint {
    Directory,
    NewNonce,
    NewAccount,
    Account,
    NewOrder,
    Order,
    Finalize,
    Authorization,
    Challenge,
    Certificate,
    KeyChange,
    RevokeCert,
    RenewalInfo,
    AccountOrders
  };

  // `validator` checks challenges of profiles in the `challenge` auth mode;
  // without one their challenges cannot be answered.
  AcmeServer(AcmeStore& store, services::ResourceRepository& resources, AcmeIssuance& issuance,
             services::AuditLog& audit, AcmeServerSettings settings,
             std::shared_ptr<ChallengeValidator> validator = nullptr);

  // Every answer is ACME's: a problem document on any error, Replay-Nonce
  // and the directory Link on everything.
  http::Response handle(Endpoint endpoint, http::Request& req);
  // A path under /acme that is no ACME resource: a 404 problem, or 405 when
  // `allowed` (the methods the path has) is not empty.
  http::Response handleUnknown(http::Request& req, const std::vector<std::string>& allowed);

  const AcmeServerSettings& settings() const { return settings_; }

  // The HTTP pipeline's own errors under /acme/ (unknown path, body too
  // large, ...) as problem documents with a nonce and the index link.
  http::Response pipelineProblem(const http::Request& req, int status, const std::string& detail);

 private:
  struct Context {
    http::Request& req;
    std::string profileId;
    std::string authMode;  // trust_authenticated | challenge
    std::string base;      // <public url>/acme/profile/<id> or <public url>/acme
  };
  // A verified request: the JWS and, for kid requests, the account.
  struct Signed {
    Jws jws;
    std::optional<AcmeAccount> account;
  };
  enum class KeyRule { KidOnly, JwkOnly, Either };

  http::Response respond(http::Request& req, const std::function<http::Response(Context&)>& work);
  // Replay-Nonce and the Link to the path's directory, on every answer.
  void addCommonHeaders(const http::Request& req, http::Response& response);
  http::Response dispatch(Endpoint endpoint, Context& ctx);
  Context context(http::Request& req);
  Signed authenticate(Context& ctx, KeyRule rule);

  http::Response directory(const Context& ctx);
  http::Response newNonce(const Context& ctx);
  http::Response newAccount(Context& ctx);
  http::Response accountUpdate(Context& ctx);
  http::Response accountOrders(Context& ctx);
  http::Response keyChange(Context& ctx);
  http::Response newOrder(Context& ctx);
  http::Response orderRead(Context& ctx);
  http::Response finalize(Context& ctx);
  http::Response authorizationRead(Context& ctx);
  http::Response challengeRespond(Context& ctx);
  http::Response certificate(Context& ctx);
  http::Response revokeCert(Context& ctx);
  http::Response renewalInfo(Context& ctx);

  // Rendering (acme_json.cpp).
  nlohmann::json accountJson(const Context& ctx, const AcmeAccount& account) const;
  nlohmann::json orderJson(const Context& ctx, const AcmeOrder& order);
  nlohmann::json authorizationJson(const Context& ctx, const AcmeAuthorization& authz) const;
  nlohmann::json challengeJson(const Context& ctx, const AcmeChallenge& challenge) const;

  AcmeOrder ownOrder(const Context& ctx, const Signed& s, const std::string& id);
  void checkOrderRate(const AcmeAccount& account);
  std::vector<AcmeAuthorization> newAuthorizations(const Context& ctx, const AcmeAccount& account,
                                                   const std::vector<Identifier>& identifiers,
                                                   long long expiresAt) const;
  void startValidation(const AcmeAccount& account, const AcmeAuthorization& authz,
                       const AcmeChallenge& challenge);
  void audit(const Context& ctx, const std::string& accountId, const std::string& action,
             const std::string& resourceType, const std::string& resourceId,
             nlohmann::json details = nlohmann::json::object());

  AcmeStore& store_;
  services::ResourceRepository& resources_;
  AcmeIssuance& issuance_;
  services::AuditLog& audit_;
  AcmeServerSettings settings_;
  std::shared_ptr<ChallengeValidator> validator_;
  AcmeNonces nonces_;
  ValidationWorkers workers_;
};

}  // namespace certctl::protocols::acme
