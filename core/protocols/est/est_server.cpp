#include "core/protocols/est/est_server.h"

#include <spdlog/spdlog.h>

#include "core/domain/errors.h"
#include "core/domain/json_fields.h"
#include "core/protocols/est/est_audit.h"
#include "core/protocols/est/est_csr_attrs.h"
#include "core/protocols/est/est_wire.h"

namespace certctl::protocols::est {

namespace {

constexpr std::size_t kBasicFailureLimit = 10;

}  // namespace

EstServer::EstServer(const std::vector<config::EstProfileConfig>& profiles, EstDependencies deps)
    : deps_(deps), basicFailures_(kBasicFailureLimit, std::chrono::hours(1)) {
  for (const auto& settings : profiles) profiles_.push_back(std::make_unique<EstProfile>(settings));
}

EstServer::~EstServer() = default;

bool EstServer::needsClientCertificates() const {
  for (const auto& p : profiles_)
    if (p->trustAnchor()) return true;
  return false;
}

void EstServer::registerRoutes(http::Router& router) {
  for (auto& owned : profiles_) {
    EstProfile* profile = owned.get();
    const auto& s = profile->settings();
    auto add = [&](const std::string& method, const std::string& path, http::Handler handler) {
      router.add(method, path, std::move(handler), false);
    };
    auto addEnroll = [&](const std::string& prefix, bool mtlsRoute) {
      add("POST", prefix + "simpleenroll", [this, profile, mtlsRoute](http::Request& req) {
        return enroll(*profile, Operation::SimpleEnroll, mtlsRoute, req);
      });
      if (profile->trustAnchor())
        add("POST", prefix + "simplereenroll", [this, profile, mtlsRoute](http::Request& req) {
          return enroll(*profile, Operation::SimpleReenroll, mtlsRoute, req);
        });
      if (s.serverKeygenEnabled)
        add("POST", prefix + "serverkeygen", [this, profile, mtlsRoute](http::Request& req) {
          return enroll(*profile, Operation::ServerKeygen, mtlsRoute, req);
        });
    };
    std::vector<std::string> prefixes = {profile->basicPrefix()};
    if (profile->trustAnchor()) prefixes.push_back(profile->mtlsPrefix());
    for (const auto& prefix : prefixes) {
      add("GET", prefix + "cacerts", [this, profile](http::Request&) { return cacerts(*profile); });
      add("GET", prefix + "csrattrs",
          [this, profile](http::Request&) { return csrattrs(*profile); });
    }
    if (s.anonymous() || s.allowsBasic()) addEnroll(profile->basicPrefix(), false);
    if (profile->trustAnchor()) addEnroll(profile->mtlsPrefix(), true);

    std::string modes;
    for (const auto& m : s.authModes) modes += (modes.empty() ? "" : ",") + m;
    spdlog::info("EST profile {}: {} issues with {}{} (auth: {}{}{})",
                 s.pathId.empty() ? "(legacy root)" : s.pathId, profile->basicPrefix(), s.issuerId,
                 s.profileId.empty() ? "" : " under " + s.profileId,
                 modes.empty() ? "anonymous" : modes,
                 s.channelBindingRequired ? ", channel binding" : "",
                 s.serverKeygenEnabled ? ", serverkeygen" : "");
  }
}

http::Response EstServer::cacerts(const EstProfile& profile) {
  const std::string& issuerId = profile.settings().issuerId;
  std::string chainPem = deps_.issuers.caChainPem(issuerId);
  if (chainPem.empty())
    throw domain::notFound("issuer " + issuerId + " publishes no CA certificates");
  return certsOnlyResponse(
      sdk::pki::Certificate::chainFromPem(chainPem, sdk::pki::KeyDecoding::Deferred));
}

http::Response EstServer::csrattrs(const EstProfile& profile) {
  nlohmann::json certificateProfile;
  const std::string& profileId = profile.settings().profileId;
  if (!profileId.empty()) {
    auto found = deps_.resources.repository().get(domain::requireResource("profiles"), profileId);
    if (found) certificateProfile = *found;
  }
  std::string der = csrAttrsDer(certificateProfile, profile.settings().channelBindingRequired);
  if (der.empty()) return http::Response::noContent();
  http::Response response;
  response.status = 200;
  response.contentType = "application/csrattrs";
  response.setHeader("Content-Transfer-Encoding", "base64");
  response.body = base64Lines(der);
  return response;
}

void EstServer::requireProfile(const std::string& pathId) const {
  for (const auto& p : profiles_)
    if (p->pathId() == pathId) return;
  throw domain::notFound("no EST profile \"" + pathId + "\"");
}

nlohmann::json EstServer::reloadTrust(const std::string& pathId, const http::Request& cause) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& p : profiles_) {
    if (!p->trustAnchor() || (pathId != "*" && p->pathId() != pathId)) continue;
    std::string error = p->trustAnchor()->reload();
    nlohmann::json result = {{"path_id", p->pathId()}, {"reloaded", error.empty()}};
    if (error.empty()) {
      spdlog::info("EST profile {}: trust bundle {} reloaded", p->pathId(),
                   p->trustAnchor()->path());
      recordEstEvent(deps_.audit, cause, action::kTrustAnchorReloaded, p->pathId(),
                     {{"bundle_path", p->trustAnchor()->path()},
                      {"anchors", p->trustAnchor()->anchorsJson()}});
    } else {
      spdlog::error("EST profile {}: trust bundle reload failed, the previous pool stays: {}",
                    p->pathId(), error);
      result["error"] = error;
    }
    results.push_back(std::move(result));
  }
  return results;
}

nlohmann::json EstServer::profilesJson() const {
  nlohmann::json data = nlohmann::json::array();
  for (const auto& p : profiles_) {
    const auto& s = p->settings();
    nlohmann::json item = {
        {"path_id", s.pathId},
        {"name", s.name},
        {"issuer_id", s.issuerId},
        {"profile_id", s.profileId.empty() ? nlohmann::json() : nlohmann::json(s.profileId)},
        {"auth_modes", s.authModes},
        {"enrollment_password_set", !s.enrollmentPassword.empty()},
        {"mtls_enabled", s.mtlsEnabled},
        {"channel_binding_required", s.channelBindingRequired},
        {"serverkeygen_enabled", s.serverKeygenEnabled},
        {"rate_limit_per_principal_24h", s.rateLimitPerPrincipal24h},
        {"endpoint", p->basicPrefix()}};
    if (p->trustAnchor()) {
      item["mtls_endpoint"] = p->mtlsPrefix();
      item["trust_bundle_path"] = p->trustAnchor()->path();
      item["trust_anchors"] = p->trustAnchor()->anchorsJson();
    }
    data.push_back(std::move(item));
  }
  return {{"data", data}, {"total", data.size()}};
}

}  // namespace certctl::protocols::est
