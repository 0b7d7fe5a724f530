// The demo history: 90 days of jobs and audit events derived from the
// inventory's version history, plus the current trouble (failed renewals,
// policy violations, notifications, discovery findings, health checks).
#include <algorithm>
#include <cstdio>

#include "core/store/demo_seed_internal.h"
#include "sdk/pki/fingerprint.h"

namespace certctl::store::demo {

namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr double kHistoryDays = 89.5;  // everything derived lies within the last 90 days
constexpr std::size_t kAuditEvents = 200;

// ---------------------------------------------------------------- helpers

const DemoTarget& targetById(const std::string& id) {
  for (const auto& t : demoTargets())
    if (id == t.id) return t;
  throw std::logic_error("demo data refers to unknown target " + id);
}

std::vector<std::string> targetsOf(const std::string& certificateId) {
  std::vector<std::string> out;
  for (const auto& m : demoMappings())
    if (certificateId == m.certificateId) out.emplace_back(m.targetId);
  return out;
}

// The API key names the audit trail shows for people (named keys per user).
std::string userOf(const std::string& ownerId) {
  if (ownerId == "o-alice") return "alice.chen";
  if (ownerId == "o-bob") return "bob.martinez";
  if (ownerId == "o-carol") return "carol.nguyen";
  if (ownerId == "o-dave") return "dave.okafor";
  if (ownerId == "o-erin") return "erin.schmidt";
  return "frank.ito";
}

// A request id in the same UUID shape the server generates, but stable.
std::string requestId(const std::string& seed) {
  std::string h = sdk::pki::sha256Hex("certctl-demo-request:" + seed).substr(0, 32);
  h[12] = '4';
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// ---------------------------------------------------------------- jobs

struct Job {
  std::string type;
  std::string certificateId;
  std::string targetId;  // "" for none
  std::string agentId;   // "" for none
  std::string status;
  int attempts = 1;
  int maxAttempts = 3;
  std::string lastError;
  std::string reason;
  std::string result;  // JSON or ""
  TimePoint scheduled;
  std::optional<TimePoint> started, completed;
  std::string claimedBy;
  std::string verificationStatus;  // "" for none
  std::string verificationFingerprint;
  std::string verificationError;
};

Job makeJob(std::string type, std::string certificateId, std::string targetId, std::string agentId,
            std::string status) {
  Job j;
  j.type = std::move(type);
  j.certificateId = std::move(certificateId);
  j.targetId = std::move(targetId);
  j.agentId = std::move(agentId);
  j.status = std::move(status);
  return j;
}

// One job per issued version and one deployment per target, as the job
// processor would have left them, plus a validation pass every two weeks.
std::vector<Job> derivedJobs(const Clock& clock, const std::vector<DemoVersion>& versions) {
  std::vector<Job> jobs;
  const TimePoint horizon = clock.daysAgo(kHistoryDays);
  for (const auto& v : versions) {
    if (v.notBefore < horizon) continue;
    const auto& c = demoCertificate(v.certificateId);
    Job issue = makeJob(v.first ? "Issuance" : "Renewal", c.id, "", c.agentId, "Completed");
    issue.reason = v.first ? "new certificate" : "inside the renewal window";
    issue.result = R"({"version_id":)" + quoted(v.id) + R"(,"serial":)" + quoted(v.serial) + "}";
    issue.scheduled = v.notBefore - minutes(20);
    issue.started = v.notBefore - minutes(15);
    issue.completed = v.notBefore;
    issue.claimedBy = *c.agentId ? c.agentId : "certctl-server";
    jobs.push_back(issue);
    for (const auto& targetId : targetsOf(c.id)) {
      const auto& target = targetById(targetId);
      Job deploy = makeJob("Deployment", c.id, targetId, target.agentId, "Completed");
      deploy.reason = "new version " + v.id;
      deploy.scheduled = v.notBefore + minutes(2);
      deploy.started = v.notBefore + minutes(5);
      deploy.completed = v.notBefore + minutes(8);
      deploy.claimedBy = target.agentId;
      deploy.verificationStatus = "success";
      deploy.verificationFingerprint = v.fingerprint;
      jobs.push_back(deploy);
    }
  }
  // Fortnightly endpoint validations of three busy services.
  for (const char* certificateId : {"mc-api-prod", "mc-shop-prod", "mc-auth-prod"}) {
    const auto targets = targetsOf(certificateId);
    const auto& target = targetById(targets.front());
    for (int day = 84; day > 0; day -= 14) {
      TimePoint at = clock.daysAgo(day) + hours(3);
      const DemoVersion* live = nullptr;  // the version served at that time
      for (const auto& v : versions)
        if (v.certificateId == certificateId && v.notBefore <= at) live = &v;
      if (!live) continue;
      Job check = makeJob("Validation", certificateId, target.id, target.agentId, "Completed");
      check.reason = "scheduled endpoint check";
      check.scheduled = at;
      check.started = at + minutes(1);
      check.completed = at + minutes(2);
      check.claimedBy = target.agentId;
      check.verificationStatus = "success";
      check.verificationFingerprint = live->fingerprint;
      jobs.push_back(check);
    }
  }
  return jobs;
}

const DemoVersion* currentVersion(const std::vector<DemoVersion>& versions,
                                  const std::string& certificateId) {
  const DemoVersion* current = nullptr;
  for (const auto& v : versions)
    if (v.certificateId == certificateId) current = &v;
  return current;
}

// What is going on right now: one job in every state the job machine has.
std::vector<Job> currentJobs(const Clock& clock, const std::vector<DemoVersion>& versions) {
  auto at = [&](double hoursAgo) { return clock.plusHours(-hoursAgo); };
  std::vector<Job> jobs;

  Job running = makeJob("Renewal", "mc-billing-portal", "", "a-win-01", "Running");
  running.reason = "inside the renewal window";
  running.scheduled = at(2.2);
  running.started = at(2);
  running.claimedBy = "a-win-01";
  jobs.push_back(running);

  Job awaitingCsr = makeJob("Renewal", "mc-status-page", "", "a-edge-01", "AwaitingCSR");
  awaitingCsr.reason = "inside the renewal window";
  awaitingCsr.attempts = 0;
  awaitingCsr.scheduled = at(1);
  jobs.push_back(awaitingCsr);

  Job approval = makeJob("Renewal", "mc-payments-api", "", "a-lb-01", "AwaitingApproval");
  approval.reason = "PCI scope: renewal needs a change approval";
  approval.attempts = 0;
  approval.scheduled = at(20);
  jobs.push_back(approval);

  Job pendingIssue = makeJob("Issuance", "mc-api-dev", "", "a-dev-01", "Pending");
  pendingIssue.reason = "new certificate (agent offline)";
  pendingIssue.attempts = 0;
  pendingIssue.scheduled = at(26);
  jobs.push_back(pendingIssue);

  Job pendingReport = makeJob("Issuance", "mc-reports-staging", "", "", "Pending");
  pendingReport.reason = "new certificate";
  pendingReport.attempts = 0;
  pendingReport.scheduled = clock.plusHours(0.25);
  jobs.push_back(pendingReport);

  struct Failure {
    const char* type;
    const char* certificateId;
    const char* agentId;
    double hoursAgo;
    const char* error;
  };
  const Failure failures[] = {
      {"Renewal", "mc-legacy-erp", "a-app-01", 3,
       "agent a-app-01 did not submit a CSR within 30m (agent Degraded)"},
      {"Renewal", "mc-partner-api", "a-web-02", 14,
       "ACME order invalid: urn:ietf:params:acme:error:dns: NXDOMAIN looking up A for "
       "api.partner-example.net"},
      {"Issuance", "mc-notebooks-dev", "", 30,
       "step-ca: 401 Unauthorized: provisioner token expired"},
      {"Renewal", "mc-mail-prod", "a-mail-01", 60,
       "agent a-mail-01 is offline: no heartbeat since the job was created"},
  };
  for (const auto& f : failures) {
    Job failed = makeJob(f.type, f.certificateId, "", f.agentId, "Failed");
    failed.attempts = 3;
    failed.lastError = f.error;
    failed.reason =
        std::string(f.type) == "Issuance" ? "new certificate" : "inside the renewal window";
    failed.scheduled = at(f.hoursAgo + 4);
    failed.started = at(f.hoursAgo + 3.9);
    failed.completed = at(f.hoursAgo);
    failed.claimedBy = *f.agentId ? f.agentId : "certctl-server";
    jobs.push_back(failed);
  }

  // The CDN edge still serves the previous wildcard: validation fails.
  const DemoVersion* cdn = currentVersion(versions, "mc-cdn-wildcard");
  Job mismatch = makeJob("Validation", "mc-cdn-wildcard", "t-caddy-edge01", "a-edge-01", "Failed");
  mismatch.reason = "post-deployment check";
  mismatch.lastError = "endpoint serves a different certificate";
  mismatch.scheduled = at(7);
  mismatch.started = at(6.9);
  mismatch.completed = at(6.8);
  mismatch.claimedBy = "a-edge-01";
  mismatch.verificationStatus = "failed";
  mismatch.verificationFingerprint = cdn ? cdn->fingerprint : "";
  mismatch.verificationError = "cdn.example.com:443 served the previous version";
  jobs.push_back(mismatch);

  Job cancelled = makeJob("Renewal", "mc-sandbox-dev", "", "", "Cancelled");
  cancelled.attempts = 0;
  cancelled.reason = "certificate archived";
  cancelled.scheduled = clock.daysAgo(36);
  cancelled.completed = clock.daysAgo(35);
  jobs.push_back(cancelled);

  Job cancelledDeploy =
      makeJob("Deployment", "mc-dev-portal", "t-nginx-dev01", "a-dev-01", "Cancelled");
  cancelledDeploy.attempts = 1;
  cancelledDeploy.reason = "cancelled by bob.martinez";
  cancelledDeploy.scheduled = clock.daysAgo(12.5);
  cancelledDeploy.completed = clock.daysAgo(12);
  jobs.push_back(cancelledDeploy);
  return jobs;
}

// ---------------------------------------------------------------- audit

struct AuditEvent {
  TimePoint at;
  std::string actor;
  std::string actorType;
  std::string action;
  std::string resourceType;
  std::string resourceId;
  std::string method, path;  // "" unless the event came in through the API
  int statusCode = 0;
  std::string details;  // JSON or ""
};

void addJobEvents(std::vector<AuditEvent>& out, const Job& job, const std::string& jobId) {
  const std::string jobRef = R"("job_id":)" + quoted(jobId);
  if (job.status == "Completed" && job.type == "Deployment") {
    out.push_back({*job.completed, job.agentId, "Agent", "deployment.completed", "certificate",
                   job.certificateId, "", "", 0,
                   "{" + jobRef + R"(,"target_id":)" + quoted(job.targetId) + R"(,"fingerprint":)" +
                       quoted(job.verificationFingerprint) + "}"});
  } else if (job.status == "Completed" && job.type == "Validation") {
    out.push_back({*job.completed, job.agentId, "Agent", "job.verification_success", "certificate",
                   job.certificateId, "", "", 0,
                   "{" + jobRef + R"(,"target_id":)" + quoted(job.targetId) + "}"});
  } else if (job.status == "Failed") {
    out.push_back({*job.completed, "scheduler", "System",
                   job.type == "Validation" ? "job.verification_failed" : "job.failed", "job",
                   jobId, "", "", 0,
                   "{" + std::string(R"("certificate_id":)") + quoted(job.certificateId) +
                       R"(,"type":)" + quoted(job.type) + R"(,"error":)" + quoted(job.lastError) +
                       "}"});
  } else if (job.status == "AwaitingApproval") {
    out.push_back({job.scheduled, "scheduler", "System", "job.approval_requested", "job", jobId, "",
                   "", 0,
                   "{" + std::string(R"("certificate_id":)") + quoted(job.certificateId) + "}"});
  }
}

// Lifecycle events: issuance, renewal, revocation, archive, agents.
std::vector<AuditEvent> lifecycleEvents(const Clock& clock,
                                        const std::vector<DemoVersion>& versions) {
  std::vector<AuditEvent> out;
  const TimePoint horizon = clock.daysAgo(kHistoryDays);
  for (const auto& v : versions) {
    if (v.notBefore < horizon) continue;
    const auto& c = demoCertificate(v.certificateId);
    std::string details = R"({"version_id":)" + quoted(v.id) + R"(,"serial":)" + quoted(v.serial) +
                          R"(,"issuer_id":)" + quoted(v.issuerId) + R"(,"not_after":)" +
                          quoted(domain::formatRfc3339(v.notAfter)) + "}";
    if (v.first)
      out.push_back({v.notBefore, userOf(c.ownerId), "User", "certificate.issued", "certificate",
                     c.id, "", "", 0, details});
    else
      out.push_back({v.notBefore, "scheduler", "System", "certificate.renewed", "certificate", c.id,
                     "", "", 0, details});
  }
  for (const auto& r : demoRevocations()) {
    const DemoVersion* v = currentVersion(versions, r.certificateId);
    out.push_back(
        {clock.daysAgo(r.daysAgo), r.revokedBy, "User", "certificate.revoked", "certificate",
         r.certificateId, "POST",
         "/api/v1/certificates/" + std::string(r.certificateId) + "/revoke", 200,
         R"({"reason":)" + quoted(r.reason) + R"(,"serial":)" + quoted(v ? v->serial : "") + "}"});
  }
  for (const auto& c : demoCertificates()) {
    const std::string status = c.status;
    if (status == "Archived") {
      TimePoint at = *expiresAt(c, clock) + hours(24 * 10);
      if (at >= horizon)
        out.push_back({at, userOf(c.ownerId), "User", "certificate.archived", "certificate", c.id,
                       "DELETE", "/api/v1/certificates/" + std::string(c.id), 204, ""});
    } else if (!c.expiresInDays) {
      out.push_back({createdAt(c, clock), userOf(c.ownerId), "User", "certificate.created",
                     "certificate", c.id, "POST", "/api/v1/certificates", 201,
                     R"({"common_name":)" + quoted(c.commonName) + "}"});
    }
  }
  out.push_back({clock.daysAgo(40), "a-dev-01", "Agent", "agent.registered", "agent", "a-dev-01",
                 "POST", "/api/v1/agents", 201, R"({"os":"darwin","architecture":"arm64"})"});
  out.push_back({clock.plusHours(-75), "scheduler", "System", "agent.offline", "agent", "a-mail-01",
                 "", "", 0, R"({"last_heartbeat_minutes_ago":4680})"});
  out.push_back({clock.plusHours(-0.1), "scheduler", "System", "agent.degraded", "agent",
                 "a-app-01", "", "", 0, R"({"reason":"heartbeat late"})"});
  out.push_back({clock.daysAgo(35), "alice.chen", "User", "issuer.updated", "issuer",
                 "iss-acme-staging", "PUT", "/api/v1/issuers/iss-acme-staging", 200,
                 R"({"changed":["config.email"]})"});
  return out;
}

// Plain API traffic fills the trail up to kAuditEvents, evenly over 90 days.
void addApiRequests(std::vector<AuditEvent>& out, const Clock& clock, std::size_t count) {
  struct Request {
    const char* method;
    const char* path;
    int status;
  };
  const Request requests[] = {
      {"GET", "/api/v1/certificates", 200},
      {"GET", "/api/v1/certificates/mc-api-prod", 200},
      {"GET", "/api/v1/agents", 200},
      {"GET", "/api/v1/jobs", 200},
      {"POST", "/api/v1/certificates/mc-www-prod/renew", 202},
      {"GET", "/api/v1/certificates/mc-payments-api", 200},
      {"PUT", "/api/v1/certificates/mc-kafka-prod", 200},
      {"GET", "/api/v1/audit", 200},
      {"GET", "/api/v1/certificates/mc-does-not-exist", 404},
      {"POST", "/api/v1/certificates", 400},
      {"GET", "/api/v1/policies", 200},
      {"DELETE", "/api/v1/targets/t-nginx-web01", 409},
      {"GET", "/api/v1/targets", 200},
      {"GET", "/api/v1/issuers", 200},
  };
  const char* actors[] = {"alice.chen", "bob.martinez", "ci-pipeline", "carol.nguyen",
                          "dashboard",  "terraform",    "dave.okafor"};
  const double span = kHistoryDays * 24 - 1;  // hours, ending an hour ago
  for (std::size_t i = 0; i < count; ++i) {
    const auto& r = requests[(i * 5) % std::size(requests)];
    const std::string path = r.path;
    std::string resourceType, resourceId;
    // /api/v1/<type>[/<id>]: the same split the request pipeline records.
    auto rest = path.substr(std::string("/api/v1/").size());
    auto slash = rest.find('/');
    resourceType = rest.substr(0, slash);
    if (slash != std::string::npos)
      resourceId = rest.substr(slash + 1, rest.find('/', slash + 1) - slash - 1);
    double hoursAgo = 1 + span * (1.0 - static_cast<double>(i) / static_cast<double>(count));
    out.push_back({clock.plusHours(-hoursAgo), actors[(i * 3) % std::size(actors)], "api_key",
                   "api.request", resourceType, resourceId, r.method, path, r.status, ""});
  }
}

// ---------------------------------------------------------------- tables

struct Violation {
  const char* certificateId;
  const char* ruleId;
  const char* severity;
  const char* message;  // "%d" is replaced by the days left
  const char* details;
  double daysAgo;
};

const Violation kViolations[] = {
    {"mc-legacy-erp", "pr-prod-issuers", "Error",
     "Issued by Local CA (iss-local), which is not approved for production",
     R"({"issuer_id":"iss-local","environment":"production"})", 21},
    {"mc-grafana-prod", "pr-prod-issuers", "Error",
     "Issued by Local CA (iss-local), which is not approved for production",
     R"({"issuer_id":"iss-local","environment":"production"})", 21},
    {"mc-intranet-2024", "pr-prod-issuers", "Error",
     "Issued by Local CA (iss-local), which is not approved for production",
     R"({"issuer_id":"iss-local","environment":"production"})", 21},
    {"mc-partner-api", "pr-company-domains", "Critical",
     "SAN api.partner-example.net is outside the allowed domains",
     R"({"san":"api.partner-example.net"})", 16},
    {"mc-payments-api", "pr-lead-time", "Warning",
     "Expires in %d days but is not renewed yet; the minimum lead time is 14 days",
     R"({"minimum_days":14})", 1},
    {"mc-cdn-wildcard", "pr-lead-time", "Warning",
     "Expires in %d days but is not renewed yet; the minimum lead time is 14 days",
     R"({"minimum_days":14})", 1},
    {"mc-legacy-erp", "pr-ownership", "Warning", "Missing required tag cost_center",
     R"({"missing_tags":["cost_center"]})", 30},
    {"mc-ci-internal", "pr-ownership", "Warning", "Missing required tag cost_center",
     R"({"missing_tags":["cost_center"]})", 30},
    {"mc-dev-portal", "pr-ownership", "Warning", "Missing required tag cost_center",
     R"({"missing_tags":["cost_center"]})", 30},
    {"mc-metrics-dev", "pr-ownership", "Warning", "Missing required tag cost_center",
     R"({"missing_tags":["cost_center"]})", 30},
};

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

void seedJobs(RowWriter& w, std::vector<Job> jobs, std::vector<AuditEvent>& audit) {
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const Job& a, const Job& b) { return a.scheduled < b.scheduled; });
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const Job& j = jobs[i];
    char id[32];
    std::snprintf(id, sizeof id, "j-demo-%03zu", i + 1);
    TimePoint updated = j.completed ? *j.completed : j.started ? *j.started : j.scheduled;
    std::optional<TimePoint> verifiedAt;
    if (!j.verificationStatus.empty()) verifiedAt = updated + minutes(1);
    std::optional<TimePoint> claimedAt;
    if (!j.claimedBy.empty()) claimedAt = j.started ? *j.started : j.scheduled;
    w.insert("jobs", {{"id", text(id)},
                      {"type", text(j.type)},
                      {"certificate_id", text(j.certificateId)},
                      {"target_id", textOrNull(j.targetId)},
                      {"agent_id", textOrNull(j.agentId)},
                      {"status", text(j.status)},
                      {"attempts", integer(j.attempts)},
                      {"max_attempts", integer(j.maxAttempts)},
                      {"last_error", textOrNull(j.lastError)},
                      {"result", jsonOrNull(j.result)},
                      {"scheduled_at", timestamp(j.scheduled)},
                      {"started_at", timestampOrNull(j.started)},
                      {"completed_at", timestampOrNull(j.completed)},
                      {"claimed_by", textOrNull(j.claimedBy)},
                      {"claimed_at", timestampOrNull(claimedAt)},
                      {"reason", textOrNull(j.reason)},
                      {"verification_status", textOrNull(j.verificationStatus)},
                      {"verified_at", timestampOrNull(verifiedAt)},
                      {"verification_fingerprint", textOrNull(j.verificationFingerprint)},
                      {"verification_error", textOrNull(j.verificationError)},
                      {"created_at", timestamp(j.scheduled - minutes(1))},
                      {"updated_at", timestamp(updated)}});
    addJobEvents(audit, j, id);
  }
}

void seedAudit(RowWriter& w, const Clock& clock, std::vector<AuditEvent> events) {
  if (events.size() < kAuditEvents) addApiRequests(events, clock, kAuditEvents - events.size());
  std::stable_sort(events.begin(), events.end(),
                   [](const AuditEvent& a, const AuditEvent& b) { return a.at < b.at; });
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    char id[32];
    std::snprintf(id, sizeof id, "ae-demo-%04zu", i + 1);
    const bool viaApi = !e.method.empty();
    const bool hasBody = e.method == "POST" || e.method == "PUT";
    w.insert("audit_events",
             {{"id", text(id)},
              {"timestamp", timestamp(e.at)},
              {"actor", text(e.actor)},
              {"actor_type", text(e.actorType)},
              {"action", text(e.action)},
              {"resource_type", textOrNull(e.resourceType)},
              {"resource_id", textOrNull(e.resourceId)},
              {"method", textOrNull(e.method)},
              {"path", textOrNull(e.path)},
              {"status_code", viaApi ? integer(e.statusCode) : Value{Kind::Integer, {}}},
              {"latency_ms", viaApi ? integer(3 + static_cast<long long>(i * 37 % 180))
                                    : Value{Kind::Integer, {}}},
              {"body_hash",
               hasBody ? text(sdk::pki::sha256Hex(id).substr(0, 16)) : Value{Kind::Text, {}}},
              {"request_id", viaApi ? text(requestId(id)) : Value{Kind::Text, {}}},
              {"details", jsonOrNull(e.details)}});
  }
}

void seedViolations(RowWriter& w, const Clock& clock, std::vector<AuditEvent>& audit) {
  int n = 0;
  for (const auto& v : kViolations) {
    const auto& c = demoCertificate(v.certificateId);
    char message[256];
    std::snprintf(message, sizeof message, v.message,
                  static_cast<int>(c.expiresInDays.value_or(0)));
    char id[32];
    std::snprintf(id, sizeof id, "pv-demo-%02d", ++n);
    TimePoint at = clock.daysAgo(v.daysAgo);
    w.insert("policy_violations", {{"id", text(id)},
                                   {"certificate_id", text(v.certificateId)},
                                   {"rule_id", text(v.ruleId)},
                                   {"message", text(message)},
                                   {"severity", text(v.severity)},
                                   {"details", jsonValue(v.details)},
                                   {"created_at", timestamp(at)}});
    audit.push_back(
        {at, "scheduler", "System", "policy.violation_detected", "certificate", v.certificateId, "",
         "", 0,
         R"({"rule_id":)" + quoted(v.ruleId) + R"(,"severity":)" + quoted(v.severity) + "}"});
  }
}

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

void seedHistory(RowWriter& w, const Clock& clock) {
  const auto versions = demoVersions(clock);
  std::vector<AuditEvent> audit = lifecycleEvents(clock, versions);

  std::vector<Job> jobs = derivedJobs(clock, versions);
  for (auto& j : currentJobs(clock, versions)) jobs.push_back(std::move(j));
  seedJobs(w, std::move(jobs), audit);

  seedViolations(w, clock, audit);
  seedNotifications(w, clock);
  seedDiscovery(w, clock, versions);
  seedHealthChecks(w, clock, versions);
  seedAudit(w, clock, std::move(audit));
}

}  // namespace certctl::store::demo
