#include "config.h"

#include <algorithm>
#include <cmath>

#include "sdk/pki/openssl_error.h"
#include "sdk/pki/subject_alt_names.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::local_ca {

namespace {

using nlohmann::json;
namespace sdk = certctl::sdk;

constexpr int kMaxCommonName = 64;  // RFC 5280 ub-common-name
constexpr long long kMaxGraceSeconds = 365LL * 24 * 3600;

[[noreturn]] void invalid(const std::string& field, const std::string& why) {
  throw sdk::PluginError::invalidConfig(field + ": " + why);
}

// A short rendering of a bad value for the message.
std::string shown(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

// The member, or nullptr when absent or null (a form may send null for "unset").
const json* member(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string stringField(const json& object, const char* key, std::string fallback,
                        const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_string()) invalid(path, "must be a string, got " + shown(*value));
  return value->get<std::string>();
}

// An integer within [min, max]; also accepts an integral float (JSON from a
// UI) and a decimal string (form fields).
long long integerField(const json& object, const char* key, long long fallback, long long min,
                       long long max, const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) return fallback;
  const std::string range =
      "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  long long n = 0;
  if (value->is_number_integer()) {
    n = value->get<long long>();
  } else if (value->is_number_unsigned()) {
    const auto u = value->get<unsigned long long>();
    n = u > static_cast<unsigned long long>(max) ? max + 1 : static_cast<long long>(u);
  } else if (value->is_number_float()) {
    const double d = value->get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 1e15)
      invalid(path, range + ", got " + shown(*value));
    n = static_cast<long long>(d);
  } else if (value->is_string()) {
    const auto& s = value->get_ref<const std::string&>();
    const bool digits = !s.empty() && s.size() <= 15 && std::all_of(s.begin(), s.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    if (!digits) invalid(path, range + ", got " + shown(*value));
    n = std::stoll(s);
  } else {
    invalid(path, range + ", got " + shown(*value));
  }
  if (n < min || n > max) invalid(path, range + ", got " + shown(*value));
  return n;
}

bool urlSafe(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
  });
}

void parseHost(const json& host, LocalCaConfig& cfg) {
  if (!host.is_object()) invalid("host", "must be an object, got " + shown(host));
  cfg.issuerId = stringField(host, "issuer_id", "", "host.issuer_id");
  if (!urlSafe(cfg.issuerId))
    invalid("host.issuer_id", "may only hold letters, digits and -_.~ (it is part of URLs)");

  const std::string stateDir = stringField(host, "state_dir", "", "host.state_dir");
  if (!stateDir.empty()) {
    cfg.stateDir = std::filesystem::path(stateDir).lexically_normal();
    if (!cfg.stateDir.is_absolute()) invalid("host.state_dir", "must be an absolute path");
  }

  std::string url = stringField(host, "public_url", "", "host.public_url");
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!url.empty()) {
    const bool http = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
    bool valid = http && url.find_first_of("?#") == std::string::npos;
    try {
      sdk::pki::SubjectAltNames().addUri(url);
    } catch (const sdk::pki::PkiError&) {
      valid = false;
    }
    if (!valid) invalid("host.public_url", "must be an http(s) URL without query, got " + url);
  }
  cfg.publicUrl = url;
}

}  // namespace

const std::vector<std::string>& supportedCaKeyAlgorithms() {
  static const std::vector<std::string> names = {"ECDSA-P256", "ECDSA-P384", "RSA-2048", "RSA-3072",
                                                 "RSA-4096"};
  return names;
}

std::string LocalCaConfig::ocspUrl() const {
  if (publicUrl.empty() || issuerId.empty()) return {};
  return publicUrl + "/.well-known/pki/ocsp/" + issuerId;
}

std::string LocalCaConfig::crlUrl() const {
  if (publicUrl.empty() || issuerId.empty()) return {};
  return publicUrl + "/.well-known/pki/crl/" + issuerId;
}

LocalCaConfig LocalCaConfig::parse(const json& config) {
  if (!config.is_object()) invalid("config", "must be a JSON object");
  LocalCaConfig cfg;

  cfg.caCommonName = stringField(config, "ca_common_name", cfg.caCommonName, "ca_common_name");
  if (cfg.caCommonName.empty() || cfg.caCommonName.size() > kMaxCommonName)
    invalid("ca_common_name", "must be 1 to 64 characters");

  cfg.validityDays = static_cast<int>(
      integerField(config, "validity_days", cfg.validityDays, 1, 3650, "validity_days"));

  cfg.caCertPath = stringField(config, "ca_cert_path", "", "ca_cert_path");
  cfg.caKeyPath = stringField(config, "ca_key_path", "", "ca_key_path");
  if (cfg.caCertPath.empty() != cfg.caKeyPath.empty()) {
    invalid(cfg.caCertPath.empty() ? "ca_cert_path" : "ca_key_path",
            "ca_cert_path and ca_key_path go together: set both (sub-CA mode) or neither "
            "(self-signed mode)");
  }

  cfg.caKeyAlgorithm =
      stringField(config, "ca_key_algorithm", cfg.caKeyAlgorithm, "ca_key_algorithm");
  const auto& algorithms = supportedCaKeyAlgorithms();
  if (std::find(algorithms.begin(), algorithms.end(), cfg.caKeyAlgorithm) == algorithms.end()) {
    std::string list;
    for (const auto& a : algorithms) list += (list.empty() ? "" : ", ") + a;
    invalid("ca_key_algorithm", "must be one of " + list + ", got " + cfg.caKeyAlgorithm);
  }

  cfg.ocspRotationGrace = std::chrono::seconds(
      integerField(config, "ocsp_responder_rotation_grace_seconds", cfg.ocspRotationGrace.count(),
                   0, kMaxGraceSeconds, "ocsp_responder_rotation_grace_seconds"));
  cfg.ocspResponderValidityDays = static_cast<int>(
      integerField(config, "ocsp_responder_validity_days", cfg.ocspResponderValidityDays, 1, 365,
                   "ocsp_responder_validity_days"));

  if (const json* host = member(config, "host")) parseHost(*host, cfg);
  return cfg;
}

}  // namespace certctl::local_ca
