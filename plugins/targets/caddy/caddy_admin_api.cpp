#include "plugins/targets/caddy/caddy_admin_api.h"

#include <openssl/crypto.h>

namespace certctl::targets::caddy {

using nlohmann::json;
namespace deploy = sdk::deploy;
using deploy::DeployError;
using deploy::FailureKind;

namespace {

constexpr const char* kConfigPath = "/config/";

struct Wipe {
  std::string& s;
  ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
};

DeployError retryable(const std::string& what) {
  return {FailureKind::Retryable, std::string(kAdminField) + ": " + what};
}

}  // namespace

std::string bodyExcerpt(const std::string& body) {
  std::string out = body.substr(0, 2000);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out.empty() ? "(empty body)" : out;
}

CaddyAdminApi::Snapshot CaddyAdminApi::read() const {
  deploy::HttpResponse r = call("GET", "", {});
  Wipe wipe{r.body};
  if (!r.ok())
    throw retryable("GET " + endpoint_.url() + kConfigPath + " answered " +
                    std::to_string(r.status) + ": " + bodyExcerpt(r.body));
  Snapshot s;
  s.etag = r.header("etag");
  try {
    s.config = json::parse(r.body);
  } catch (const json::exception& e) {
    throw retryable(std::string("Caddy's config is not JSON: ") + e.what());
  }
  return s;
}

deploy::HttpResponse CaddyAdminApi::replace(const json& config, const std::string& ifMatch) const {
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
  if (!ifMatch.empty()) headers.emplace_back("If-Match", ifMatch);
  std::string body = config.dump();
  Wipe wipe{body};
  return call("PATCH", body, headers);
}

deploy::HttpResponse CaddyAdminApi::call(
    const std::string& method, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  try {
    return deploy::httpRequest(endpoint_, method, kConfigPath, body, headers, timeout_);
  } catch (const deploy::HttpConnectError& e) {
    throw CaddyAdminUnreachable(FailureKind::Retryable, std::string(kAdminField) + ": " + e.what());
  } catch (const deploy::HttpError& e) {
    throw retryable(e.what());
  }
}

}  // namespace certctl::targets::caddy
