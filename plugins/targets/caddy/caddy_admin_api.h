#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/http_client.h"
#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::targets::caddy {

// The config field of the admin endpoint, for messages.
inline constexpr const char* kAdminField = "admin_api";

// Caddy's admin endpoint could not be reached: nothing was sent.
class CaddyAdminUnreachable : public sdk::deploy::DeployError {
 public:
  using DeployError::DeployError;
};

// The two admin-API calls the API mode makes, on Caddy's whole config
// (/config/). Failures to get an answer are DeployError(Retryable) naming
// admin_api (CaddyAdminUnreachable when nothing was sent). Request and
// response bodies, which hold private keys, are wiped after use.
class CaddyAdminApi {
 public:
  CaddyAdminApi(const sdk::deploy::HttpEndpoint& endpoint, std::chrono::milliseconds timeout)
      : endpoint_(endpoint), timeout_(timeout) {}

  struct Snapshot {
    nlohmann::json config;  // null when Caddy runs without a config
    std::string etag;       // for If-Match; "" if Caddy sent none
  };

  // GET /config/; a non-2xx answer or a body that is not JSON is Retryable.
  Snapshot read() const;

  // PATCH /config/ with the whole config (If-Match unless `ifMatch` is ""):
  // Caddy loads it or keeps the previous one. Returns Caddy's answer as is
  // (412: the config changed since the ETag; 400: refused, with a message).
  sdk::deploy::HttpResponse replace(const nlohmann::json& config, const std::string& ifMatch) const;

 private:
  sdk::deploy::HttpResponse call(
      const std::string& method, const std::string& body,
      const std::vector<std::pair<std::string, std::string>>& headers) const;

  sdk::deploy::HttpEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
};

// The start of an admin answer's body for a message.
std::string bodyExcerpt(const std::string& body);

}  // namespace certctl::targets::caddy

CERTCTL_SDK_END_HIDDEN
