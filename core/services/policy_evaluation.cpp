#include "core/services/policy_evaluation.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "core/domain/errors.h"
#include "core/services/profile_enforcement.h"

namespace certctl::services {

using nlohmann::json;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The first of `keys` present in `config` as an array of strings.
std::vector<std::string> listOf(const json& config, std::initializer_list<const char*> keys) {
  std::vector<std::string> out;
  for (const char* key : keys) {
    auto it = config.find(key);
    if (it == config.end() || !it->is_array()) continue;
    for (const auto& item : *it)
      if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
  }
  return out;
}

// The first of `keys` present in `config` as a number.
std::optional<double> numberOf(const json& config, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = config.find(key);
    if (it != config.end() && it->is_number()) return it->get<double>();
  }
  return std::nullopt;
}

bool containsIgnoringCase(const std::vector<std::string>& list, const std::string& value) {
  std::string v = lower(value);
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) { return lower(s) == v; });
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

bool looksLikeIp(const std::string& name) {
  if (name.find(':') != std::string::npos) return true;  // IPv6 (or a URI: not a domain either)
  return !name.empty() && std::all_of(name.begin(), name.end(),
                                      [](unsigned char c) { return std::isdigit(c) || c == '.'; });
}

// The DNS names a domain rule judges: the CN and the SANs, an email by its
// domain; IP addresses and URIs are not domains and are skipped.
std::vector<std::string> domainNames(const PolicySubject& s) {
  std::vector<std::string> names;
  auto add = [&](std::string name) {
    auto at = name.rfind('@');
    if (at != std::string::npos) name = name.substr(at + 1);
    if (name.empty() || looksLikeIp(name)) return;
    name = lower(name);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  add(s.commonName);
  for (const auto& san : s.sans) add(san);
  return names;
}

bool isEmptyValue(const json& v) {
  if (v.is_null()) return true;
  if (v.is_string()) return v.get<std::string>().empty();
  if (v.is_array() || v.is_object()) return v.empty();
  return false;
}

struct Outcome {
  std::string message;  // "" = no violation
  json details = json::object();
};

Outcome allowedIssuers(const json& config, const PolicySubject& s) {
  auto allowed = listOf(config, {"allowed_issuer_ids", "allowed", "issuer_ids"});
  if (allowed.empty() || containsIgnoringCase(allowed, s.issuerId)) return {};
  return {"issuer " + s.issuerId + " is not an allowed issuer (" + joined(allowed) + ")",
          {{"issuer_id", s.issuerId}, {"allowed", allowed}}};
}

Outcome allowedDomains(const json& config, const PolicySubject& s) {
  auto allowed = listOf(config, {"allowed", "allowed_domains", "domains"});
  auto denied = listOf(config, {"denied", "denied_domains", "deny"});
  std::vector<std::string> notAllowed, deniedNames;
  for (const auto& name : domainNames(s)) {
    auto matches = [&](const std::string& pattern) { return domainMatches(pattern, name); };
    if (!allowed.empty() && std::none_of(allowed.begin(), allowed.end(), matches))
      notAllowed.push_back(name);
    else if (std::any_of(denied.begin(), denied.end(), matches))
      deniedNames.push_back(name);
  }
  if (notAllowed.empty() && deniedNames.empty()) return {};
  std::string message;
  if (!notAllowed.empty())
    message = "names outside the allowed domains (" + joined(allowed) + "): " + joined(notAllowed);
  if (!deniedNames.empty())
    message += (message.empty() ? "" : "; ") + std::string("names in denied domains (") +
               joined(denied) + "): " + joined(deniedNames);
  json details = {{"not_allowed", notAllowed}, {"denied", deniedNames}};
  return {message, details};
}

Outcome requiredMetadata(const json& config, const PolicySubject& s) {
  std::vector<std::string> missingFields, missingTags;
  for (auto field : listOf(config, {"required_fields", "fields"})) {
    if (field == "profile_id") field = "certificate_profile_id";
    auto it = s.certificate.find(field);
    if (it == s.certificate.end() || isEmptyValue(*it)) missingFields.push_back(field);
  }
  json tags = s.certificate.value("tags", json::object());
  for (const auto& tag : listOf(config, {"required_tags", "tags"})) {
    auto it = tags.is_object() ? tags.find(tag) : tags.end();
    if (!tags.is_object() || it == tags.end() || isEmptyValue(*it)) missingTags.push_back(tag);
  }
  if (missingFields.empty() && missingTags.empty()) return {};
  std::string message;
  if (!missingFields.empty()) message = "missing required fields: " + joined(missingFields);
  if (!missingTags.empty())
    message += (message.empty() ? "" : "; ") + std::string("missing required tags: ") +
               joined(missingTags);
  return {message, {{"missing_fields", missingFields}, {"missing_tags", missingTags}}};
}

Outcome allowedEnvironments(const json& config, const PolicySubject& s) {
  auto allowed = listOf(config, {"allowed", "environments", "allowed_environments"});
  if (allowed.empty()) return {};
  if (s.environment.empty())
    return {"the certificate has no environment (allowed: " + joined(allowed) + ")",
            {{"environment", nullptr}, {"allowed", allowed}}};
  if (containsIgnoringCase(allowed, s.environment)) return {};
  return {"environment " + s.environment + " is not allowed (" + joined(allowed) + ")",
          {{"environment", s.environment}, {"allowed", allowed}}};
}

Outcome renewalLeadTime(const json& config, const PolicySubject& s) {
  auto minimum = numberOf(config, {"minimum_days", "min_days", "days"});
  if (!minimum || s.renewalWindowDays >= *minimum) return {};
  return {"renewal window of " + std::to_string(s.renewalWindowDays) +
              " days is shorter than the required " +
              std::to_string(static_cast<long long>(*minimum)) + " days",
          {{"renewal_window_days", s.renewalWindowDays}, {"minimum_days", *minimum}}};
}

Outcome certificateLifetime(const json& config, const PolicySubject& s) {
  std::optional<double> maxSeconds;
  auto take = [&](std::optional<double> v, double unit) {
    if (v && (!maxSeconds || *v * unit < *maxSeconds)) maxSeconds = *v * unit;
  };
  take(numberOf(config, {"max_days", "max_lifetime_days"}), 86400);
  take(numberOf(config, {"max_hours"}), 3600);
  take(numberOf(config, {"max_seconds"}), 1);
  if (!maxSeconds) return {};
  auto maxWhole = static_cast<long long>(*maxSeconds);
  if (!s.lifetimeSeconds)
    return {
        "the lifetime is not limited by a profile max TTL or the issuer's validity_days "
        "(policy maximum " +
            std::to_string(maxWhole) + " s)",
        {{"lifetime_seconds", nullptr}, {"max_seconds", maxWhole}}};
  if (static_cast<double>(*s.lifetimeSeconds) <= *maxSeconds) return {};
  return {"lifetime of " + std::to_string(*s.lifetimeSeconds) + " s exceeds the maximum of " +
              std::to_string(maxWhole) + " s",
          {{"lifetime_seconds", *s.lifetimeSeconds}, {"max_seconds", maxWhole}}};
}

bool ruleEnabled(const json& rule) {
  auto it = rule.find("enabled");
  if (it == rule.end() || it->is_null()) return true;
  return !it->is_boolean() || it->get<bool>();
}

// "environments" and "exempt_profiles" narrow where a rule applies (seed
// demo: production must use approved CAs, S/MIME exempt). For
// AllowedEnvironments "environments" is the allowed list itself.
bool inScope(const std::string& type, const json& config, const PolicySubject& s) {
  if (!s.profileId.empty() &&
      containsIgnoringCase(listOf(config, {"exempt_profiles"}), s.profileId))
    return false;
  if (type == "AllowedEnvironments") return true;
  auto environments = listOf(config, {"environments"});
  return environments.empty() || containsIgnoringCase(environments, s.environment);
}

using Evaluator = Outcome (*)(const json&, const PolicySubject&);

const std::map<std::string, Evaluator>& evaluators() {
  static const std::map<std::string, Evaluator> table = {
      {"AllowedIssuers", allowedIssuers},     {"AllowedDomains", allowedDomains},
      {"RequiredMetadata", requiredMetadata}, {"AllowedEnvironments", allowedEnvironments},
      {"RenewalLeadTime", renewalLeadTime},   {"CertificateLifetime", certificateLifetime},
  };
  return table;
}

// Which config keys of each type hold string lists and which hold numbers.
struct ConfigShape {
  std::vector<const char*> lists;
  std::vector<const char*> numbers;
};

const std::map<std::string, ConfigShape>& configShapes() {
  static const std::map<std::string, ConfigShape> shapes = {
      {"AllowedIssuers", {{"allowed_issuer_ids", "allowed", "issuer_ids"}, {}}},
      {"AllowedDomains",
       {{"allowed", "allowed_domains", "domains", "denied", "denied_domains", "deny"}, {}}},
      {"RequiredMetadata", {{"required_fields", "fields", "required_tags", "tags"}, {}}},
      {"AllowedEnvironments", {{"allowed", "allowed_environments"}, {}}},
      {"RenewalLeadTime", {{}, {"minimum_days", "min_days", "days"}}},
      {"CertificateLifetime", {{}, {"max_days", "max_lifetime_days", "max_hours", "max_seconds"}}},
  };
  return shapes;
}

std::shared_mutex externalMutex;
std::map<std::string, ExternalPolicyRule>& externalRules() {
  static std::map<std::string, ExternalPolicyRule> rules;
  return rules;
}

ExternalPolicyRule externalRule(const std::string& type) {
  std::shared_lock lock(externalMutex);
  auto it = externalRules().find(type);
  return it == externalRules().end() ? ExternalPolicyRule() : it->second;
}

PolicyFinding findingFor(const json& rule, const std::string& type) {
  PolicyFinding f;
  f.ruleId = rule.value("id", std::string());
  f.ruleName = rule.value("name", f.ruleId);
  f.ruleType = type;
  f.severity = rule.value("severity", std::string("Warning"));
  return f;
}

}  // namespace

void registerExternalPolicyRule(const std::string& type, ExternalPolicyRule rule) {
  std::unique_lock lock(externalMutex);
  if (rule)
    externalRules()[type] = std::move(rule);
  else
    externalRules().erase(type);
}

std::string PolicyFinding::describe() const {
  return "policy " + ruleName + " (" + ruleId + ", " + ruleType + ", " + severity + "): " + message;
}

std::vector<PolicyFinding> evaluatePolicies(const std::vector<json>& rules,
                                            const PolicySubject& subject) {
  std::vector<PolicyFinding> findings;
  for (const auto& rule : rules) {
    if (!ruleEnabled(rule)) continue;
    std::string type = rule.value("type", std::string());
    auto evaluator = evaluators().find(type);
    ExternalPolicyRule external =
        evaluator == evaluators().end() ? externalRule(type) : ExternalPolicyRule();
    if (evaluator == evaluators().end() && !external) continue;
    json config = rule.value("config", json::object());
    if (!config.is_object()) config = json::object();
    if (!inScope(type, config, subject)) continue;
    if (external) {
      for (auto& violation : external(config, subject)) {
        PolicyFinding f = findingFor(rule, type);
        if (!violation.severity.empty()) f.severity = violation.severity;
        f.message = std::move(violation.message);
        f.details = std::move(violation.details);
        f.details["rule_type"] = type;
        findings.push_back(std::move(f));
      }
      continue;
    }
    Outcome outcome = evaluator->second(config, subject);
    if (outcome.message.empty()) continue;
    PolicyFinding f = findingFor(rule, type);
    f.message = outcome.message;
    f.details = outcome.details;
    f.details["rule_type"] = type;
    findings.push_back(std::move(f));
  }
  return findings;
}

std::string blockingReason(const std::vector<PolicyFinding>& findings) {
  std::string out;
  for (const auto& f : findings)
    if (f.blocking()) out += (out.empty() ? "" : "; ") + f.describe();
  return out;
}

void validatePolicyFields(const json& values, const json* current) {
  if (!values.contains("type") && !values.contains("config")) return;
  std::string type = values.contains("type") ? values["type"].get<std::string>()
                                             : (current ? current->value("type", "") : "");
  json config = values.contains("config")
                    ? values["config"]
                    : (current ? current->value("config", json::object()) : json::object());
  if (!config.is_object()) throw domain::badRequest("config", "config must be a JSON object");
  if (type == "Lua") {
    auto script = config.find("script");
    if (script == config.end() || !script->is_string() || script->get<std::string>().empty())
      throw domain::badRequest("config", "config.script must name a script under policy/");
    const auto name = script->get<std::string>();
    if (name.front() == '/' || name.find("..") != std::string::npos)
      throw domain::badRequest("config", "config.script must be a relative name without '..'");
    if (config.contains("params") && !config["params"].is_object())
      throw domain::badRequest("config", "config.params must be an object");
  }
  auto shape = configShapes().find(type);
  if (shape == configShapes().end()) return;
  auto checkList = [&](const char* key) {
    auto it = config.find(key);
    if (it == config.end() || it->is_null()) return;
    bool ok = it->is_array() &&
              std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); });
    if (!ok)
      throw domain::badRequest(
          "config", "config." + std::string(key) + " must be an array of strings for " + type);
  };
  for (const char* key : shape->second.lists) checkList(key);
  for (const char* key : {"environments", "exempt_profiles"}) checkList(key);
  for (const char* key : shape->second.numbers) {
    auto it = config.find(key);
    if (it == config.end() || it->is_null()) continue;
    if (!it->is_number() || it->get<double>() <= 0)
      throw domain::badRequest(
          "config", "config." + std::string(key) + " must be a positive number for " + type);
  }
}

}  // namespace certctl::services
