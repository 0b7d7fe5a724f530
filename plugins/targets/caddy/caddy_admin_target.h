#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sdk/deploy/file_target.h"
#include "sdk/deploy/http_client.h"
#include "sdk/plugin/target.h"
#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::targets::caddy {

// The admin-API mode ("mode": "api"): the certificate and key go into the
// running Caddy's config (apps.tls.certificates.load_pem, tagged with the
// certificate id) through its admin endpoint, no file and no reload command.
struct CaddyAdminConfig {
  sdk::deploy::HttpEndpoint admin;
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // per admin request
  std::optional<sdk::deploy::VerifyEndpoint> verify;
  std::vector<std::string> warnings;

  // Throws DeployError(InvalidConfig) naming the field.
  static CaddyAdminConfig parse(const nlohmann::json& config);
};

class CaddyAdminTarget : public sdk::Target {
 public:
  explicit CaddyAdminTarget(CaddyAdminConfig config) : config_(std::move(config)) {}

  // GET /config/, the entry replaced, PATCH /config/ with If-Match (Caddy
  // loads the new config or keeps the old one), then the live check; if
  // that fails, the previous config is PATCHed back.
  nlohmann::json deploy(const nlohmann::json& request) override;
  // The live endpoint's serial, or without a verify endpoint the serial of
  // the entry tagged with the certificate id in Caddy's config.
  nlohmann::json validateDeployment(const nlohmann::json& request) override;

 private:
  CaddyAdminConfig config_;
};

}  // namespace certctl::targets::caddy

CERTCTL_SDK_END_HIDDEN
