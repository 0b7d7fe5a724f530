// The demo organisation: teams and owners, CAs, profiles, policies and the
// agents that deploy. The certificates are in demo_seed_certificates.cpp.
#include "core/store/demo_seed_internal.h"

namespace certctl::store::demo {

namespace {

struct Team {
  const char* id;
  const char* name;
  const char* description;
  const char* email;
};

const Team kTeams[] = {
    {"team-platform", "Platform Engineering", "Edge, web tier and shared infrastructure",
     "platform@example.com"},
    {"team-security", "Security", "Identity, VPN and corporate PKI", "security@example.com"},
    {"team-payments", "Payments", "Checkout, billing and partner settlement",
     "payments@example.com"},
    {"team-data", "Data & Analytics", "Streaming, search and dashboards", "data@example.com"},
};

struct Owner {
  const char* id;
  const char* name;
  const char* email;
  const char* teamId;
};

const Owner kOwners[] = {
    {"o-alice", "Alice Chen", "alice.chen@example.com", "team-platform"},
    {"o-bob", "Bob Martinez", "bob.martinez@example.com", "team-platform"},
    {"o-carol", "Carol Nguyen", "carol.nguyen@example.com", "team-security"},
    {"o-dave", "Dave Okafor", "dave.okafor@example.com", "team-payments"},
    {"o-erin", "Erin Schmidt", "erin.schmidt@example.com", "team-data"},
    {"o-frank", "Frank Ito", "frank.ito@example.com", "team-security"},
};

struct AgentGroup {
  const char* id;
  const char* name;
  const char* description;
  const char* matchOs;
  const char* matchArchitecture;
  const char* matchIpCidr;
  const char* matchVersion;
};

const AgentGroup kAgentGroups[] = {
    {"ag-linux-prod", "Linux production", "Linux agents in the production network", "linux", "",
     "10.0.0.0/16", ""},
    {"ag-arm64-edge", "ARM64 edge", "Edge proxies on ARM64 hosts", "", "arm64", "", ""},
    {"ag-windows", "Windows servers", "IIS hosts", "windows", "", "", ""},
    {"ag-outdated", "Agents to upgrade", "Agents older than 1.4.0", "", "", "", "<1.4.0"},
};

struct Agent {
  const char* id;
  const char* name;
  const char* hostname;
  const char* status;
  const char* os;
  const char* architecture;
  const char* ipAddress;
  const char* version;
  const char* capabilities;  // JSON
  double heartbeatHoursAgo;
  double registeredDaysAgo;
};

const Agent kAgents[] = {
    {"a-web-01", "web-01", "web-01.prod.example.com", "Online", "linux", "amd64", "10.0.1.11",
     "1.4.2", R"({"targets":["NGINX"],"discovery":true,"key_types":["ECDSA","RSA"]})", 0.01, 160},
    {"a-web-02", "web-02", "web-02.prod.example.com", "Online", "linux", "amd64", "10.0.1.12",
     "1.4.2", R"({"targets":["NGINX"],"discovery":true,"key_types":["ECDSA","RSA"]})", 0.02, 160},
    {"a-lb-01", "lb-01", "lb-01.prod.example.com", "Online", "linux", "arm64", "10.0.0.5", "1.4.1",
     R"({"targets":["HAProxy"],"discovery":true,"key_types":["ECDSA","RSA"]})", 0.01, 150},
    {"a-edge-01", "edge-01", "edge-01.prod.example.com", "Online", "linux", "arm64", "10.0.0.21",
     "1.4.2", R"({"targets":["Traefik","Caddy"],"discovery":true,"key_types":["ECDSA"]})", 0.03,
     120},
    {"a-app-01", "app-01", "app-01.corp.example.com", "Degraded", "linux", "amd64", "10.0.2.40",
     "1.3.9", R"({"targets":["Apache"],"discovery":false,"key_types":["RSA"]})", 0.15, 200},
    {"a-mail-01", "mail-01", "mail-01.prod.example.com", "Offline", "linux", "amd64", "10.0.3.10",
     "1.3.5", R"({"targets":["Postfix","Dovecot"],"discovery":true,"key_types":["RSA"]})", 78, 210},
    {"a-win-01", "win-01", "win-01.corp.example.com", "Online", "windows", "amd64", "10.0.2.55",
     "1.4.0", R"({"targets":["IIS","WinCertStore"],"discovery":true,"key_types":["RSA"]})", 0.02,
     120},
    {"a-dev-01", "dev-laptop-bob", "bobs-mbp.local", "Offline", "darwin", "arm64", "192.168.1.34",
     "1.4.2", R"({"targets":["NGINX","Caddy"],"discovery":true})", 290, 40},
};

struct GroupMember {
  const char* groupId;
  const char* agentId;
  const char* membership;
};

const GroupMember kGroupMembers[] = {
    {"ag-linux-prod", "a-app-01", "exclude"},  // being decommissioned
    {"ag-arm64-edge", "a-dev-01", "exclude"},  // arm64, but a laptop
    {"ag-windows", "a-win-01", "include"},
};

struct Issuer {
  const char* id;
  const char* name;
  const char* type;
  const char* config;  // JSON
  const char* description;
};

// Type names as the original product's IssuerType enum spells them.
const Issuer kIssuers[] = {
    {"iss-local", "Local CA", "GenericCA",
     R"({"ca_common_name":"certctl Demo Local CA","validity_days":365})",
     "Built-in CA (self-signed mode) for internal services"},
    {"iss-acme-staging", "Let's Encrypt (staging)", "ACME",
     R"({"directory_url":"https://acme-staging-v02.api.letsencrypt.org/directory",)"
     R"("email":"pki@example.com","challenge_type":"http-01"})",
     "Public web certificates; staging directory, so browsers will not trust them"},
    {"iss-stepca", "Smallstep step-ca", "StepCA",
     R"({"ca_url":"https://ca.internal.example.com:9000","provisioner_name":"certctl",)"
     R"("provisioner_key_path":"/etc/certctl/stepca/provisioner.json",)"
     R"("root_cert_path":"/etc/certctl/stepca/root_ca.crt"})",
     "Service mesh and short-lived mTLS certificates"},
    {"iss-vault", "Vault PKI", "VaultPKI",
     R"({"addr":"https://vault.internal.example.com:8200","mount":"pki_int",)"
     R"("role":"web-servers","ttl":"4380h"})",
     "Corporate intermediate in HashiCorp Vault"},
    {"iss-digicert", "DigiCert CertCentral", "DigiCert",
     R"({"org_id":"123456","product_type":"ssl_plus",)"
     R"("base_url":"https://www.digicert.com/services/v2"})",
     "OV certificates for customer-facing payment services"},
};

struct Profile {
  const char* id;
  const char* name;
  const char* description;
  const char* allowedKeyAlgorithms;  // JSON
  long long maxTtlHours;
  const char* allowedEkus;  // JSON
};

const Profile kProfiles[] = {
    {"prof-standard-tls", "Standard TLS", "Server certificates, up to 397 days",
     R"([{"algorithm":"ECDSA","min_size":256},{"algorithm":"RSA","min_size":2048}])", 9528,
     R"(["serverAuth"])"},
    {"prof-public-web", "Public Web (ACME)", "Publicly trusted 90-day certificates",
     R"([{"algorithm":"ECDSA","min_size":256},{"algorithm":"RSA","min_size":2048}])", 2160,
     R"(["serverAuth"])"},
    {"prof-smime", "S/MIME", "Email signing and encryption for staff",
     R"([{"algorithm":"RSA","min_size":3072}])", 8760, R"(["emailProtection","clientAuth"])"},
    {"prof-mtls-short", "Internal mTLS (short-lived)",
     "Service-to-service certificates, renewed every few days",
     R"([{"algorithm":"ECDSA","min_size":256}])", 72, R"(["serverAuth","clientAuth"])"},
};

struct RenewalPolicy {
  const char* id;
  const char* name;
  int windowDays;
  int maxRetries;
  int retryIntervalSeconds;
  const char* thresholds;   // JSON
  const char* channels;     // JSON
  const char* severityMap;  // JSON
  const char* agentGroupId;
};

const RenewalPolicy kRenewalPolicies[] = {
    {"rp-standard", "Standard (30 days)", 30, 3, 3600, "[30,14,7,0]",
     R"({"informational":["Email"],"warning":["Email","Slack"],)"
     R"("critical":["Email","Slack","Webhook"]})",
     R"({"30":"informational","14":"warning","7":"warning","0":"critical"})", ""},
    {"rp-critical", "Critical services (45 days)", 45, 5, 1800, "[45,30,14,7,3,1,0]",
     R"({"informational":["Email"],"warning":["Email","Slack"],)"
     R"("critical":["Email","Slack","Webhook"]})",
     R"({"45":"informational","30":"informational","14":"warning","7":"critical",)"
     R"("3":"critical","1":"critical","0":"critical"})",
     "ag-linux-prod"},
    {"rp-short-lived", "Short-lived mTLS (1 day)", 1, 10, 300, "[1,0]",
     R"({"warning":["Slack"],"critical":["Slack","Webhook"]})", R"({"1":"warning","0":"critical"})",
     ""},
};

struct PolicyRule {
  const char* id;
  const char* name;
  const char* type;
  const char* config;  // JSON
  const char* severity;
};

// The five rule types of the feature inventory.
const PolicyRule kPolicyRules[] = {
    {"pr-prod-issuers", "Production uses approved CAs", "AllowedIssuers",
     R"({"allowed_issuer_ids":["iss-acme-staging","iss-digicert","iss-vault","iss-stepca"],)"
     R"("environments":["production"],"exempt_profiles":["prof-smime"]})",
     "Error"},
    {"pr-company-domains", "Company domains only", "AllowedDomains",
     R"({"allowed":["example.com","*.example.com","*.svc.cluster.local","*.svc"]})", "Critical"},
    {"pr-ownership", "Ownership and cost center", "RequiredMetadata",
     R"({"required_fields":["owner_id","team_id"],"required_tags":["cost_center"]})", "Warning"},
    {"pr-environments", "Known environments", "AllowedEnvironments",
     R"({"allowed":["production","staging","development"]})", "Error"},
    {"pr-lead-time", "Renew at least 14 days ahead", "RenewalLeadTime", R"({"minimum_days":14})",
     "Warning"},
};

}  // namespace

void seedInventory(RowWriter& w, const Clock& clock) {
  for (const auto& t : kTeams)
    w.insert("teams", {{"id", text(t.id)},
                       {"name", text(t.name)},
                       {"description", text(t.description)},
                       {"email", text(t.email)},
                       {"created_at", timestamp(clock.daysAgo(240))},
                       {"updated_at", timestamp(clock.daysAgo(240))}});

  for (const auto& o : kOwners)
    w.insert("owners", {{"id", text(o.id)},
                        {"name", text(o.name)},
                        {"email", text(o.email)},
                        {"team_id", text(o.teamId)},
                        {"created_at", timestamp(clock.daysAgo(230))},
                        {"updated_at", timestamp(clock.daysAgo(230))}});

  for (const auto& g : kAgentGroups)
    w.insert("agent_groups", {{"id", text(g.id)},
                              {"name", text(g.name)},
                              {"description", text(g.description)},
                              {"match_os", textOrNull(g.matchOs)},
                              {"match_architecture", textOrNull(g.matchArchitecture)},
                              {"match_ip_cidr", textOrNull(g.matchIpCidr)},
                              {"match_version", textOrNull(g.matchVersion)},
                              {"enabled", boolean(true)},
                              {"created_at", timestamp(clock.daysAgo(140))},
                              {"updated_at", timestamp(clock.daysAgo(140))}});

  for (const auto& a : kAgents)
    w.insert("agents", {{"id", text(a.id)},
                        {"name", text(a.name)},
                        {"hostname", text(a.hostname)},
                        {"status", text(a.status)},
                        {"os", text(a.os)},
                        {"architecture", text(a.architecture)},
                        {"ip_address", text(a.ipAddress)},
                        {"version", text(a.version)},
                        {"capabilities", jsonValue(a.capabilities)},
                        {"last_heartbeat_at", timestamp(clock.plusHours(-a.heartbeatHoursAgo))},
                        {"registered_at", timestamp(clock.daysAgo(a.registeredDaysAgo))},
                        {"created_at", timestamp(clock.daysAgo(a.registeredDaysAgo))},
                        {"updated_at", timestamp(clock.plusHours(-a.heartbeatHoursAgo))}});

  for (const auto& m : kGroupMembers)
    w.insert("agent_group_members",
             {{"group_id", text(m.groupId)},
              {"agent_id", text(m.agentId)},
              {"membership", text(m.membership)},
              {"created_at", timestamp(clock.daysAgo(60))}},
             {"group_id", "agent_id"});

  for (const auto& i : kIssuers)
    w.insert("issuers", {{"id", text(i.id)},
                         {"name", text(i.name)},
                         {"type", text(i.type)},
                         {"config", jsonValue(i.config)},
                         {"enabled", boolean(true)},
                         {"description", text(i.description)},
                         {"created_at", timestamp(clock.daysAgo(420))},
                         {"updated_at", timestamp(clock.daysAgo(35))}});

  for (const auto& p : kProfiles)
    w.insert("certificate_profiles", {{"id", text(p.id)},
                                      {"name", text(p.name)},
                                      {"description", text(p.description)},
                                      {"allowed_key_algorithms", jsonValue(p.allowedKeyAlgorithms)},
                                      {"max_ttl_hours", integer(p.maxTtlHours)},
                                      {"allowed_ekus", jsonValue(p.allowedEkus)},
                                      {"required_sans", jsonValue("[]")},
                                      {"enabled", boolean(true)},
                                      {"created_at", timestamp(clock.daysAgo(410))},
                                      {"updated_at", timestamp(clock.daysAgo(410))}});

  for (const auto& r : kRenewalPolicies)
    w.insert("renewal_policies", {{"id", text(r.id)},
                                  {"name", text(r.name)},
                                  {"renewal_window_days", integer(r.windowDays)},
                                  {"auto_renew", boolean(true)},
                                  {"max_retries", integer(r.maxRetries)},
                                  {"retry_interval_seconds", integer(r.retryIntervalSeconds)},
                                  {"alert_thresholds_days", jsonValue(r.thresholds)},
                                  {"alert_channels", jsonValue(r.channels)},
                                  {"alert_severity_map", jsonValue(r.severityMap)},
                                  {"agent_group_id", textOrNull(r.agentGroupId)},
                                  {"created_at", timestamp(clock.daysAgo(400))},
                                  {"updated_at", timestamp(clock.daysAgo(400))}});

  for (const auto& p : kPolicyRules)
    w.insert("policy_rules", {{"id", text(p.id)},
                              {"name", text(p.name)},
                              {"type", text(p.type)},
                              {"config", jsonValue(p.config)},
                              {"severity", text(p.severity)},
                              {"enabled", boolean(true)},
                              {"created_at", timestamp(clock.daysAgo(100))},
                              {"updated_at", timestamp(clock.daysAgo(100))}});

  seedCertificates(w, clock);
}

}  // namespace certctl::store::demo
