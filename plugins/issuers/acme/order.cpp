#include "order.h"

#include <algorithm>
#include <cctype>
#include <thread>
#include <utility>

#include "sdk/pki/base64.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/subject_alt_names.h"
#include "sdk/plugin/host.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::acme {

namespace {

using nlohmann::json;
using sdk::PluginError;
using Clock = std::chrono::steady_clock;

constexpr auto kFirstPoll = std::chrono::milliseconds(250);
constexpr auto kLongestPoll = std::chrono::seconds(5);
constexpr auto kLongestRetryAfter = std::chrono::seconds(30);

// Waits before the next poll: Retry-After when the CA sent one (capped),
// else the backoff, which doubles up to kLongestPoll. False once the
// deadline has passed.
bool pause(std::chrono::milliseconds& backoff, const std::string& retryAfter,
           Clock::time_point deadline) {
  auto wait = backoff;
  if (!retryAfter.empty() &&
      std::all_of(retryAfter.begin(), retryAfter.end(),
                  [](unsigned char c) { return std::isdigit(c) != 0; }) &&
      retryAfter.size() < 6)
    wait = std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stoi(retryAfter)),
                                               kLongestRetryAfter);
  backoff = std::min<std::chrono::milliseconds>(backoff * 2, kLongestPoll);
  const auto now = Clock::now();
  if (now >= deadline) return false;
  std::this_thread::sleep_for(std::min<Clock::duration>(wait, deadline - now));
  return Clock::now() < deadline;
}

std::string field(const json& body, const char* key) {
  return body.is_object() && body.value(key, json()).is_string() ? body[key].get<std::string>()
                                                                 : std::string();
}

// The CA's reason for an invalid authorization or order.
std::string reasonOf(const json& body) {
  if (!body.is_object()) return "no reason given";
  if (body.contains("error") && body["error"].is_object())
    return problemType(body["error"]) + ": " + field(body["error"], "detail");
  if (body.contains("challenges") && body["challenges"].is_array())
    for (const auto& c : body["challenges"])
      if (c.is_object() && c.contains("error") && c["error"].is_object())
        return field(c, "type") + " " + problemType(c["error"]) + ": " +
               field(c["error"], "detail");
  return "no reason given";
}

// Polls `url` until its status leaves every one of `waiting`.
json pollUntilSettled(AcmeClient& client, const std::string& url,
                      std::initializer_list<const char*> waiting, Clock::time_point deadline,
                      const std::string& what) {
  auto backoff = std::chrono::duration_cast<std::chrono::milliseconds>(kFirstPoll);
  for (;;) {
    const AcmeResponse r = client.post(url, nullptr);
    const std::string status = field(r.body, "status");
    if (std::none_of(waiting.begin(), waiting.end(), [&](const char* s) { return status == s; }))
      return r.body;
    if (!pause(backoff, r.retryAfter, deadline))
      throw PluginError::retryable(what + " still " + status + " after the poll timeout");
  }
}

bool wellFormedToken(const std::string& token) {
  return !token.empty() && token.find_first_not_of(
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                               "vwxyz0123456789-_") == std::string::npos;
}

// The authorization's challenge of `solver`'s type, else of its fallback's
// (switching `solver`, with one warning per order); null when neither.
json pickChallenge(const json& authz, ChallengeSolver*& solver, bool& warnedFallback) {
  for (ChallengeSolver* candidate = solver; candidate; candidate = candidate->fallback()) {
    for (const auto& c : authz.value("challenges", json::array())) {
      if (field(c, "type") != candidate->type()) continue;
      if (candidate != solver && !std::exchange(warnedFallback, true))
        sdk::log(sdk::LogLevel::Warn, "the CA does not offer " + std::string(solver->type()) +
                                          ": validating with " + candidate->type() + " instead");
      solver = candidate;
      return c;
    }
  }
  return nullptr;
}

void solveAuthorization(AcmeClient& client, ChallengeSolver& configured, const std::string& url,
                        Clock::time_point deadline, bool& warnedFallback) {
  const json authz = client.post(url, nullptr).body;
  const std::string status = field(authz, "status");
  if (status == "valid") return;  // reused from an earlier order
  Challenge challenge;
  challenge.domain = authz.value("identifier", json::object()).value("value", "");
  challenge.wildcard = authz.is_object() && authz.value("wildcard", json()) == true;
  challenge.accountUrl = client.accountUrl();
  const std::string& domain = challenge.domain;
  if (status != "pending")
    throw PluginError::rejected("authorization for " + domain + " is " + status + ": " +
                                reasonOf(authz));
  ChallengeSolver* solver = &configured;
  challenge.object = pickChallenge(authz, solver, warnedFallback);
  if (challenge.object.is_null())
    throw PluginError::rejected("the CA offers no " + std::string(configured.type()) +
                                " challenge for " + domain + " (wildcards need a dns challenge)");
  challenge.token = field(challenge.object, "token");
  if ((solver->needsToken() || !challenge.token.empty()) && !wellFormedToken(challenge.token))
    throw PluginError::rejected("the CA sent a malformed challenge token for " + domain);
  if (!challenge.token.empty())
    challenge.keyAuthorization = keyAuthorization(challenge.token, client.key());
  solver->present(challenge);
  struct Cleanup {
    ChallengeSolver& s;
    const Challenge& c;
    ~Cleanup() { s.cleanup(c); }
  } cleanup{*solver, challenge};
  client.post(field(challenge.object, "url"), json::object());  // "ready to be validated"
  const json settled = pollUntilSettled(client, url, {"pending", "processing"}, deadline,
                                        "the authorization for " + domain);
  if (field(settled, "status") != "valid")
    throw PluginError::rejected(std::string(solver->type()) + " validation of " + domain +
                                " failed: " + reasonOf(settled));
}

json newOrder(AcmeClient& client, const std::vector<Identifier>& identifiers,
              const std::string& profile, std::string& orderUrl) {
  json payload = {{"identifiers", json::array()}};
  for (const auto& id : identifiers)
    payload["identifiers"].push_back({{"type", id.type}, {"value", id.value}});
  if (!profile.empty()) {
    const json meta = client.directory().value("meta", json::object());
    const json profiles = meta.is_object() ? meta.value("profiles", json()) : json();
    if (profiles.is_object() && !profiles.contains(profile)) {
      std::string offered;
      for (const auto& [name, _] : profiles.items())
        offered += (offered.empty() ? "" : ", ") + name;
      throw PluginError::invalidConfig("profile: the CA does not offer \"" + profile +
                                       "\" (it offers: " + offered + ")");
    }
    if (profiles.is_object()) {
      payload["profile"] = profile;
    } else {
      sdk::log(sdk::LogLevel::Warn,
               "profile \"" + profile + "\" ignored: the CA's directory lists no profiles");
    }
  }
  const AcmeResponse r = client.post(client.resource("newOrder"), payload);
  orderUrl = r.location;
  if (orderUrl.empty() || !r.body.is_object())
    throw PluginError::retryable("newOrder answered without an order URL");
  return r.body;
}

}  // namespace

std::vector<Identifier> identifiersOf(const std::string& csrPem) {
  std::vector<Identifier> out;
  auto add = [&](const std::string& type, const std::string& value) {
    if (value.empty()) return;
    for (const auto& id : out)
      if (id.type == type && id.value == value) return;
    out.push_back({type, value});
  };
  try {
    const auto csr = sdk::pki::Csr::fromPem(csrPem);
    const auto sans = csr.subjectAltNames();
    const std::string cn = csr.subjectCommonName();
    if (!cn.empty()) {
      sdk::pki::SubjectAltNames probe;
      try {
        probe.addIpAddress(cn);
        add("ip", probe.ipAddresses().front());
      } catch (const sdk::pki::PkiError&) {
        add("dns", cn);
      }
    }
    for (const auto& name : sans.dnsNames()) add("dns", name);
    for (const auto& ip : sans.ipAddresses()) add("ip", ip);
  } catch (const sdk::pki::PkiError& e) {
    throw PluginError::rejected(std::string("csr_pem: ") + e.what());
  }
  if (out.empty()) throw PluginError::rejected("csr_pem: the CSR names no DNS name or IP address");
  return out;
}

FinishedOrder runOrder(AcmeClient& client, ChallengeSolver& solver,
                       const std::vector<Identifier>& identifiers, const std::string& csrDer,
                       const OrderOptions& options) {
  const auto deadline = Clock::now() + options.timeout;
  FinishedOrder done;
  json order = newOrder(client, identifiers, options.profile, done.orderUrl);
  bool warnedFallback = false;
  for (const auto& authz : order.value("authorizations", json::array()))
    if (authz.is_string())
      solveAuthorization(client, solver, authz.get<std::string>(), deadline, warnedFallback);

  order = pollUntilSettled(client, done.orderUrl, {"pending"}, deadline, "the order");
  if (field(order, "status") != "ready" && field(order, "status") != "valid")
    throw PluginError::rejected("the order is " + field(order, "status") + ": " + reasonOf(order));
  if (field(order, "status") == "ready") {
    client.post(field(order, "finalize"), {{"csr", sdk::pki::base64UrlEncode(csrDer)}});
    order = pollUntilSettled(client, done.orderUrl, {"ready", "processing"}, deadline, "the order");
  }
  if (field(order, "status") != "valid" || field(order, "certificate").empty())
    throw PluginError::rejected("finalize left the order " + field(order, "status") + ": " +
                                reasonOf(order));
  done.chainPem =
      client.post(field(order, "certificate"), nullptr, "application/pem-certificate-chain").raw;
  return done;
}

}  // namespace certctl::acme
