#include "core/domain/resources.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace certctl::domain {

namespace {

// Length limits. Ids are "<prefix><slug>"; 253 is the longest DNS name.
constexpr size_t kIdMax = 128;
constexpr size_t kNameMax = 255;
constexpr size_t kDnsNameMax = 253;
constexpr size_t kEmailMax = 254;
constexpr size_t kShortMax = 64;
constexpr size_t kTextMax = 4096;

const std::vector<std::string> kCertificateStatuses = {
    "Pending",           "Active", "Expiring", "Expired",
    "RenewalInProgress", "Failed", "Revoked",  "Archived"};
// RFC 5280 reason codes, spelled as the API accepts them.
const std::vector<std::string> kRevocationReasons = {
    "unspecified", "keyCompromise",        "caCompromise",    "affiliationChanged",
    "superseded",  "cessationOfOperation", "certificateHold", "privilegeWithdrawn"};
// The five rule types of the feature inventory, plus CertificateLifetime,
// which the original API's PolicyType enum also accepts, and Lua (a script
// under the hook directory's policy/, docs/lua.md).
const std::vector<std::string> kPolicyTypes = {"AllowedIssuers",
                                               "AllowedDomains",
                                               "RequiredMetadata",
                                               "AllowedEnvironments",
                                               "RenewalLeadTime",
                                               "CertificateLifetime",
                                               "Lua"};
const std::vector<std::string> kSeverities = {"Warning", "Error", "Critical"};
const std::vector<std::string> kAgentStatuses = {"Online", "Offline", "Degraded"};

// Reads like the column it describes: Field("status").readOnly().oneOf(...).
// (Designated initializers would do, but GCC's -Wextra flags every member
// they leave out.)
class Field {
 public:
  explicit Field(std::string name, FieldType type = FieldType::String) {
    spec_.name = std::move(name);
    spec_.type = type;
    if (type == FieldType::String) spec_.maxLength = kTextMax;
  }
  Field& required() {
    spec_.required = true;
    spec_.nullable = false;
    return *this;
  }
  // Set by the server only (lifecycle operations, heartbeats, ...).
  Field& readOnly() {
    spec_.writable = false;
    return *this;
  }
  // NOT NULL; the default fills it when a create request omits it.
  Field& notNull(std::string defaultJson) {
    spec_.nullable = false;
    spec_.defaultJson = std::move(defaultJson);
    return *this;
  }
  Field& oneOf(const std::vector<std::string>& values) {
    spec_.enumValues = values;
    return *this;
  }
  Field& references(std::string resource) {
    spec_.references = std::move(resource);
    spec_.maxLength = kIdMax;
    return *this;
  }
  Field& filterable(std::string queryParam = "") {
    spec_.filterable = true;
    spec_.filterParam = std::move(queryParam);
    return *this;
  }
  Field& alsoAccepts(std::string alias) {
    spec_.inputAlias = std::move(alias);
    return *this;
  }
  Field& maxLength(size_t length) {
    spec_.maxLength = length;
    return *this;
  }
  operator FieldSpec() const { return spec_; }

 private:
  FieldSpec spec_;
};

Field name() { return Field("name").required().maxLength(kNameMax); }

// A nullable id of another resource, filterable on lists.
Field reference(std::string fieldName, std::string resource) {
  return Field(std::move(fieldName)).references(std::move(resource)).filterable();
}

Field enabled() { return Field("enabled", FieldType::Boolean).notNull("true").filterable(); }

Field serverTimestamp(std::string fieldName) {
  return Field(std::move(fieldName), FieldType::Timestamp).readOnly();
}

ResourceSpec resource(std::string name, std::string table, std::string idPrefix,
                      std::string singular) {
  ResourceSpec r;
  r.name = std::move(name);
  r.table = std::move(table);
  r.idPrefix = std::move(idPrefix);
  r.singular = std::move(singular);
  return r;
}

// The seed's sort names, plus the snake_case spelling of each column, which
// is what clients see in the JSON they sort. created/updated come last.
std::vector<SortKey> sortKeys(
    std::initializer_list<std::pair<const char*, const char*>> apiNamesToColumns) {
  std::vector<SortKey> keys;
  auto add = [&keys](const std::string& apiName, const std::string& column) {
    auto known = [&](const SortKey& k) { return k.apiName == apiName; };
    if (std::none_of(keys.begin(), keys.end(), known)) keys.push_back({apiName, column});
  };
  for (const auto& [apiName, column] : apiNamesToColumns) {
    add(apiName, column);
    add(column, column);
  }
  for (const auto& [apiName, column] :
       {std::pair{"createdAt", "created_at"}, std::pair{"updatedAt", "updated_at"}}) {
    add(apiName, column);
    add(column, column);
  }
  return keys;
}

std::vector<TimeFilter> createdUpdatedFilters() {
  return {{"created_after", "created_at", false},
          {"created_before", "created_at", true},
          {"updated_after", "updated_at", false},
          {"updated_before", "updated_at", true}};
}

ResourceSpec certificates() {
  auto r = resource("certificates", "managed_certificates", "mc-", "certificate");
  r.fields = {
      name(),
      Field("common_name").required().maxLength(kDnsNameMax),
      Field("sans", FieldType::StringList).notNull("[]"),
      Field("environment").filterable().maxLength(kShortMax),
      reference("owner_id", "owners"),
      reference("team_id", "teams"),
      reference("issuer_id", "issuers").required(),
      reference("renewal_policy_id", "renewal-policies"),
      // The seed's examples and query strings call it profile_id.
      Field("certificate_profile_id")
          .references("profiles")
          .filterable("profile_id")
          .alsoAccepts("profile_id"),
      reference("agent_id", "agents"),
      // Moves only through lifecycle operations (issue, renew, revoke, DELETE).
      Field("status").readOnly().notNull("\"Pending\"").oneOf(kCertificateStatuses).filterable(),
      // Writable so certificates issued elsewhere can be registered with their
      // expiry; issuance overwrites it from the issued certificate.
      Field("expires_at", FieldType::Timestamp),
      Field("tags", FieldType::Json).notNull("{}"),
      serverTimestamp("last_renewal_at"),
      // When the issuing CA's ARI (RFC 9773) window says to renew; null
      // when the CA gave none and the renewal policy alone decides.
      serverTimestamp("ari_renew_at"),
      serverTimestamp("last_deployment_at"),
      // Which door the certificate came in by: api, est, scep, acme, discovery.
      Field("source").readOnly().notNull("\"api\"").filterable().maxLength(kShortMax),
      serverTimestamp("revoked_at"),
      Field("revocation_reason").readOnly().oneOf(kRevocationReasons),
  };
  r.sortKeys = sortKeys({{"notAfter", "expires_at"},
                         {"expiresAt", "expires_at"},
                         {"commonName", "common_name"},
                         {"name", "name"},
                         {"status", "status"},
                         {"environment", "environment"}});
  r.timeFilters = {{"expires_before", "expires_at", true}, {"expires_after", "expires_at", false}};
  for (auto& f : createdUpdatedFilters()) r.timeFilters.push_back(std::move(f));
  r.archiveStatus = "Archived";
  return r;
}

ResourceSpec issuers() {
  auto r = resource("issuers", "issuers", "iss-", "issuer");
  r.fields = {
      name(),
      // The issuer plugin's type name; the set depends on the plugins loaded.
      Field("type").required().filterable().maxLength(kShortMax),
      Field("config", FieldType::Json).notNull("{}"),
      enabled(),
      Field("description"),
  };
  r.sortKeys = sortKeys({{"name", "name"}, {"type", "type"}});
  r.timeFilters = createdUpdatedFilters();
  return r;
}

ResourceSpec targets() {
  auto r = resource("targets", "deployment_targets", "t-", "target");
  r.fields = {
      name(),
      // The target plugin's type name (nginx, apache, haproxy, ...).
      Field("type").required().filterable().maxLength(kShortMax),
      reference("agent_id", "agents"),
      Field("config", FieldType::Json).notNull("{}"),
      enabled(),
      serverTimestamp("retired_at"),
      Field("retired_reason").readOnly(),
  };
  r.sortKeys = sortKeys({{"name", "name"}, {"type", "type"}});
  r.timeFilters = createdUpdatedFilters();
  return r;
}

ResourceSpec renewalPolicies() {
  auto r = resource("renewal-policies", "renewal_policies", "rp-", "renewal policy");
  r.fields = {
      name(),
      Field("renewal_window_days", FieldType::Integer).notNull("30"),
      Field("auto_renew", FieldType::Boolean).notNull("true"),
      Field("max_retries", FieldType::Integer).notNull("3"),
      Field("retry_interval_seconds", FieldType::Integer).notNull("3600"),
      Field("alert_thresholds_days", FieldType::Json).notNull("[30,14,7,0]"),
      // {"informational": ["Slack"], "warning": [...], "critical": [...]}
      Field("alert_channels", FieldType::Json),
      // {"30": "informational", "14": "warning", "7": "warning", "0": "critical"}
      Field("alert_severity_map", FieldType::Json),
      reference("agent_group_id", "agent-groups"),
  };
  r.sortKeys = sortKeys({{"name", "name"}});
  r.timeFilters = createdUpdatedFilters();
  return r;
}

ResourceSpec profiles() {
  auto r = resource("profiles", "certificate_profiles", "prof-", "profile");
  r.fields = {
      name(),
      Field("description"),
      // ["ECDSA", "RSA"] or [{"algorithm": "RSA", "min_size": 3072}, ...];
      // absent: the server's built-in minimums apply.
      Field("allowed_key_algorithms", FieldType::Json),
      Field("max_ttl_hours", FieldType::Integer),
      // Finer than hours, for short-lived profiles (under one hour). When both
      // are set the smaller lifetime applies.
      Field("max_ttl_seconds", FieldType::Integer),
      Field("allowed_ekus", FieldType::StringList).notNull("[\"serverAuth\"]"),
      Field("required_sans", FieldType::StringList).notNull("[]"),
      // How the built-in ACME server authorizes orders under this profile
      // (docs/acme-server.md).
      Field("acme_auth_mode")
          .notNull("\"trust_authenticated\"")
          .oneOf({"trust_authenticated", "challenge"}),
      enabled(),
  };
  r.sortKeys = sortKeys({{"name", "name"}});
  r.timeFilters = createdUpdatedFilters();
  return r;
}

ResourceSpec policies() {
  auto r = resource("policies", "policy_rules", "pr-", "policy");
  r.fields = {
      name(),
      Field("type").required().oneOf(kPolicyTypes).filterable(),
      Field("config", FieldType::Json).notNull("{}"),
      Field("severity").notNull("\"Warning\"").oneOf(kSeverities).filterable(),
      enabled(),
  };
  r.sortKeys = sortKeys({{"name", "name"}, {"type", "type"}});
  r.timeFilters = createdUpdatedFilters();
  return r;
}

ResourceSpec teams() {
  auto r = resource("teams", "teams", "team-", "team");
  r.fields = {
      name(),
      Field("description"),
      Field("email").maxLength(kEmailMax),
  };
  r.sortKeys = sortKeys({{"name", "name"}});
  r.timeFilters = createdUpdatedFilters();
  return r;
}

ResourceSpec owners() {
  auto r = resource("owners", "owners", "o-", "owner");
  r.fields = {
      name(),
      Field("email").required().filterable().maxLength(kEmailMax),
      reference("team_id", "teams"),
  };
  r.sortKeys = sortKeys({{"name", "name"}});
  r.timeFilters = createdUpdatedFilters();
  return r;
}

ResourceSpec agentGroups() {
  auto r = resource("agent-groups", "agent_groups", "ag-", "agent group");
  // An agent is a member when it matches every non-empty criterion (or is
  // included by hand). The *_match spellings are the seed examples'.
  r.fields = {
      name(),
      Field("description"),
      Field("match_os").alsoAccepts("os_match").maxLength(kShortMax),
      Field("match_architecture").alsoAccepts("architecture_match").maxLength(kShortMax),
      Field("match_ip_cidr").alsoAccepts("ip_cidr_match").maxLength(kShortMax),
      // A version range such as ">=1.2.0 <2.0.0".
      Field("match_version").alsoAccepts("version_match").maxLength(kShortMax),
      enabled(),
  };
  r.sortKeys = sortKeys({{"name", "name"}});
  r.timeFilters = createdUpdatedFilters();
  return r;
}

ResourceSpec agents() {
  auto r = resource("agents", "agents", "a-", "agent");
  // Apart from the names, everything is reported by the agent itself
  // (register, heartbeat) or set by the server (health loop, retirement).
  r.fields = {
      name(),
      Field("hostname").maxLength(kDnsNameMax),
      Field("status").readOnly().notNull("\"Online\"").oneOf(kAgentStatuses).filterable(),
      Field("os").readOnly().filterable().maxLength(kShortMax),
      Field("architecture").readOnly().filterable().maxLength(kShortMax),
      Field("ip_address").readOnly().maxLength(kShortMax),
      Field("version").readOnly().filterable().maxLength(kShortMax),
      // Target types and features the agent supports.
      Field("capabilities", FieldType::Json).readOnly(),
      serverTimestamp("last_heartbeat_at"),
      serverTimestamp("registered_at"),
      serverTimestamp("retired_at"),
      Field("retired_reason").readOnly(),
  };
  r.sortKeys = sortKeys({{"name", "name"}, {"status", "status"}});
  r.timeFilters = createdUpdatedFilters();
  return r;
}

}  // namespace

const std::vector<ResourceSpec>& inventoryResources() {
  static const std::vector<ResourceSpec> resources = {
      certificates(), issuers(), targets(), renewalPolicies(), profiles(),
      policies(),     teams(),   owners(),  agentGroups(),     agents(),
  };
  return resources;
}

const ResourceSpec* findResource(std::string_view name) {
  for (const auto& r : inventoryResources())
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace certctl::domain
