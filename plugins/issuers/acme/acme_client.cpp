#include "acme_client.h"

#include "sdk/plugin/host.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::acme {

namespace {

using nlohmann::json;
using sdk::PluginError;

// Each retry uses the fresh nonce of the refusal; Pebble refuses a set
// share of good nonces on purpose, so a few in a row happen.
constexpr int kBadNonceRetries = 5;
constexpr const char* kJoseJson = "application/jose+json";

AcmeResponse toResponse(const sdk::net::HttpResponse& r) {
  AcmeResponse out;
  out.status = r.status;
  out.raw = r.body;
  out.location = r.header("location");
  out.retryAfter = r.header("retry-after");
  out.body = json::parse(r.body, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  return out;
}

// The CA's words for a failed request, and the status the host acts on.
[[noreturn]] void throwProblem(const std::string& what, const AcmeResponse& r) {
  const std::string type = problemType(r.body);
  std::string detail = r.body.is_object() && r.body.value("detail", json()).is_string()
                           ? r.body["detail"].get<std::string>()
                           : r.raw.substr(0, 300);
  const std::string message = what + ": HTTP " + std::to_string(r.status) +
                              (type.empty() ? "" : " " + type) + ": " + detail;
  if (r.status >= 500 || r.status == 429 || type == "rateLimited" || type == "serverInternal" ||
      type == "badNonce")
    throw PluginError::retryable(message);
  if (type == "externalAccountRequired" || type == "unauthorized" || type == "accountDoesNotExist")
    throw PluginError::invalidConfig(message);
  throw PluginError::rejected(message);
}

}  // namespace

std::string problemType(const json& body) {
  static const std::string prefix = "urn:ietf:params:acme:error:";
  if (!body.is_object() || !body.value("type", json()).is_string()) return {};
  const auto& type = body["type"].get_ref<const std::string&>();
  return type.rfind(prefix, 0) == 0 ? type.substr(prefix.size()) : type;
}

AcmeClient::AcmeClient(const sdk::net::HttpsClient& http, std::string directoryUrl,
                       const AccountKey& key)
    : http_(http), directoryUrl_(std::move(directoryUrl)), key_(key) {}

const json& AcmeClient::directory() {
  if (directory_.is_object()) return directory_;
  const AcmeResponse r = get(directoryUrl_);
  if (r.status != 200 || !r.body.is_object() || !r.body.value("newNonce", json()).is_string() ||
      !r.body.value("newAccount", json()).is_string() ||
      !r.body.value("newOrder", json()).is_string())
    throw PluginError::retryable("the ACME directory " + directoryUrl_ + " answered HTTP " +
                                 std::to_string(r.status) +
                                 " without newNonce/newAccount/newOrder");
  directory_ = r.body;
  return directory_;
}

std::string AcmeClient::resource(const std::string& name) {
  const json& d = directory();
  auto it = d.find(name);
  return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
}

AcmeResponse AcmeClient::get(const std::string& url) {
  try {
    return toResponse(http_.request("GET", url));
  } catch (const sdk::net::HttpError& e) {
    throw PluginError::retryable(std::string("ACME server unreachable: ") + e.what());
  }
}

std::string AcmeClient::takeNonce() {
  if (!nonce_.empty()) return std::exchange(nonce_, std::string());
  try {
    // GET rather than HEAD: the response parser expects a body after a
    // Content-Length, which a HEAD answer announces but does not carry.
    const auto r = http_.request("GET", resource("newNonce"));
    std::string nonce = r.header("replay-nonce");
    if (nonce.empty())
      throw PluginError::retryable("newNonce answered HTTP " + std::to_string(r.status) +
                                   " without a Replay-Nonce");
    return nonce;
  } catch (const sdk::net::HttpError& e) {
    throw PluginError::retryable(std::string("ACME server unreachable: ") + e.what());
  }
}

AcmeResponse AcmeClient::send(const std::string& url, const json& payload, bool withJwk,
                              const std::string& accept) {
  if (url.empty()) throw PluginError::rejected("the ACME server offers no URL for this request");
  for (int attempt = 0;; ++attempt) {
    json header = {{"nonce", takeNonce()}, {"url", url}};
    if (withJwk) {
      header["jwk"] = key_.jwk();
    } else {
      header["kid"] = accountUrl_;
    }
    const std::string body = signJws(key_, header, payload).dump();
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", kJoseJson}};
    if (!accept.empty()) headers.emplace_back("Accept", accept);
    AcmeResponse r;
    try {
      const auto raw = http_.request("POST", url, body, headers);
      // Every response carries a fresh nonce: keep it for the next request.
      nonce_ = raw.header("replay-nonce");
      r = toResponse(raw);
    } catch (const sdk::net::HttpError& e) {
      throw PluginError::retryable(std::string("ACME server unreachable: ") + e.what());
    }
    if (r.status < 400) return r;
    if (problemType(r.body) == "badNonce" && attempt < kBadNonceRetries) {
      sdk::log(sdk::LogLevel::Debug, "POST " + url + ": badNonce, retrying with a fresh nonce");
      continue;
    }
    throwProblem("POST " + url, r);
  }
}

AcmeResponse AcmeClient::post(const std::string& url, const json& payload,
                              const std::string& accept) {
  if (accountUrl_.empty()) throw PluginError::internal("ACME request before the account exists");
  return send(url, payload, false, accept);
}

const std::string& AcmeClient::ensureAccount(const std::string& email,
                                             const std::optional<EabCredentials>& eab) {
  if (!accountUrl_.empty()) return accountUrl_;
  const std::string url = resource("newAccount");
  json payload = {{"termsOfServiceAgreed", true}};
  if (!email.empty()) payload["contact"] = json::array({"mailto:" + email});
  if (eab) payload["externalAccountBinding"] = externalAccountBinding(*eab, key_.jwk(), url);
  const AcmeResponse r = send(url, payload, true, {});
  if (r.location.empty())
    throw PluginError::retryable("newAccount answered HTTP " + std::to_string(r.status) +
                                 " without the account URL (Location)");
  accountUrl_ = r.location;
  return accountUrl_;
}

}  // namespace certctl::acme
