// The policy rule types of seed 001 evaluated against one certificate:
// table-driven per type, with the configs the demo seed and the seed's own
// examples use, plus scoping, severities and config validation.
#include <catch2/catch.hpp>

#include "core/domain/errors.h"
#include "core/services/policy_evaluation.h"

using namespace certctl::services;
using nlohmann::json;

namespace {

json rule(const std::string& type, json config, const std::string& severity = "Error") {
  return {{"id", "pr-" + type},          {"name", type + " rule"}, {"type", type},
          {"config", std::move(config)}, {"severity", severity},   {"enabled", true}};
}

PolicySubject subject() {
  PolicySubject s;
  s.certificate = {{"id", "mc-api"},
                   {"name", "api"},
                   {"common_name", "api.example.com"},
                   {"sans", {"api.example.com", "www.example.com"}},
                   {"environment", "production"},
                   {"owner_id", "o-alice"},
                   {"team_id", nullptr},
                   {"issuer_id", "iss-local"},
                   {"certificate_profile_id", "prof-tls"},
                   {"tags", {{"cost_center", "cc-1"}, {"tier", ""}}}};
  s.commonName = "api.example.com";
  s.sans = {"api.example.com", "www.example.com"};
  s.environment = "production";
  s.issuerId = "iss-local";
  s.profileId = "prof-tls";
  s.renewalWindowDays = 30;
  s.lifetimeSeconds = 90LL * 86400;
  return s;
}

struct Case {
  const char* name;
  json rule;
  std::function<void(PolicySubject&)> adjust;
  bool violated;
};

void runCases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    INFO(c.name << ": " << c.rule.dump());
    PolicySubject s = subject();
    if (c.adjust) c.adjust(s);
    auto findings = evaluatePolicies({c.rule}, s);
    CHECK(findings.size() == (c.violated ? 1u : 0u));
    if (!findings.empty()) {
      CHECK(findings[0].ruleId == c.rule["id"]);
      CHECK(findings[0].ruleType == c.rule["type"]);
      CHECK_FALSE(findings[0].message.empty());
    }
  }
}

}  // namespace

TEST_CASE("AllowedIssuers", "[services][policies]") {
  // The demo seed's rule: production must use approved CAs, S/MIME exempt.
  json demo = rule("AllowedIssuers", {{"allowed_issuer_ids", {"iss-digicert", "iss-vault"}},
                                      {"environments", {"production"}},
                                      {"exempt_profiles", {"prof-smime"}}});
  runCases({
      {"issuer not in the list", demo, nullptr, true},
      {"issuer in the list", demo, [](PolicySubject& s) { s.issuerId = "iss-vault"; }, false},
      {"other environment: out of scope", demo, [](PolicySubject& s) { s.environment = "staging"; },
       false},
      {"exempt profile", demo, [](PolicySubject& s) { s.profileId = "prof-smime"; }, false},
      {"no environment scope: applies everywhere",
       rule("AllowedIssuers", {{"allowed", {"iss-vault"}}}),
       [](PolicySubject& s) { s.environment = "dev"; }, true},
      {"empty list: not configured", rule("AllowedIssuers", json::object()), nullptr, false},
  });
}

TEST_CASE("AllowedDomains", "[services][policies]") {
  json demo = rule("AllowedDomains", {{"allowed", {"example.com", "*.example.com", "*.svc"}}});
  json withDeny = rule("AllowedDomains",
                       {{"allowed", {"*.example.com"}}, {"denied", {"*.staging.example.com"}}});
  runCases({
      {"every name allowed", demo, nullptr, false},
      {"one SAN outside", demo, [](PolicySubject& s) { s.sans.push_back("api.example.org"); },
       true},
      {"CN outside", demo, [](PolicySubject& s) { s.commonName = "evil.org"; }, true},
      {"IP SANs are not domains", demo, [](PolicySubject& s) { s.sans.push_back("10.0.0.1"); },
       false},
      {"email SANs are judged by their domain", demo,
       [](PolicySubject& s) { s.sans.push_back("ops@example.org"); }, true},
      {"denied subdomain", withDeny,
       [](PolicySubject& s) { s.sans.push_back("x.staging.example.com"); }, true},
      {"allowed, not denied", withDeny, nullptr, false},
      {"deny list alone", rule("AllowedDomains", {{"denied", {"*.example.com"}}}), nullptr, true},
      {"case-insensitive", demo, [](PolicySubject& s) { s.commonName = "API.EXAMPLE.COM"; }, false},
  });
}

TEST_CASE("RequiredMetadata", "[services][policies]") {
  runCases({
      {"the seed's example: team_id missing",
       rule("RequiredMetadata", {{"required_fields", {"owner_id", "team_id"}}}), nullptr, true},
      {"fields present", rule("RequiredMetadata", {{"required_fields", {"owner_id"}}}), nullptr,
       false},
      {"profile_id is an alias", rule("RequiredMetadata", {{"required_fields", {"profile_id"}}}),
       nullptr, false},
      {"tag present", rule("RequiredMetadata", {{"required_tags", {"cost_center"}}}), nullptr,
       false},
      {"empty tag counts as missing", rule("RequiredMetadata", {{"required_tags", {"tier"}}}),
       nullptr, true},
      {"absent tag", rule("RequiredMetadata", {{"required_tags", {"pci"}}}), nullptr, true},
      {"absent field", rule("RequiredMetadata", {{"required_fields", {"renewal_policy_id"}}}),
       nullptr, true},
  });
  auto findings = evaluatePolicies(
      {rule("RequiredMetadata",
            {{"required_fields", {"owner_id", "team_id"}}, {"required_tags", {"pci"}}})},
      subject());
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].details["missing_fields"] == json{"team_id"});
  CHECK(findings[0].details["missing_tags"] == json{"pci"});
}

TEST_CASE("AllowedEnvironments", "[services][policies]") {
  json demo = rule("AllowedEnvironments", {{"allowed", {"production", "staging"}}});
  runCases({
      {"listed", demo, nullptr, false},
      {"case-insensitive", demo, [](PolicySubject& s) { s.environment = "Production"; }, false},
      {"not listed", demo, [](PolicySubject& s) { s.environment = "sandbox"; }, true},
      {"no environment", demo, [](PolicySubject& s) { s.environment.clear(); }, true},
      {"'environments' is accepted as the list",
       rule("AllowedEnvironments", {{"environments", {"staging"}}}), nullptr, true},
  });
}

TEST_CASE("RenewalLeadTime", "[services][policies]") {
  json demo = rule("RenewalLeadTime", {{"minimum_days", 14}});
  runCases({
      {"30-day window >= 14", demo, nullptr, false},
      {"7-day window < 14", demo, [](PolicySubject& s) { s.renewalWindowDays = 7; }, true},
      {"equal is enough", demo, [](PolicySubject& s) { s.renewalWindowDays = 14; }, false},
      {"the seed's 60 days", rule("RenewalLeadTime", {{"minimum_days", 60}}), nullptr, true},
  });
}

TEST_CASE("CertificateLifetime", "[services][policies]") {
  json ninety = rule("CertificateLifetime", {{"max_days", 90}});
  runCases({
      {"90 days <= 90", ninety, nullptr, false},
      {"397 days > 90", ninety, [](PolicySubject& s) { s.lifetimeSeconds = 397LL * 86400; }, true},
      {"unknown lifetime", ninety, [](PolicySubject& s) { s.lifetimeSeconds.reset(); }, true},
      {"hours", rule("CertificateLifetime", {{"max_hours", 24}}),
       [](PolicySubject& s) { s.lifetimeSeconds = 3600; }, false},
      {"no maximum configured", rule("CertificateLifetime", json::object()), nullptr, false},
  });
}

TEST_CASE("severity decides what blocks; disabled rules are skipped", "[services][policies]") {
  std::vector<json> rules = {
      rule("AllowedEnvironments", {{"allowed", {"staging"}}}, "Warning"),
      rule("RequiredMetadata", {{"required_fields", {"team_id"}}}, "Error"),
      rule("AllowedIssuers", {{"allowed", {"iss-vault"}}}, "Critical"),
  };
  rules.push_back(rule("RenewalLeadTime", {{"minimum_days", 60}}, "Critical"));
  rules.back()["enabled"] = false;
  rules.back()["id"] = "pr-disabled";

  auto findings = evaluatePolicies(rules, subject());
  REQUIRE(findings.size() == 3);
  CHECK_FALSE(findings[0].blocking());
  CHECK(findings[1].blocking());
  CHECK(findings[2].blocking());
  std::string reason = blockingReason(findings);
  CHECK_THAT(reason, Catch::Matchers::Contains("RequiredMetadata rule") &&
                         Catch::Matchers::Contains("pr-AllowedIssuers") &&
                         Catch::Matchers::Contains("Critical"));
  CHECK(reason.find("AllowedEnvironments") == std::string::npos);
  CHECK(blockingReason({findings[0]}).empty());
}

TEST_CASE("policy config validation checks the types a rule reads", "[services][policies]") {
  auto accepts = [](json values) {
    INFO(values.dump());
    CHECK_NOTHROW(validatePolicyFields(values, nullptr));
  };
  auto refuses = [](json values, const json* current = nullptr) {
    INFO(values.dump());
    try {
      validatePolicyFields(values, current);
      FAIL("accepted");
    } catch (const certctl::domain::ApiError& e) {
      CHECK(e.field() == "config");
    }
  };
  accepts({{"type", "AllowedIssuers"}, {"config", json::object()}});
  accepts({{"type", "RequiredMetadata"}, {"config", {{"required_fields", {"owner_id"}}}}});
  accepts({{"type", "RenewalLeadTime"}, {"config", {{"minimum_days", 14}}}});
  accepts({{"type", "AllowedEnvironments"}, {"config", {{"environments", {"production"}}}}});
  refuses({{"type", "AllowedIssuers"}, {"config", {{"allowed_issuer_ids", "iss-local"}}}});
  refuses({{"type", "AllowedDomains"}, {"config", {{"allowed", {1, 2}}}}});
  refuses({{"type", "RenewalLeadTime"}, {"config", {{"minimum_days", "14"}}}});
  refuses({{"type", "CertificateLifetime"}, {"config", {{"max_days", 0}}}});
  refuses({{"type", "AllowedIssuers"}, {"config", {{"exempt_profiles", "prof-x"}}}});
  refuses({{"type", "AllowedIssuers"}, {"config", json::array()}});
  // An update that changes only the config is checked against the stored type.
  json current = rule("RenewalLeadTime", {{"minimum_days", 14}});
  refuses({{"config", {{"minimum_days", true}}}}, &current);
}
