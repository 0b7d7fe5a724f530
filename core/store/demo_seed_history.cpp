// The demo history: 90 days of jobs and audit events derived from the
// certificates' version history, the current trouble (failed renewals, jobs
// waiting) and the policy violations.
#include <algorithm>
#include <cstdio>
#include <stdexcept>

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

void seedJobs(RowWriter& w, const Clock& clock, std::vector<Job> jobs,
              std::vector<AuditEvent>& audit) {
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const Job& a, const Job& b) { return a.scheduled < b.scheduled; });
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const Job& j = jobs[i];
    char id[32];
    std::snprintf(id, sizeof id, "j-demo-%03zu", i + 1);
    TimePoint updated = std::min(j.completed ? *j.completed
                                 : j.started ? *j.started
                                             : j.scheduled,
                                 clock.now);
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
                      {"created_at", timestamp(std::min(j.scheduled, clock.now) - minutes(1))},
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

}  // namespace

void seedHistory(RowWriter& w, const Clock& clock) {
  const auto versions = demoVersions(clock);
  std::vector<AuditEvent> audit = lifecycleEvents(clock, versions);

  std::vector<Job> jobs = derivedJobs(clock, versions);
  for (auto& j : currentJobs(clock, versions)) jobs.push_back(std::move(j));
  seedJobs(w, clock, std::move(jobs), audit);

  seedViolations(w, clock, audit);
  seedMonitoring(w, clock, versions);
  seedAudit(w, clock, std::move(audit));
}

}  // namespace certctl::store::demo
