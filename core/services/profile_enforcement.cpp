#include "core/services/profile_enforcement.h"

#include <algorithm>
#include <cctype>

#include "core/domain/errors.h"

namespace certctl::services {

using nlohmann::json;

namespace {

constexpr int kMinRsaBits = 2048;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// "ecdsa", "ec" -> "ECDSA"; "rsa" -> "RSA"; "ed25519" -> "Ed25519"; "" otherwise.
std::string canonicalAlgorithm(const std::string& name) {
  std::string n = lower(name);
  if (n == "ecdsa" || n == "ec") return "ECDSA";
  if (n == "rsa") return "RSA";
  if (n == "ed25519") return "Ed25519";
  return {};
}

bool isPositiveInteger(const json& v) { return v.is_number_integer() && v.get<long long>() > 0; }

AllowedKeyAlgorithm parseEntry(const json& entry) {
  auto refuse = [&] {
    return domain::badRequest("allowed_key_algorithms",
                              "allowed_key_algorithms: cannot read entry " + entry.dump() +
                                  " (use \"ECDSA\", \"RSA-3072\" or {\"algorithm\": \"RSA\", "
                                  "\"min_size\": 3072})");
  };
  AllowedKeyAlgorithm out;
  if (entry.is_string()) {
    std::string text = entry.get<std::string>();
    auto dash = text.find('-');
    out.algorithm = canonicalAlgorithm(text.substr(0, dash));
    if (out.algorithm.empty()) throw refuse();
    if (dash != std::string::npos) {
      std::string size = text.substr(dash + 1);
      if (!size.empty() && (size[0] == 'P' || size[0] == 'p')) size.erase(0, 1);
      if (size.empty() || size.size() > 5 ||
          !std::all_of(size.begin(), size.end(), [](unsigned char c) { return std::isdigit(c); }))
        throw refuse();
      out.minSize = std::stoi(size);
    }
    return out;
  }
  if (entry.is_object()) {
    auto algorithm = entry.find("algorithm");
    if (algorithm == entry.end() || !algorithm->is_string()) throw refuse();
    out.algorithm = canonicalAlgorithm(algorithm->get<std::string>());
    if (out.algorithm.empty()) throw refuse();
    for (const char* key : {"min_size", "min_bits", "size"}) {
      auto it = entry.find(key);
      if (it == entry.end() || it->is_null()) continue;
      if (!isPositiveInteger(*it) || it->get<long long>() > 16384) throw refuse();
      out.minSize = static_cast<int>(it->get<long long>());
      break;
    }
    return out;
  }
  throw refuse();
}

bool isEnabled(const json& profile) {
  auto it = profile.find("enabled");
  if (it == profile.end() || it->is_null()) return true;
  return it->is_boolean() ? it->get<bool>() : true;
}

std::string profileLabel(const json& profile) {
  return "profile " + profile.value("id", std::string("?"));
}

std::vector<std::string> stringList(const json& profile, const char* key) {
  std::vector<std::string> out;
  auto it = profile.find(key);
  if (it == profile.end() || !it->is_array()) return out;
  for (const auto& item : *it)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

// The built-in floor every key must clear, profile or not.
std::optional<std::string> builtInKeyViolation(const KeyFacts& key) {
  if (key.algorithm == "RSA") {
    if (key.bits < kMinRsaBits)
      return "RSA-" + std::to_string(key.bits) + " keys are too small (at least RSA-2048)";
    return std::nullopt;
  }
  if (key.algorithm == "ECDSA") {
    if (key.curve != "P-256" && key.curve != "P-384" && key.curve != "P-521")
      return "ECDSA curve " + (key.curve.empty() ? std::string("(unknown)") : key.curve) +
             " is not supported (P-256, P-384 or P-521)";
    return std::nullopt;
  }
  if (key.algorithm == "Ed25519") return std::nullopt;
  return "key algorithm " + key.algorithm + " is not supported (RSA, ECDSA or Ed25519)";
}

std::string describeKey(const KeyFacts& key) {
  if (key.algorithm == "ECDSA" && !key.curve.empty()) return "ECDSA " + key.curve;
  if (key.algorithm == "Ed25519") return "Ed25519";
  return key.algorithm + "-" + std::to_string(key.bits);
}

std::string describeAllowed(const std::vector<AllowedKeyAlgorithm>& allowed) {
  std::string out;
  for (const auto& a : allowed) {
    if (!out.empty()) out += ", ";
    out += a.algorithm;
    if (a.minSize > 0) out += " >= " + std::to_string(a.minSize);
  }
  return out;
}

}  // namespace

std::string ProfileDecision::reason() const {
  std::string out;
  for (const auto& v : violations) out += (out.empty() ? "" : "; ") + v;
  return out;
}

std::vector<AllowedKeyAlgorithm> parseAllowedKeyAlgorithms(const json& value) {
  std::vector<AllowedKeyAlgorithm> out;
  if (value.is_null()) return out;
  if (!value.is_array())
    throw domain::badRequest("allowed_key_algorithms",
                             "allowed_key_algorithms must be an array of algorithms");
  for (const auto& entry : value) out.push_back(parseEntry(entry));
  return out;
}

std::optional<long long> profileMaxTtlSeconds(const json& profile) {
  std::optional<long long> cap;
  auto hours = profile.find("max_ttl_hours");
  if (hours != profile.end() && isPositiveInteger(*hours)) cap = hours->get<long long>() * 3600;
  auto seconds = profile.find("max_ttl_seconds");
  if (seconds != profile.end() && isPositiveInteger(*seconds)) {
    long long s = seconds->get<long long>();
    cap = cap ? std::min(*cap, s) : s;
  }
  return cap;
}

bool domainMatches(const std::string& pattern, const std::string& name) {
  std::string p = lower(pattern), n = lower(name);
  if (p == n) return true;
  if (p.rfind("*.", 0) != 0) return false;
  std::string suffix = p.substr(1);  // ".example.com"
  return n.size() > suffix.size() &&
         n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ProfileDecision enforceProfile(const json* profile, const KeyFacts& key,
                               const std::vector<std::string>& names) {
  ProfileDecision decision;
  if (auto v = builtInKeyViolation(key)) decision.violations.push_back(*v);
  if (!profile) return decision;

  const json& p = *profile;
  if (!isEnabled(p)) decision.violations.push_back(profileLabel(p) + " is disabled");

  std::vector<AllowedKeyAlgorithm> allowed;
  try {
    allowed = parseAllowedKeyAlgorithms(p.value("allowed_key_algorithms", json()));
  } catch (const domain::ApiError& e) {
    decision.violations.push_back(profileLabel(p) + ": " + e.what());
  }
  if (!allowed.empty()) {
    bool algorithmListed = false, sizeOk = false;
    for (const auto& a : allowed) {
      if (a.algorithm != key.algorithm) continue;
      algorithmListed = true;
      if (key.bits >= a.minSize) sizeOk = true;
    }
    if (!algorithmListed || !sizeOk)
      decision.violations.push_back(describeKey(key) + " keys are not allowed by " +
                                    profileLabel(p) + " (allowed: " + describeAllowed(allowed) +
                                    ")");
  }

  for (const auto& required : stringList(p, "required_sans")) {
    bool present = std::any_of(names.begin(), names.end(),
                               [&](const std::string& n) { return domainMatches(required, n); });
    if (!present)
      decision.violations.push_back(profileLabel(p) + " requires a subject alternative name " +
                                    required);
  }

  decision.ekus = stringList(p, "allowed_ekus");
  decision.maxTtlSeconds = profileMaxTtlSeconds(p);
  return decision;
}

ServerKeyChoice serverKeyFor(const json* profile) {
  std::vector<AllowedKeyAlgorithm> allowed;
  if (profile) {
    try {
      allowed = parseAllowedKeyAlgorithms(profile->value("allowed_key_algorithms", json()));
    } catch (const domain::ApiError&) {
      // enforceProfile reports the malformed profile; fall back to the default here.
    }
  }
  if (allowed.empty()) return {"ECDSA", 256};
  auto find = [&](const std::string& algorithm) -> const AllowedKeyAlgorithm* {
    const AllowedKeyAlgorithm* best = nullptr;
    for (const auto& a : allowed)
      if (a.algorithm == algorithm && (!best || a.minSize < best->minSize)) best = &a;
    return best;
  };
  if (const auto* ec = find("ECDSA")) {
    if (ec->minSize <= 256) return {"ECDSA", 256};
    if (ec->minSize <= 384) return {"ECDSA", 384};
  }
  if (const auto* rsa = find("RSA")) {
    int bits = std::max(kMinRsaBits, rsa->minSize);
    for (int standard : {2048, 3072, 4096, 8192})
      if (bits <= standard) return {"RSA", standard};
    return {"RSA", bits};
  }
  if (find("Ed25519")) return {"Ed25519", 256};
  return {"ECDSA", 256};
}

void validateProfileFields(const json& values) {
  auto it = values.find("allowed_key_algorithms");
  if (it != values.end()) parseAllowedKeyAlgorithms(*it);
  for (const char* key : {"max_ttl_hours", "max_ttl_seconds"}) {
    auto ttl = values.find(key);
    if (ttl != values.end() && !ttl->is_null() && !isPositiveInteger(*ttl))
      throw domain::badRequest(key, std::string(key) + " must be a positive integer");
  }
}

}  // namespace certctl::services
