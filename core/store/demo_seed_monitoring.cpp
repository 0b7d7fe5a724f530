// What the monitoring side has to show: notifications sent (or failing),
// discovery findings waiting for triage, and endpoint health checks.
#include <cstdio>
#include <string>

#include "core/store/demo_seed_internal.h"
#include "sdk/pki/fingerprint.h"

namespace certctl::store::demo {

namespace {

using std::chrono::hours;

struct Notification {
  const char* type;
  const char* certificateId;
  const char* channel;
  const char* recipient;
  const char* subject;
  const char* message;
  const char* status;  // pending, sent, failed, dead, read
  int retryCount;
  const char* lastError;
  const char* threshold;  // for the dedup key; "" for none
  double hoursAgo;
};

const Notification kNotifications[] = {
    {"ExpirationWarning", "mc-payments-api", "Email", "dave.okafor@example.com",
     "payments.example.com expires in 14 days", "payments-api (production) expires in 14 days.",
     "sent", 0, "", "14", 50},
    {"ExpirationWarning", "mc-payments-api", "Slack", "#pki-alerts",
     "payments.example.com expires in 14 days", "payments-api expires in 14 days (warning).",
     "sent", 0, "", "14", 50},
    {"ExpirationWarning", "mc-cdn-wildcard", "Email", "bob.martinez@example.com",
     "*.cdn.example.com expires in 7 days", "cdn-wildcard (production) expires in 7 days.", "read",
     0, "", "7", 20},
    {"ExpirationWarning", "mc-cdn-wildcard", "Webhook", "https://hooks.example.com/certctl",
     "*.cdn.example.com expires in 7 days", "cdn-wildcard expires in 7 days (warning).", "failed",
     2, "POST https://hooks.example.com/certctl: 503 Service Unavailable", "7", 20},
    {"ExpirationWarning", "mc-vpn-prod", "Email", "carol.nguyen@example.com",
     "vpn.example.com expires in 30 days", "vpn-gateway (production) expires in 30 days.", "sent",
     0, "", "30", 240},
    {"ExpirationWarning", "mc-smime-carol", "Email", "carol.nguyen@example.com",
     "Your S/MIME certificate expires in 30 days",
     "smime-carol-nguyen expires in 30 days; renew it before it lapses.", "read", 0, "", "30", 130},
    {"ExpirationWarning", "mc-shop-staging", "Email", "dave.okafor@example.com",
     "shop.staging.example.com expires in 30 days", "shop-staging (staging) expires in 30 days.",
     "sent", 0, "", "30", 360},
    {"ExpirationWarning", "mc-mail-prod", "Email", "frank.ito@example.com",
     "mail.example.com has expired", "mail-prod (production) expired and is still deployed.",
     "sent", 0, "", "0", 55},
    {"RenewalSuccess", "mc-api-prod", "Email", "alice.chen@example.com", "api.example.com renewed",
     "api-prod was renewed and deployed to 2 targets.", "read", 0, "", "", 24 * 28},
    {"RenewalFailure", "mc-legacy-erp", "Email", "dave.okafor@example.com",
     "Renewal of erp.corp.example.com failed",
     "legacy-erp: agent a-app-01 did not submit a CSR within 30m.", "sent", 0, "", "", 3},
    {"RenewalFailure", "mc-partner-api", "Slack", "#pki-alerts",
     "Renewal of partners.example.com failed", "partner-api: ACME order invalid (DNS).", "sent", 0,
     "", "", 14},
    {"DeploymentFailure", "mc-mail-prod", "Webhook", "https://hooks.example.com/certctl",
     "Deployment to Postfix on mail-01 failed", "mail-prod could not be deployed: agent offline.",
     "dead", 5, "POST https://hooks.example.com/certctl: connection refused", "", 58},
    {"PolicyViolation", "mc-partner-api", "Email", "alice.chen@example.com",
     "Policy violation: Company domains only",
     "partner-api: SAN api.partner-example.net is outside the allowed domains.", "pending", 0, "",
     "", 0.2},
    {"Revocation", "mc-intranet-2024", "Email", "carol.nguyen@example.com",
     "intranet.corp.example.com revoked",
     "intranet-2024 was revoked (keyCompromise) and is listed on the Local CA's CRL.", "sent", 0,
     "", "", 24 * 18},
};

void seedNotifications(RowWriter& w, const Clock& clock) {
  int n = 0;
  for (const auto& x : kNotifications) {
    char id[32];
    std::snprintf(id, sizeof id, "ne-demo-%02d", ++n);
    const std::string status = x.status;
    TimePoint created = clock.plusHours(-x.hoursAgo);
    std::optional<TimePoint> sent, read, nextRetry;
    if (status == "sent" || status == "read") sent = created + std::chrono::seconds(4);
    if (status == "read") read = created + hours(2);
    if (status == "failed") nextRetry = clock.plusHours(0.5);
    std::string dedup;
    if (*x.threshold) dedup = std::string(x.certificateId) + ":" + x.threshold + ":" + x.channel;
    w.insert("notification_events", {{"id", text(id)},
                                     {"type", text(x.type)},
                                     {"certificate_id", text(x.certificateId)},
                                     {"channel", text(x.channel)},
                                     {"recipient", text(x.recipient)},
                                     {"subject", text(x.subject)},
                                     {"message", text(x.message)},
                                     {"status", text(x.status)},
                                     {"retry_count", integer(x.retryCount)},
                                     {"next_retry_at", timestampOrNull(nextRetry)},
                                     {"last_error", textOrNull(x.lastError)},
                                     {"dedup_key", textOrNull(dedup)},
                                     {"metadata", jsonValue(R"({"demo":true})")},
                                     {"sent_at", timestampOrNull(sent)},
                                     {"read_at", timestampOrNull(read)},
                                     {"created_at", timestamp(created)},
                                     {"updated_at", timestamp(read   ? *read
                                                              : sent ? *sent
                                                                     : created)}});
  }
}

// Discovery: what agents and the network scanner found, for triage.
void seedDiscovery(RowWriter& w, const Clock& clock, const std::vector<DemoVersion>& versions) {
  struct ScanTarget {
    const char* id;
    const char* name;
    const char* cidrs;
    const char* ports;
    int intervalHours;
    double lastScanHoursAgo;
    int durationMs;
    int found;
  };
  const ScanTarget scanTargets[] = {
      {"nst-dmz", "DMZ web tier", R"(["10.0.1.0/24","10.0.0.0/28"])", "[443,8443]", 6, 2, 8421, 14},
      {"nst-corp", "Corporate LAN", R"(["10.0.2.0/24"])", "[443,636,993]", 24, 20, 23110, 6},
  };
  for (const auto& t : scanTargets)
    w.insert("network_scan_targets",
             {{"id", text(t.id)},
              {"name", text(t.name)},
              {"cidrs", jsonValue(t.cidrs)},
              {"ports", jsonValue(t.ports)},
              {"enabled", boolean(true)},
              {"scan_interval_hours", integer(t.intervalHours)},
              {"timeout_ms", integer(5000)},
              {"last_scan_at", timestamp(clock.plusHours(-t.lastScanHoursAgo))},
              {"last_scan_duration_ms", integer(t.durationMs)},
              {"last_scan_certs_found", integer(t.found)},
              {"health_check_enabled", boolean(true)},
              {"created_at", timestamp(clock.daysAgo(80))},
              {"updated_at", timestamp(clock.plusHours(-t.lastScanHoursAgo))}});

  struct Scan {
    const char* id;
    const char* agentId;
    const char* source;
    const char* directories;
    int found, added, errors, durationMs;
    double hoursAgo;
  };
  const Scan scans[] = {
      {"ds-demo-01", "a-web-01", "filesystem", R"(["/etc/nginx/certs","/etc/ssl/certs"])", 4, 1, 0,
       312, 26},
      {"ds-demo-02", "server-scanner", "network", "[]", 14, 2, 1, 8421, 2},
      {"ds-demo-03", "a-win-01", "filesystem", R"(["Cert:\\LocalMachine\\My"])", 3, 1, 0, 955, 150},
  };
  for (const auto& s : scans) {
    TimePoint started = clock.plusHours(-s.hoursAgo);
    w.insert("discovery_scans",
             {{"id", text(s.id)},
              {"agent_id", text(s.agentId)},
              {"source", text(s.source)},
              {"directories", jsonValue(s.directories)},
              {"certificates_found", integer(s.found)},
              {"certificates_new", integer(s.added)},
              {"errors_count", integer(s.errors)},
              {"scan_duration_ms", integer(s.durationMs)},
              {"started_at", timestamp(started)},
              {"completed_at", timestamp(started + std::chrono::seconds(s.durationMs / 1000 + 1))},
              {"created_at", timestamp(started)}});
  }

  const DemoVersion* grafana = currentVersion(versions, "mc-grafana-prod");
  struct Found {
    const char* id;
    std::string fingerprint;
    const char* commonName;
    const char* sans;
    const char* issuerDn;
    double notAfterDays;
    const char* keyAlgorithm;
    int keySize;
    const char* sourcePath;
    const char* agentId;
    const char* scanId;
    const char* managedId;
    const char* status;
    const char* dismissedReason;
  };
  const Found found[] = {
      {"dc-demo-01", grafana ? grafana->fingerprint : sdk::pki::sha256Hex("dc-demo-01"),
       "grafana.internal.example.com", R"(["grafana.internal.example.com"])",
       "CN=certctl Demo Local CA", 301, "RSA", 2048, "/etc/nginx/certs/grafana.pem", "a-web-01",
       "ds-demo-01", "mc-grafana-prod", "Managed", ""},
      {"dc-demo-02", sdk::pki::sha256Hex("dc-demo-02"), "legacy.example.com",
       R"(["legacy.example.com"])", "CN=legacy.example.com", 40, "RSA", 2048, "10.0.1.30:8443",
       "server-scanner", "ds-demo-02", "", "Unmanaged", ""},
      {"dc-demo-03", sdk::pki::sha256Hex("dc-demo-03"), "printer-3f.corp.example.com",
       R"(["printer-3f.corp.example.com"])", "CN=printer-3f.corp.example.com", -200, "RSA", 1024,
       "10.0.2.77:443", "server-scanner", "ds-demo-02", "", "Unmanaged", ""},
      {"dc-demo-04", sdk::pki::sha256Hex("dc-demo-04"), "web-01", "[]", "CN=web-01", 3300, "RSA",
       2048, "/etc/ssl/certs/ssl-cert-snakeoil.pem", "a-web-01", "ds-demo-01", "", "Dismissed",
       "Debian snakeoil certificate, not in use"},
      {"dc-demo-05", sdk::pki::sha256Hex("dc-demo-05"), "win-01.corp.example.com",
       R"(["win-01.corp.example.com"])", "CN=Corp Issuing CA 01,DC=corp,DC=example,DC=com", 95,
       "RSA", 2048, R"(Cert:\LocalMachine\My\5F3A9C0E)", "a-win-01", "ds-demo-03", "", "Unmanaged",
       ""},
  };
  for (const auto& f : found) {
    TimePoint notAfter = clock.inDays(f.notAfterDays);
    const bool dismissed = std::string(f.status) == "Dismissed";
    w.insert("discovered_certificates",
             {{"id", text(f.id)},
              {"fingerprint_sha256", text(f.fingerprint)},
              {"common_name", text(f.commonName)},
              {"sans", jsonValue(f.sans)},
              {"serial_number", text(sdk::pki::sha256Hex(f.id).substr(0, 16))},
              {"issuer_dn", text(f.issuerDn)},
              {"subject_dn", text(std::string("CN=") + f.commonName)},
              {"not_before", timestamp(notAfter - hours(24 * 365))},
              {"not_after", timestamp(notAfter)},
              {"key_algorithm", text(f.keyAlgorithm)},
              {"key_size", integer(f.keySize)},
              {"is_ca", boolean(false)},
              {"source_path", text(f.sourcePath)},
              {"source_format", text(std::string(f.agentId) == "server-scanner" ? "tls" : "pem")},
              {"agent_id", text(f.agentId)},
              {"discovery_scan_id", text(f.scanId)},
              {"managed_certificate_id", textOrNull(f.managedId)},
              {"status", text(f.status)},
              {"first_seen_at", timestamp(clock.daysAgo(20))},
              {"last_seen_at", timestamp(clock.plusHours(-2))},
              {"dismissed_at",
               timestampOrNull(dismissed ? std::optional(clock.daysAgo(19)) : std::nullopt)},
              {"dismissed_reason", textOrNull(f.dismissedReason)},
              {"created_at", timestamp(clock.daysAgo(20))},
              {"updated_at", timestamp(clock.plusHours(-2))}});
  }
}

// Continuous TLS probes of the busiest endpoints.
void seedHealthChecks(RowWriter& w, const Clock& clock, const std::vector<DemoVersion>& versions) {
  struct Check {
    const char* id;
    const char* endpoint;
    const char* certificateId;
    const char* status;
    int failures;
    int responseMs;
    const char* failureReason;
    bool servesPrevious;  // the endpoint still serves the previous version
  };
  const Check checks[] = {
      {"ehc-demo-01", "api.example.com:443", "mc-api-prod", "Healthy", 0, 42, "", false},
      {"ehc-demo-02", "www.example.com:443", "mc-www-prod", "Healthy", 0, 38, "", false},
      {"ehc-demo-03", "cdn.example.com:443", "mc-cdn-wildcard", "CertMismatch", 3, 51,
       "served certificate is not the current version", true},
      {"ehc-demo-04", "mail.example.com:465", "mc-mail-prod", "Down", 12, 0,
       "connect: connection refused", false},
      {"ehc-demo-05", "payments.example.com:443", "mc-payments-api", "Degraded", 2, 1840,
       "slow TLS handshake (1840 ms)", false},
  };
  for (const auto& h : checks) {
    const DemoVersion* current = nullptr;
    const DemoVersion* previous = nullptr;
    for (const auto& v : versions)
      if (v.certificateId == h.certificateId) {
        previous = current;
        current = &v;
      }
    const std::string status = h.status;
    const bool up = status != "Down";
    const DemoVersion* served = h.servesPrevious && previous ? previous : current;
    TimePoint checked = clock.plusHours(-0.05);
    std::optional<TimePoint> lastSuccess, lastFailure;
    if (status == "Healthy" || status == "Degraded")
      lastSuccess = checked;
    else
      lastSuccess = clock.daysAgo(3);
    if (h.failures > 0) lastFailure = checked;
    const auto& c = demoCertificate(h.certificateId);
    w.insert("endpoint_health_checks",
             {{"id", text(h.id)},
              {"endpoint", text(h.endpoint)},
              {"certificate_id", text(h.certificateId)},
              {"expected_fingerprint", textOrNull(current ? current->fingerprint : "")},
              {"observed_fingerprint", textOrNull(up && served ? served->fingerprint : "")},
              {"status", text(h.status)},
              {"consecutive_failures", integer(h.failures)},
              {"response_time_ms", up ? integer(h.responseMs) : Value{Kind::Integer, {}}},
              {"tls_version", textOrNull(up ? "TLSv1.3" : "")},
              {"cipher_suite", textOrNull(up ? "TLS_AES_128_GCM_SHA256" : "")},
              {"cert_subject", textOrNull(up ? std::string("CN=") + c.commonName : "")},
              {"cert_expiry",
               timestampOrNull(up && served ? std::optional(served->notAfter) : std::nullopt)},
              {"last_checked_at", timestamp(checked)},
              {"last_success_at", timestampOrNull(lastSuccess)},
              {"last_failure_at", timestampOrNull(lastFailure)},
              {"last_transition_at", timestamp(clock.daysAgo(h.failures > 0 ? 1 : 20))},
              {"failure_reason", textOrNull(h.failureReason)},
              {"enabled", boolean(true)},
              {"created_at", timestamp(clock.daysAgo(60))},
              {"updated_at", timestamp(checked)}});
  }
}

}  // namespace

void seedMonitoring(RowWriter& w, const Clock& clock, const std::vector<DemoVersion>& versions) {
  seedNotifications(w, clock);
  seedDiscovery(w, clock, versions);
  seedHealthChecks(w, clock, versions);
}

}  // namespace certctl::store::demo
