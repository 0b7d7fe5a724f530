#include "dns_persist01.h"

#include <algorithm>
#include <cctype>

#include "sdk/plugin/plugin_error.h"

namespace certctl::acme {

namespace {

using nlohmann::json;

constexpr std::size_t kLongestName = 253;
constexpr std::size_t kLongestLabel = 63;
constexpr std::size_t kLongestUrl = 2000;

// A DNS name: letters, digits, '-' and '.', no empty label.
bool dnsName(const std::string& name) {
  if (name.empty() || name.size() > kLongestName ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
          std::string::npos)
    return false;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = name.find('.', start);
    const std::size_t length = (dot == std::string::npos ? name.size() : dot) - start;
    if (length == 0 || length > kLongestLabel) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// An account URL fit for a TXT value: visible ASCII without ';', quotes or '\'.
bool plainUrl(const std::string& url) {
  return !url.empty() && url.size() <= kLongestUrl &&
         std::all_of(url.begin(), url.end(), [](char c) {
           return c > ' ' && c < 0x7f && c != ';' && c != '"' && c != '\\';
         });
}

}  // namespace

std::string dnsPersistTxtValue(const json& challenge, const std::string& accountUrl, bool wildcard,
                               const std::string& preferredIssuer) {
  const json names =
      challenge.is_object() ? challenge.value("issuer-domain-names", json()) : json();
  if (!names.is_array() || names.empty())
    throw sdk::PluginError::rejected(
        "the CA's dns-persist-01 challenge lists no issuer-domain-names");
  for (const auto& name : names)
    if (!name.is_string() || !dnsName(name.get<std::string>()))
      throw sdk::PluginError::rejected(
          "the CA's dns-persist-01 challenge has a malformed issuer domain name");
  if (!plainUrl(accountUrl))
    throw sdk::PluginError::rejected("the ACME account URL cannot go into a TXT record");
  std::string issuer = names.front().get<std::string>();
  if (!preferredIssuer.empty()) {
    auto lower = [](std::string s) {
      std::transform(s.begin(), s.end(), s.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      return s;
    };
    auto match = std::find_if(names.begin(), names.end(), [&](const json& name) {
      return lower(name.get<std::string>()) == lower(preferredIssuer);
    });
    if (match == names.end())
      throw sdk::PluginError::rejected("dns_persist_issuer_domain " + preferredIssuer +
                                       " is not one of the issuer domain names the CA lists (" +
                                       names.dump() + ")");
    issuer = match->get<std::string>();
  }
  return issuer + "; accounturi=" + accountUrl + (wildcard ? "; policy=wildcard" : "");
}

void DnsPersist01Solver::present(const Challenge& challenge) {
  const std::string value =
      dnsPersistTxtValue(challenge.object, challenge.accountUrl, challenge.wildcard, issuerDomain_);
  runPresentHook(
      run_, presentHook_, type(),
      dnsHookArgs(challenge.domain, "_validation-persist." + challenge.domain, value, ""));
}

}  // namespace certctl::acme
