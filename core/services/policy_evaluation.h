#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace certctl::services {

// The policy rules of seed 001 ("Policy Engine") evaluated against one
// certificate at issuance and renewal. Pure functions over the stored rule
// records (policy_rules: id, name, type, config, severity, enabled); the
// config format of each type is documented in docs/lifecycle.md.

// Everything a rule may look at, gathered by the issuance service.
struct PolicySubject {
  nlohmann::json certificate;  // the managed certificate record (owner_id, tags, ...)
  std::string commonName;
  std::vector<std::string> sans;
  std::string environment;  // "" when unset
  std::string issuerId;
  std::string profileId;  // "" when unset
  // The renewal window of the certificate's renewal policy (30 days when it has none).
  int renewalWindowDays = 30;
  // The lifetime the certificate will get, when the server knows it (the
  // profile's max TTL and the issuer's validity_days, whichever is smaller).
  std::optional<long long> lifetimeSeconds;
};

struct PolicyFinding {
  std::string ruleId;
  std::string ruleName;
  std::string ruleType;
  std::string severity;  // Warning | Error | Critical
  std::string message;
  nlohmann::json details = nlohmann::json::object();
  // Error and Critical findings stop the issuance; Warnings are only recorded.
  bool blocking() const { return severity == "Error" || severity == "Critical"; }
  // "policy <name> (<id>, <type>, <severity>): <message>"
  std::string describe() const;
};

// A rule type evaluated outside this file (the Lua rule, whose scripts the
// server runs): the violations of one rule for one subject. A violation with
// an empty severity takes the rule's.
struct PolicyViolation {
  std::string message;
  std::string severity;
  nlohmann::json details = nlohmann::json::object();
};
using ExternalPolicyRule =
    std::function<std::vector<PolicyViolation>(const nlohmann::json& config, const PolicySubject&)>;

// Registers (or, with an empty function, removes) the evaluator of `type`.
// Set once at start-up; evaluatePolicies skips rules of a type with none.
void registerExternalPolicyRule(const std::string& type, ExternalPolicyRule rule);

// Evaluates every enabled rule in `rules` (disabled ones are skipped, as are
// rules whose scope does not cover the subject) and returns one finding per
// violated rule, in rule order.
std::vector<PolicyFinding> evaluatePolicies(const std::vector<nlohmann::json>& rules,
                                            const PolicySubject& subject);

// The findings that block issuance, joined for a job's last_error; "" when none.
std::string blockingReason(const std::vector<PolicyFinding>& findings);

// Validator for policy create/update: the keys a type reads must have the
// right JSON types when present. Throws domain::ApiError(BadRequest, "config").
void validatePolicyFields(const nlohmann::json& values, const nlohmann::json* current);

}  // namespace certctl::services
