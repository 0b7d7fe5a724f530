// The demo certificates: ~30 managed certificates in every lifecycle status,
// their versions, where they are deployed, and the revoked ones.
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "core/store/demo_seed_internal.h"
#include "sdk/pki/fingerprint.h"

namespace certctl::store::demo {

namespace {

// clang-format off
// The inventory. expiresInDays is relative to the seeding time; lifetimeDays
// and earlierVersions shape the version history (and so the audit trail).
const std::vector<DemoCertificate> kCertificates = {
  // id, name, common name, SANs, environment, owner, team, issuer, renewal policy, profile,
  // agent, status, expires in (days), lifetime (days), earlier versions, source, tags
  {"mc-api-prod", "api-prod", "api.example.com", R"(["api.example.com","api-v2.example.com"])",
   "production", "o-alice", "team-platform", "iss-acme-staging", "rp-standard", "prof-public-web",
   "a-web-01", "Active", 62, 90, 2, "api", R"({"cost_center":"cc-1001","tier":"1"})"},
  {"mc-www-prod", "www-prod", "www.example.com", R"(["www.example.com","example.com"])",
   "production", "o-bob", "team-platform", "iss-acme-staging", "rp-standard", "prof-public-web",
   "a-web-01", "Active", 71, 90, 1, "api", R"({"cost_center":"cc-1001","tier":"1"})"},
  {"mc-shop-prod", "shop-prod", "shop.example.com", R"(["shop.example.com","checkout.example.com"])",
   "production", "o-dave", "team-payments", "iss-digicert", "rp-critical", "prof-standard-tls",
   "a-lb-01", "Active", 212, 397, 0, "api", R"({"cost_center":"cc-2002","pci":"true"})"},
  {"mc-payments-api", "payments-api", "payments.example.com", R"(["payments.example.com"])",
   "production", "o-dave", "team-payments", "iss-digicert", "rp-critical", "prof-standard-tls",
   "a-lb-01", "Expiring", 12, 397, 1, "api", R"({"cost_center":"cc-2002","pci":"true"})"},
  {"mc-auth-prod", "auth-prod", "auth.example.com",
   R"(["auth.example.com","login.example.com","sso.example.com"])",
   "production", "o-carol", "team-security", "iss-vault", "rp-critical", "prof-standard-tls",
   "a-edge-01", "Active", 138, 180, 0, "api", R"({"cost_center":"cc-3003","tier":"0"})"},
  {"mc-cdn-wildcard", "cdn-wildcard", "*.cdn.example.com", R"(["*.cdn.example.com","cdn.example.com"])",
   "production", "o-bob", "team-platform", "iss-acme-staging", "rp-standard", "prof-public-web",
   "a-edge-01", "Expiring", 6, 90, 2, "api", R"({"cost_center":"cc-1001","challenge":"dns-01"})"},
  {"mc-grafana-prod", "grafana-prod", "grafana.internal.example.com",
   R"(["grafana.internal.example.com"])",
   "production", "o-erin", "team-data", "iss-local", "rp-standard", "prof-standard-tls",
   "a-web-02", "Active", 301, 365, 0, "discovery", R"({"cost_center":"cc-4004"})"},
  {"mc-kafka-prod", "kafka-brokers-prod", "kafka.internal.example.com",
   R"(["kafka.internal.example.com","kafka-1.internal.example.com","kafka-2.internal.example.com","kafka-3.internal.example.com"])",
   "production", "o-erin", "team-data", "iss-vault", "rp-standard", "prof-standard-tls",
   "", "Active", 47, 180, 1, "api", R"({"cost_center":"cc-4004"})"},
  {"mc-mail-prod", "mail-prod", "mail.example.com",
   R"(["mail.example.com","smtp.example.com","imap.example.com"])",
   "production", "o-frank", "team-security", "iss-acme-staging", "rp-standard", "prof-public-web",
   "a-mail-01", "Expired", -3, 90, 1, "api", R"({"cost_center":"cc-3003"})"},
  {"mc-vpn-prod", "vpn-gateway", "vpn.example.com", R"(["vpn.example.com"])",
   "production", "o-carol", "team-security", "iss-digicert", "rp-critical", "prof-standard-tls",
   "", "Expiring", 20, 397, 0, "api", R"({"cost_center":"cc-3003"})"},
  {"mc-billing-portal", "billing-portal", "billing.example.com",
   R"(["billing.example.com","invoices.example.com"])",
   "production", "o-dave", "team-payments", "iss-digicert", "rp-critical", "prof-standard-tls",
   "a-win-01", "RenewalInProgress", 4, 397, 1, "api", R"({"cost_center":"cc-2002","pci":"true"})"},
  {"mc-status-page", "status-page", "status.example.com", R"(["status.example.com"])",
   "production", "o-bob", "team-platform", "iss-acme-staging", "rp-standard", "prof-public-web",
   "a-edge-01", "RenewalInProgress", 9, 90, 1, "api", R"({"cost_center":"cc-1001"})"},
  {"mc-legacy-erp", "legacy-erp", "erp.corp.example.com", R"(["erp.corp.example.com"])",
   "production", "o-dave", "team-payments", "iss-local", "rp-standard", "prof-standard-tls",
   "a-app-01", "Failed", 2, 365, 0, "api", R"({})"},
  {"mc-partner-api", "partner-api", "partners.example.com",
   R"(["partners.example.com","api.partner-example.net"])",
   "production", "o-alice", "team-platform", "iss-acme-staging", "rp-standard", "prof-public-web",
   "a-web-02", "Failed", -1, 90, 1, "api", R"({"cost_center":"cc-1001"})"},
  {"mc-old-www", "old-www-2023", "old.example.com", R"(["old.example.com"])",
   "production", "o-bob", "team-platform", "iss-acme-staging", "rp-standard", "prof-public-web",
   "", "Archived", -118, 90, 0, "api", R"({"cost_center":"cc-1001"})"},
  {"mc-intranet-2024", "intranet-2024", "intranet.corp.example.com",
   R"(["intranet.corp.example.com","wiki.corp.example.com"])",
   "production", "o-carol", "team-security", "iss-local", "rp-standard", "prof-standard-tls",
   "a-app-01", "Revoked", 203, 365, 0, "api", R"({"cost_center":"cc-3003"})"},
  {"mc-smime-alice", "smime-alice-chen", "alice.chen@example.com", R"(["alice.chen@example.com"])",
   "production", "o-alice", "team-platform", "iss-local", "rp-standard", "prof-smime",
   "", "Active", 331, 365, 0, "api", R"({"cost_center":"cc-1001","usage":"email"})"},
  {"mc-smime-carol", "smime-carol-nguyen", "carol.nguyen@example.com",
   R"(["carol.nguyen@example.com"])",
   "production", "o-carol", "team-security", "iss-local", "rp-standard", "prof-smime",
   "", "Expiring", 25, 365, 0, "api", R"({"cost_center":"cc-3003","usage":"email"})"},
  {"mc-mtls-orders", "mtls-orders-svc", "orders.payments.svc.cluster.local",
   R"(["orders.payments.svc.cluster.local","orders.payments.svc"])",
   "production", "o-dave", "team-payments", "iss-stepca", "rp-short-lived", "prof-mtls-short",
   "", "Active", 2, 3, 3, "est", R"({"cost_center":"cc-2002","mesh":"true"})"},
  {"mc-mtls-inventory", "mtls-inventory-svc", "inventory.data.svc.cluster.local",
   R"(["inventory.data.svc.cluster.local","inventory.data.svc"])",
   "production", "o-erin", "team-data", "iss-stepca", "rp-short-lived", "prof-mtls-short",
   "", "Active", 1.5, 3, 3, "est", R"({"cost_center":"cc-4004","mesh":"true"})"},
  {"mc-api-staging", "api-staging", "api.staging.example.com", R"(["api.staging.example.com"])",
   "staging", "o-bob", "team-platform", "iss-acme-staging", "rp-standard", "prof-public-web",
   "a-web-02", "Active", 55, 90, 1, "api", R"({"cost_center":"cc-1001"})"},
  {"mc-shop-staging", "shop-staging", "shop.staging.example.com", R"(["shop.staging.example.com"])",
   "staging", "o-dave", "team-payments", "iss-local", "rp-standard", "prof-standard-tls",
   "a-lb-01", "Expiring", 15, 365, 0, "api", R"({"cost_center":"cc-2002"})"},
  {"mc-auth-staging", "auth-staging", "auth.staging.example.com", R"(["auth.staging.example.com"])",
   "staging", "o-frank", "team-security", "iss-vault", "rp-standard", "prof-standard-tls",
   "a-edge-01", "Expired", -10, 180, 0, "api", R"({"cost_center":"cc-3003"})"},
  {"mc-search-staging", "search-staging", "search.staging.example.com",
   R"(["search.staging.example.com"])",
   "staging", "o-erin", "team-data", "iss-vault", "rp-standard", "prof-standard-tls",
   "", "Active", 83, 180, 0, "api", R"({"cost_center":"cc-4004"})"},
  {"mc-ci-internal", "ci-jenkins", "ci.internal.example.com",
   R"(["ci.internal.example.com","jenkins.internal.example.com"])",
   "development", "o-bob", "team-platform", "iss-local", "rp-standard", "prof-standard-tls",
   "a-app-01", "Active", 190, 365, 0, "api", R"({})"},
  {"mc-staging-wildcard", "staging-wildcard", "*.staging.example.com",
   R"(["*.staging.example.com"])",
   "staging", "o-bob", "team-platform", "iss-acme-staging", "rp-standard", "prof-public-web",
   "", "Revoked", 41, 90, 0, "api", R"({"cost_center":"cc-1001"})"},
  {"mc-reports-staging", "reports-staging", "reports.staging.example.com",
   R"(["reports.staging.example.com"])",
   "staging", "o-erin", "team-data", "iss-vault", "rp-standard", "prof-standard-tls",
   "", "Pending", std::nullopt, 180, 0, "api", R"({"cost_center":"cc-4004"})"},
  {"mc-dev-portal", "dev-portal", "portal.dev.example.com", R"(["portal.dev.example.com"])",
   "development", "o-bob", "team-platform", "iss-local", "rp-standard", "prof-standard-tls",
   "a-dev-01", "Active", 80, 365, 0, "api", R"({})"},
  {"mc-api-dev", "api-dev", "api.dev.example.com", R"(["api.dev.example.com"])",
   "development", "o-alice", "team-platform", "iss-stepca", "rp-standard", "prof-standard-tls",
   "a-dev-01", "Pending", std::nullopt, 30, 0, "api", R"({"cost_center":"cc-1001"})"},
  {"mc-sandbox-dev", "sandbox-dev", "sandbox.dev.example.com", R"(["sandbox.dev.example.com"])",
   "development", "o-bob", "team-platform", "iss-local", "rp-standard", "prof-standard-tls",
   "", "Archived", -45, 365, 0, "api", R"({})"},
  {"mc-metrics-dev", "metrics-dev", "metrics.dev.example.com", R"(["metrics.dev.example.com"])",
   "development", "o-erin", "team-data", "iss-local", "rp-standard", "prof-standard-tls",
   "", "Expired", -20, 365, 0, "api", R"({})"},
  {"mc-notebooks-dev", "notebooks-dev", "notebooks.dev.example.com",
   R"(["notebooks.dev.example.com"])",
   "development", "o-erin", "team-data", "iss-stepca", "rp-standard", "prof-standard-tls",
   "", "Failed", std::nullopt, 30, 0, "api", R"({"cost_center":"cc-4004"})"},
};

// Type names as the original product's TargetType enum spells them.
const std::vector<DemoTarget> kTargets = {
  {"t-nginx-web01", "nginx on web-01", "NGINX", "a-web-01",
   R"({"cert_path":"/etc/nginx/certs/cert.pem","chain_path":"/etc/nginx/certs/chain.pem","key_path":"/etc/nginx/certs/key.pem","reload_command":"systemctl reload nginx","validate_command":"nginx -t"})"},
  {"t-nginx-web02", "nginx on web-02", "NGINX", "a-web-02",
   R"({"cert_path":"/etc/nginx/certs/cert.pem","chain_path":"/etc/nginx/certs/chain.pem","key_path":"/etc/nginx/certs/key.pem","reload_command":"systemctl reload nginx","validate_command":"nginx -t"})"},
  {"t-haproxy-lb01", "HAProxy on lb-01", "HAProxy", "a-lb-01",
   R"({"pem_path":"/etc/haproxy/certs/site.pem","reload_command":"systemctl reload haproxy","validate_command":"haproxy -c -f /etc/haproxy/haproxy.cfg"})"},
  {"t-traefik-edge01", "Traefik on edge-01", "Traefik", "a-edge-01",
   R"({"cert_dir":"/etc/traefik/certs","cert_file":"site.crt","key_file":"site.key"})"},
  {"t-caddy-edge01", "Caddy on edge-01", "Caddy", "a-edge-01",
   R"({"mode":"api","admin_api":"http://localhost:2019","cert_dir":"/etc/caddy/certs","cert_file":"site.crt","key_file":"site.key"})"},
  {"t-apache-app01", "Apache on app-01", "Apache", "a-app-01",
   R"({"cert_path":"/etc/apache2/ssl/cert.pem","chain_path":"/etc/apache2/ssl/chain.pem","key_path":"/etc/apache2/ssl/key.pem","reload_command":"apachectl graceful","validate_command":"apachectl configtest"})"},
  {"t-postfix-mail01", "Postfix on mail-01", "Postfix", "a-mail-01",
   R"({"cert_path":"/etc/postfix/certs/cert.pem","key_path":"/etc/postfix/certs/key.pem","chain_path":"/etc/postfix/certs/chain.pem","reload_command":"postfix reload"})"},
  {"t-iis-win01", "IIS on win-01", "IIS", "a-win-01",
   R"({"hostname":"win-01.corp.example.com","site_name":"Default Web Site","cert_store":"WebHosting","port":443,"sni":true,"ip_address":"*","binding_info":"billing.example.com"})"},
  {"t-nginx-dev01", "nginx on Bob's laptop", "NGINX", "a-dev-01",
   R"({"cert_path":"/opt/homebrew/etc/nginx/certs/cert.pem","key_path":"/opt/homebrew/etc/nginx/certs/key.pem","reload_command":"nginx -s reload","validate_command":"nginx -t"})"},
};
// clang-format on

const std::vector<DemoMapping> kMappings = {
    {"mc-api-prod", "t-nginx-web01"},       {"mc-api-prod", "t-nginx-web02"},
    {"mc-www-prod", "t-nginx-web01"},       {"mc-www-prod", "t-nginx-web02"},
    {"mc-shop-prod", "t-haproxy-lb01"},     {"mc-payments-api", "t-haproxy-lb01"},
    {"mc-auth-prod", "t-traefik-edge01"},   {"mc-cdn-wildcard", "t-caddy-edge01"},
    {"mc-grafana-prod", "t-nginx-web02"},   {"mc-mail-prod", "t-postfix-mail01"},
    {"mc-billing-portal", "t-iis-win01"},   {"mc-status-page", "t-traefik-edge01"},
    {"mc-legacy-erp", "t-apache-app01"},    {"mc-partner-api", "t-nginx-web02"},
    {"mc-intranet-2024", "t-apache-app01"}, {"mc-api-staging", "t-nginx-web02"},
    {"mc-shop-staging", "t-haproxy-lb01"},  {"mc-auth-staging", "t-traefik-edge01"},
    {"mc-ci-internal", "t-apache-app01"},   {"mc-dev-portal", "t-nginx-dev01"},
};

const std::vector<DemoRevocation> kRevocations = {
    {"mc-intranet-2024", "keyCompromise", 18, "carol.nguyen"},
    {"mc-staging-wildcard", "superseded", 30, "bob.martinez"},
};

// A few hours' offset per certificate so that not every date falls on the
// same minute of the day.
double jitterHours(std::size_t index) { return static_cast<double>((index * 7) % 20) + 0.25; }

std::size_t indexOf(const DemoCertificate& c) {
  return static_cast<std::size_t>(&c - kCertificates.data());
}

std::string keyAlgorithm(const DemoCertificate& c) {
  std::string profile = c.profileId;
  if (profile == "prof-public-web" || profile == "prof-mtls-short") return "ECDSA";
  return "RSA";
}

int keySize(const DemoCertificate& c) {
  std::string profile = c.profileId;
  if (profile == "prof-public-web" || profile == "prof-mtls-short") return 256;
  return profile == "prof-smime" ? 3072 : 2048;
}

// Demo versions carry no real certificate: a clearly labelled PEM block
// keeps the NOT NULL column honest without pretending to be X.509.
std::string placeholderPem(const std::string& versionId) {
  std::string note = "certctl demo data: no real certificate behind version " + versionId;
  std::string b64(4 * ((note.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                          reinterpret_cast<const unsigned char*>(note.data()),
                          static_cast<int>(note.size()));
  b64.resize(static_cast<std::size_t>(n));
  std::string pem = "-----BEGIN CERTCTL DEMO PLACEHOLDER-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END CERTCTL DEMO PLACEHOLDER-----\n";
}

const DemoRevocation* revocationOf(const std::string& certificateId) {
  for (const auto& r : kRevocations)
    if (certificateId == r.certificateId) return &r;
  return nullptr;
}

bool isMapped(const std::string& certificateId) {
  return std::any_of(kMappings.begin(), kMappings.end(),
                     [&](const DemoMapping& m) { return certificateId == m.certificateId; });
}

}  // namespace

const std::vector<DemoCertificate>& demoCertificates() { return kCertificates; }
const std::vector<DemoMapping>& demoMappings() { return kMappings; }
const std::vector<DemoTarget>& demoTargets() { return kTargets; }
const std::vector<DemoRevocation>& demoRevocations() { return kRevocations; }

const DemoCertificate& demoCertificate(const std::string& id) {
  for (const auto& c : kCertificates)
    if (id == c.id) return c;
  throw std::logic_error("demo data refers to unknown certificate " + id);
}

std::optional<TimePoint> expiresAt(const DemoCertificate& c, const Clock& clock) {
  if (!c.expiresInDays) return std::nullopt;
  return clock.plusHours(*c.expiresInDays * 24 + jitterHours(indexOf(c)));
}

TimePoint createdAt(const DemoCertificate& c, const Clock& clock) {
  for (const auto& v : demoVersions(clock))
    if (v.certificateId == c.id) return v.notBefore - std::chrono::hours(2);
  return clock.daysAgo(2 + static_cast<double>(indexOf(c) % 5));
}

std::vector<DemoVersion> demoVersions(const Clock& clock) {
  using std::chrono::hours;
  std::vector<DemoVersion> out;
  for (const auto& c : kCertificates) {
    auto expiry = expiresAt(c, clock);
    if (!expiry) continue;
    // Renewal happens a third of the lifetime (at most 30 days) before expiry.
    const hours lifetime(c.lifetimeDays * 24);
    const hours step = lifetime - hours(std::min(30, c.lifetimeDays / 3) * 24);
    const int count = c.earlierVersions + 1;
    const std::string slug = std::string(c.id).substr(3);  // without "mc-"
    for (int n = 1; n <= count; ++n) {
      TimePoint notAfter = *expiry - step * (count - n);
      DemoVersion v;
      v.id = "cv-" + slug + "-" + std::to_string(n);
      v.certificateId = c.id;
      v.issuerId = c.issuerId;
      v.fingerprint = sdk::pki::sha256Hex("certctl-demo-fingerprint:" + v.id);
      v.serial = sdk::pki::sha256Hex("certctl-demo-serial:" + v.id).substr(0, 32);
      std::transform(v.serial.begin(), v.serial.end(), v.serial.begin(), ::toupper);
      v.serial[0] = '4';  // a positive DER integer, as real serials are
      v.notAfter = notAfter;
      v.notBefore = notAfter - lifetime;
      v.first = n == 1;
      out.push_back(std::move(v));
    }
  }
  return out;
}

const DemoVersion* currentVersion(const std::vector<DemoVersion>& versions,
                                  const std::string& certificateId) {
  const DemoVersion* current = nullptr;
  for (const auto& v : versions)
    if (v.certificateId == certificateId) current = &v;
  return current;
}

void seedCertificates(RowWriter& w, const Clock& clock) {
  for (const auto& t : kTargets)
    w.insert("deployment_targets", {{"id", text(t.id)},
                                    {"name", text(t.name)},
                                    {"type", text(t.type)},
                                    {"agent_id", text(t.agentId)},
                                    {"config", jsonValue(t.config)},
                                    {"enabled", boolean(true)},
                                    {"created_at", timestamp(clock.daysAgo(150))},
                                    {"updated_at", timestamp(clock.daysAgo(150))}});

  const auto versions = demoVersions(clock);
  for (const auto& c : kCertificates) {
    std::optional<TimePoint> current;  // when the latest version was issued
    if (const auto* v = currentVersion(versions, c.id)) current = v->notBefore;
    const std::string status = c.status;
    const auto* revocation = revocationOf(c.id);
    std::optional<TimePoint> revokedAt;
    if (revocation) revokedAt = clock.daysAgo(revocation->daysAgo);

    TimePoint created = createdAt(c, clock);
    TimePoint updated = current ? *current + std::chrono::minutes(10) : created;
    if (revokedAt) updated = *revokedAt;
    if (status == "Archived") updated = *expiresAt(c, clock) + std::chrono::hours(24 * 10);
    if (status == "Failed" || status == "RenewalInProgress") updated = clock.plusHours(-3);

    std::optional<TimePoint> lastRenewal, lastDeployment;
    if (c.earlierVersions > 0) lastRenewal = current;
    if (current && isMapped(c.id)) lastDeployment = *current + std::chrono::minutes(10);

    w.insert("managed_certificates",
             {{"id", text(c.id)},
              {"name", text(c.name)},
              {"common_name", text(c.commonName)},
              {"sans", jsonValue(c.sans)},
              {"environment", text(c.environment)},
              {"owner_id", text(c.ownerId)},
              {"team_id", text(c.teamId)},
              {"issuer_id", text(c.issuerId)},
              {"renewal_policy_id", text(c.renewalPolicyId)},
              {"certificate_profile_id", text(c.profileId)},
              {"agent_id", textOrNull(c.agentId)},
              {"status", text(c.status)},
              {"expires_at", timestampOrNull(expiresAt(c, clock))},
              {"tags", jsonValue(c.tags)},
              {"last_renewal_at", timestampOrNull(lastRenewal)},
              {"last_deployment_at", timestampOrNull(lastDeployment)},
              {"source", text(c.source)},
              {"revoked_at", timestampOrNull(revokedAt)},
              {"revocation_reason", textOrNull(revocation ? revocation->reason : "")},
              {"created_at", timestamp(created)},
              {"updated_at", timestamp(updated)}});
  }

  for (const auto& v : versions) {
    const auto& c = demoCertificate(v.certificateId);
    w.insert("certificate_versions", {{"id", text(v.id)},
                                      {"certificate_id", text(v.certificateId)},
                                      {"issuer_id", text(v.issuerId)},
                                      {"serial_number", text(v.serial)},
                                      {"not_before", timestamp(v.notBefore)},
                                      {"not_after", timestamp(v.notAfter)},
                                      {"fingerprint_sha256", text(v.fingerprint)},
                                      {"pem_chain", text(placeholderPem(v.id))},
                                      {"key_algorithm", text(keyAlgorithm(c))},
                                      {"key_size", integer(keySize(c))},
                                      {"source", text(c.source)},
                                      {"created_at", timestamp(v.notBefore)}});
  }

  for (const auto& m : kMappings) {
    auto first = std::find_if(versions.begin(), versions.end(), [&](const DemoVersion& v) {
      return v.certificateId == m.certificateId;
    });
    TimePoint created = first != versions.end() ? first->notBefore : clock.daysAgo(30);
    w.insert("certificate_target_mappings",
             {{"certificate_id", text(m.certificateId)},
              {"target_id", text(m.targetId)},
              {"created_at", timestamp(created)}},
             {"certificate_id", "target_id"});
  }

  for (std::size_t i = 0; i < kRevocations.size(); ++i) {
    const auto& r = kRevocations[i];
    const DemoVersion* current = currentVersion(versions, r.certificateId);
    if (!current) throw std::logic_error("demo revocation of a never issued certificate");
    TimePoint revokedAt = clock.daysAgo(r.daysAgo);
    w.insert("certificate_revocations", {{"id", text("crv-demo-0" + std::to_string(i + 1))},
                                         {"certificate_id", text(r.certificateId)},
                                         {"issuer_id", text(current->issuerId)},
                                         {"serial_number", text(current->serial)},
                                         {"reason", text(r.reason)},
                                         {"revoked_by", text(r.revokedBy)},
                                         {"revoked_at", timestamp(revokedAt)},
                                         {"issuer_notified", boolean(true)},
                                         {"created_at", timestamp(revokedAt)}});
  }
}

}  // namespace certctl::store::demo
