#include "core/services/agent_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "core/domain/errors.h"
#include "core/domain/history_resources.h"
#include "core/domain/json_fields.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"
#include "core/services/profile_enforcement.h"
#include "sdk/pki/certificate.h"

namespace certctl::services {

using nlohmann::json;

using domain::stringField;

namespace {

const domain::ResourceSpec& spec(const char* name) { return domain::requireResource(name); }

std::optional<json> record(ResourceService& resources, const domain::ResourceSpec& s,
                           const std::string& id) {
  if (!isValidId(id)) return std::nullopt;
  return resources.repository().get(s, id);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// One of `allowed`, matched case-insensitively, in its canonical spelling; "" if none.
std::string oneOf(const std::string& value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (lower(value) == lower(a)) return a;
  return {};
}

const std::string& boundedString(const json& body, const std::string& key, size_t maxLength,
                                 const std::string& fieldName = {}) {
  const std::string& name = fieldName.empty() ? key : fieldName;
  const json& value = body.at(key);
  if (!value.is_string()) throw domain::badRequest(name, name + " must be a string");
  if (value.get_ref<const std::string&>().size() > maxLength)
    throw domain::badRequest(name,
                             name + " is longer than " + std::to_string(maxLength) + " characters");
  return value.get_ref<const std::string&>();
}

// A SHA-256 fingerprint as 64 lowercase hex digits; accepts "sha256:" and
// ':' separators. "" when `value` is not one.
std::string normalizeFingerprint(const std::string& value) {
  std::string v = value;
  if (lower(v.substr(0, 7)) == "sha256:") v = v.substr(7);
  std::string out;
  for (char c : v) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out.size() == 64 ? out : std::string();
}

bool isRetired(const json& agent) { return !stringField(agent, "retired_at").empty(); }

bool targetUsable(const json& target) {
  return target.value("enabled", true) && stringField(target, "retired_at").empty();
}

constexpr size_t kMaxErrorLength = 4096;
constexpr size_t kMaxResultBytes = 16384;
constexpr int kMaxWorkItems = 100;

// The metadata a heartbeat may carry, with the agents table's limits.
struct MetadataField {
  const char* name;
  const char* alias;
  size_t maxLength;
};
const MetadataField kMetadata[] = {{"os", "", 64},
                                   {"architecture", "arch", 64},
                                   {"hostname", "", 253},
                                   {"ip_address", "", 64},
                                   {"version", "", 64}};

}  // namespace

AgentService::AgentService(ResourceService& resources, LifecycleStore& lifecycle, AgentStore& store,
                           AuditLog& audit, AgentServiceSettings settings)
    : resources_(resources),
      lifecycle_(lifecycle),
      store_(store),
      audit_(audit),
      settings_(settings) {}

AgentService::~AgentService() { stop(); }

void AgentService::attach(IssuanceService& issuance) {
  issuance.addIssuedListener([this](const json& job, const json& version, bool agentKey) {
    if (agentKey) onIssued(job, version);
  });
  resources_.addChangeListener(
      "agents", [this](ResourceService::Change change, const std::string& id, const json&) {
        if (change != ResourceService::Change::Created) forgetAgent(id);
      });
}

void AgentService::start() {
  std::lock_guard lock(mutex_);
  if (flusher_.joinable()) return;
  stopping_ = false;
  flusher_ = std::thread([this] { flushLoop(); });
}

void AgentService::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!flusher_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  flusher_.join();
  flush();
}

void AgentService::flushLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, settings_.heartbeatFlushInterval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    flush();
    lock.lock();
  }
}

void AgentService::flush() {
  std::lock_guard flushing(flushMutex_);
  std::vector<AgentHeartbeat> batch;
  {
    std::lock_guard lock(mutex_);
    if (pending_.empty()) return;
    batch.reserve(pending_.size());
    for (auto& [id, beat] : pending_) batch.push_back(std::move(beat));
    pending_.clear();
  }
  try {
    store_.recordHeartbeats(batch);
  } catch (const std::exception& e) {
    spdlog::warn("agents: writing {} heartbeats failed, retrying with the next batch: {}",
                 batch.size(), e.what());
    std::lock_guard lock(mutex_);
    for (auto& beat : batch) {
      auto [it, inserted] = pending_.try_emplace(beat.agentId, beat);
      if (!inserted) {  // a newer heartbeat arrived meanwhile: keep older metadata it lacks
        for (auto& [key, value] : beat.metadata.items())
          if (!it->second.metadata.contains(key)) it->second.metadata[key] = value;
      }
    }
  }
}

void AgentService::forgetAgent(const std::string& agentId) {
  std::lock_guard lock(mutex_);
  known_.erase(agentId);
}

void AgentService::requireActiveAgent(const std::string& agentId) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = known_.find(agentId);
    if (it != known_.end() && now - it->second.checkedAt < settings_.knownAgentTtl) {
      if (it->second.retired) throw AgentGone("agent " + agentId + " is retired");
      return;
    }
  }
  auto agent = record(resources_, spec("agents"), agentId);
  std::lock_guard lock(mutex_);
  if (!agent) {
    known_.erase(agentId);
    pending_.erase(agentId);
    throw domain::notFound("agent not found: " + agentId);
  }
  bool retired = isRetired(*agent);
  known_[agentId] = {retired, now};
  if (retired) {
    pending_.erase(agentId);
    throw AgentGone("agent " + agentId + " is retired");
  }
}

json AgentService::heartbeat(const std::string& agentId, const json& body) {
  json metadata = json::object();
  for (const auto& [key, value] : body.items()) {
    const MetadataField* field = nullptr;
    for (const auto& f : kMetadata)
      if (key == f.name || (*f.alias && key == f.alias)) field = &f;
    if (!field) throw domain::badRequest(key, "unknown field: " + key);
    if (value.is_null()) continue;
    metadata[field->name] = boundedString(body, key, field->maxLength);
  }
  requireActiveAgent(agentId);
  std::string now = domain::nowRfc3339();
  {
    std::lock_guard lock(mutex_);
    auto& beat = pending_[agentId];
    beat.agentId = agentId;
    beat.seenAt = now;
    for (auto& [key, value] : metadata.items()) beat.metadata[key] = value;
  }
  return {{"status", "heartbeat_recorded"}, {"agent_id", agentId}, {"last_heartbeat_at", now}};
}

json AgentService::work(const std::string& agentId) {
  requireActiveAgent(agentId);
  json items = json::array();
  for (const auto& job : store_.openJobs(agentId, kMaxWorkItems)) {
    try {
      json item = workItem(job);
      if (!item.is_null()) items.push_back(std::move(item));
    } catch (const std::exception& e) {
      spdlog::warn("agents: work item for job {} skipped: {}", stringField(job, "id"), e.what());
    }
  }
  return {{"jobs", items}, {"count", items.size()}};
}

json AgentService::workItem(const json& job) {
  std::string jobId = stringField(job, "id");
  std::string type = stringField(job, "type");
  std::string certificateId = stringField(job, "certificate_id");
  auto certificate = record(resources_, spec("certificates"), certificateId);
  if (!certificate) return nullptr;  // deleted meanwhile: the job is cancelled by cascade
  json item = {{"id", jobId},
               {"type", type},
               {"status", job["status"]},
               {"certificate_id", certificateId},
               {"common_name", (*certificate)["common_name"]},
               {"sans", certificate->value("sans", json::array())},
               {"created_at", job["created_at"]}};
  if (type == "Issuance" || type == "Renewal") {
    auto profile =
        record(resources_, spec("profiles"), stringField(*certificate, "certificate_profile_id"));
    ServerKeyChoice key = serverKeyFor(profile ? &*profile : nullptr);
    item["key_algorithm"] = key.algorithm;
    item["key_size"] = key.bits;
    if (profile) item["profile_id"] = (*profile)["id"];
    return item;
  }
  // Deployment: what to deploy and where.
  auto fail = [&](const std::string& why) {
    std::string now = domain::nowRfc3339();
    if (store_.updateJob(jobId, {"Pending", "Running"},
                         {{"status", "Failed"},
                          {"last_error", why},
                          {"completed_at", now},
                          {"updated_at", now}}))
      spdlog::warn("agents: deployment job {} failed: {}", jobId, why);
    return json();
  };
  std::string certificateStatus = stringField(*certificate, "status");
  if (certificateStatus == "Archived" || certificateStatus == "Revoked")
    return fail("certificate " + certificateId + " is " + certificateStatus);
  std::string targetId = stringField(job, "target_id");
  auto target = record(resources_, spec("targets"), targetId);
  if (!target) return fail("the deployment target no longer exists");
  if (!targetUsable(*target)) return fail("deployment target " + targetId + " is disabled");
  auto version = lifecycle_.latestVersion(certificateId);
  if (!version) return fail("certificate " + certificateId + " has no issued version");
  item["target_id"] = targetId;
  item["target_type"] = (*target)["type"];
  item["target_config"] = target->value("config", json::object());
  item["version_id"] = (*version)["id"];
  item["serial_number"] = (*version)["serial_number"];
  item["fingerprint_sha256"] = (*version)["fingerprint_sha256"];
  item["not_after"] = (*version)["not_after"];
  return item;
}

json AgentService::pickup(const std::string& agentId, const std::string& certificateId) {
  requireActiveAgent(agentId);
  auto certificate = record(resources_, spec("certificates"), certificateId);
  if (!certificate) throw domain::notFound("certificate not found: " + certificateId);
  bool allowed = stringField(*certificate, "agent_id") == agentId;
  if (!allowed) {
    for (const auto& targetId : store_.mappedTargetIds(certificateId)) {
      auto target = record(resources_, spec("targets"), targetId);
      if (target && stringField(*target, "agent_id") == agentId) allowed = true;
    }
  }
  // Not "forbidden": an agent learns nothing about certificates it does not serve.
  if (!allowed)
    throw domain::notFound("certificate " + certificateId + " is not served by agent " + agentId);
  auto version = lifecycle_.latestVersion(certificateId);
  if (!version)
    throw domain::notFound("certificate " + certificateId + " has no issued version yet");
  auto certs = sdk::pki::Certificate::chainFromPem(stringField(*version, "pem_chain"));
  if (certs.empty())
    throw std::runtime_error("version " + stringField(*version, "id") + " has no PEM");
  std::string leaf = certs.front().toPem();
  std::string chain;
  for (size_t i = 1; i < certs.size(); ++i) chain += certs[i].toPem();
  return {{"certificate_id", certificateId},
          {"version_id", (*version)["id"]},
          {"serial_number", (*version)["serial_number"]},
          {"fingerprint_sha256", (*version)["fingerprint_sha256"]},
          {"not_before", (*version)["not_before"]},
          {"not_after", (*version)["not_after"]},
          {"status", (*certificate)["status"]},
          {"cert_pem", leaf},
          {"chain_pem", chain},
          {"certificate_pem", leaf}};
}

json AgentService::applyVerification(const json& job, const json& verification, json& changes) {
  std::string status = stringField(verification, "status");
  std::string fingerprint = stringField(verification, "fingerprint");
  std::string error = stringField(verification, "error");
  std::string expected;
  if (auto version = lifecycle_.latestVersion(stringField(job, "certificate_id")))
    expected = stringField(*version, "fingerprint_sha256");
  // The server decides: "success" only when the served certificate is the
  // one the certificate's latest version holds.
  if (status == "success" && fingerprint != expected) {
    status = "failed";
    error = "the endpoint serves the certificate with fingerprint " + fingerprint + ", expected " +
            expected;
  }
  changes["verification_status"] = status;
  changes["verified_at"] = domain::nowRfc3339();
  changes["verification_fingerprint"] = fingerprint.empty() ? json() : json(fingerprint);
  changes["verification_error"] = error.empty() ? json() : json(error);
  return {{"status", status},
          {"fingerprint", changes["verification_fingerprint"]},
          {"expected_fingerprint", expected.empty() ? json() : json(expected)},
          {"error", changes["verification_error"]}};
}

namespace {

// The "verification" member of a status report, checked and normalized.
json parseVerification(const json& value) {
  if (!value.is_object())
    throw domain::badRequest("verification", "verification must be a JSON object");
  json out = json::object();
  for (const auto& [key, v] : value.items()) {
    std::string field = "verification." + key;
    if (key != "status" && key != "fingerprint" && key != "error")
      throw domain::badRequest(field, "unknown field: " + field);
    if (!v.is_string()) throw domain::badRequest(field, field + " must be a string");
  }
  if (!value.contains("status"))
    throw domain::badRequest("verification.status", "verification.status is required");
  std::string status =
      oneOf(value["status"].get<std::string>(), {"success", "failed", "skipped", "pending"});
  if (status.empty())
    throw domain::badRequest("verification.status",
                             "verification.status must be one of: success, failed, skipped, "
                             "pending");
  out["status"] = status;
  std::string fingerprint = value.value("fingerprint", std::string());
  if (!fingerprint.empty()) {
    std::string normalized = normalizeFingerprint(fingerprint);
    if (normalized.empty())
      throw domain::badRequest("verification.fingerprint",
                               "verification.fingerprint must be a SHA-256 fingerprint (64 hex "
                               "digits, optionally sha256: and ':' separated)");
    out["fingerprint"] = normalized;
  } else if (status == "success") {
    throw domain::badRequest("verification.fingerprint",
                             "verification.fingerprint is required when the status is success");
  }
  std::string error = value.value("error", std::string());
  if (error.size() > kMaxErrorLength)
    throw domain::badRequest("verification.error", "verification.error is too long");
  if (!error.empty()) out["error"] = error;
  return out;
}

}  // namespace

json AgentService::reportStatus(const std::string& agentId, const std::string& jobId,
                                const json& body) {
  for (const auto& [key, value] : body.items()) {
    if (key != "status" && key != "error" && key != "verification" && key != "result")
      throw domain::badRequest(key, "unknown field: " + key);
  }
  if (!body.contains("status")) throw domain::badRequest("status", "status is required");
  std::string status = oneOf(boundedString(body, "status", 32), {"Running", "Completed", "Failed"});
  if (status.empty())
    throw domain::badRequest("status", "status must be one of: Running, Completed, Failed");
  std::string error = body.contains("error") && !body["error"].is_null()
                          ? boundedString(body, "error", kMaxErrorLength)
                          : std::string();
  if (status == "Failed" && error.empty())
    throw domain::badRequest("error", "error is required when the status is Failed");
  json verification;
  if (body.contains("verification") && !body["verification"].is_null()) {
    verification = parseVerification(body["verification"]);
    if (status == "Running")
      throw domain::badRequest("verification",
                               "verification is reported with Completed or Failed only");
  }
  json result;
  if (body.contains("result") && !body["result"].is_null()) {
    result = body["result"];
    if (!result.is_object()) throw domain::badRequest("result", "result must be a JSON object");
    if (result.dump().size() > kMaxResultBytes)
      throw domain::badRequest("result", "result is larger than 16 KiB");
  }

  requireActiveAgent(agentId);
  auto job = isValidId(jobId) ? lifecycle_.job(jobId) : std::nullopt;
  if (!job || stringField(*job, "agent_id") != agentId)
    throw domain::notFound("job " + jobId + " not found for agent " + agentId);
  std::string type = stringField(*job, "type");
  std::string current = stringField(*job, "status");
  std::string certificateId = stringField(*job, "certificate_id");
  if (!verification.is_null() && type != "Deployment")
    throw domain::badRequest("verification", "verification applies to deployment jobs only");
  auto updated = [&] { return json{{"status", "updated"}, {"job", *lifecycle_.job(jobId)}}; };
  if (current == status) return updated();  // a repeated report

  if (type == "Issuance" || type == "Renewal") {
    // These complete through the CSR (POST /agents/{id}/csr); the agent
    // can only give up on one it cannot make a key or CSR for.
    if (status != "Failed" || current != "AwaitingCSR")
      throw domain::conflict("job " + jobId + " is a " + type + " job in status " + current +
                             "; it completes when the agent submits its CSR");
    lifecycle_.failJob(jobId, "agent " + agentId + ": " + error, certificateId, "Failed");
    spdlog::warn("job {}: agent {} gave up: {}", jobId, agentId, error);
    return updated();
  }
  if (type != "Deployment")
    throw domain::conflict("job " + jobId + " is a " + type + " job; agents do not run those");

  std::string now = domain::nowRfc3339();
  json changes = {{"status", status}, {"updated_at", now}};
  std::vector<std::string> from = {"Pending", "Running"};
  if (status == "Running" || current == "Pending") {
    changes["started_at"] = now;
    changes["claimed_by"] = agentId;
    changes["claimed_at"] = now;
    changes["attempts"] = job->value("attempts", 0LL) + 1;
  }
  if (status == "Running") from = {"Pending"};
  json verified;
  if (status != "Running") {
    changes["completed_at"] = now;
    changes["last_error"] = status == "Failed" ? json(error) : json();
    if (!result.is_null()) changes["result"] = result;
    if (!verification.is_null()) verified = applyVerification(*job, verification, changes);
  }
  if (!store_.updateJob(jobId, from, changes)) {
    auto again = lifecycle_.job(jobId);
    if (again && stringField(*again, "status") == status) return updated();
    throw domain::conflict("job " + jobId + " is " +
                           (again ? stringField(*again, "status") : std::string("gone")) +
                           " and cannot become " + status);
  }
  if (status == "Completed")
    resources_.repository().update(spec("certificates"), certificateId,
                                   {{"last_deployment_at", now}});
  if (status != "Running") {
    json details = {{"target_id", (*job)["target_id"]}, {"status", status}};
    if (!error.empty()) details["error"] = error;
    if (!verified.is_null()) details["verification"] = verified;
    auditDeployment(status == "Completed" ? "deployment.completed" : "deployment.failed", *job,
                    agentId, "agent", details);
    spdlog::info("job {}: deployment of {} to {} {} (agent {}{})", jobId, certificateId,
                 stringField(*job, "target_id"), status, agentId,
                 verified.is_null() ? "" : ", verification " + stringField(verified, "status"));
  }
  return updated();
}

void AgentService::auditDeployment(const std::string& action, const json& job,
                                   const std::string& actor, const std::string& actorType,
                                   json details) {
  AuditEvent event;
  event.actor = actor;
  event.actorType = actorType;
  event.action = action;
  event.resourceType = "certificates";
  event.resourceId = stringField(job, "certificate_id");
  details["job_id"] = job["id"];
  event.details = std::move(details);
  try {
    audit_.record(std::move(event), false);
  } catch (const std::exception& e) {
    spdlog::error("audit of {} failed: {}", action, e.what());
  }
}

std::vector<json> AgentService::createDeployments(const json& certificate,
                                                  const std::vector<json>& targets,
                                                  const std::string& reason) {
  std::vector<json> jobs;
  std::string certificateId = stringField(certificate, "id");
  auto version = lifecycle_.latestVersion(certificateId);
  for (const auto& target : targets) {
    std::string targetId = stringField(target, "id");
    // A pending job deploys whatever version is latest when the agent polls.
    if (auto pending = store_.pendingDeployment(certificateId, targetId)) {
      if (auto existing = lifecycle_.job(*pending)) jobs.push_back(*existing);
      continue;
    }
    std::string agentId = stringField(target, "agent_id");
    if (agentId.empty()) agentId = stringField(certificate, "agent_id");
    std::string now = domain::nowRfc3339();
    json job = {{"id", generateTimeOrderedId("j-")},
                {"type", "Deployment"},
                {"certificate_id", certificateId},
                {"target_id", targetId},
                {"agent_id", agentId},
                {"status", "Pending"},
                {"attempts", 0},
                {"max_attempts", 3},
                {"reason", reason},
                {"scheduled_at", now},
                {"created_at", now},
                {"updated_at", now}};
    if (version) job["payload"] = {{"version_id", (*version)["id"]}};
    store_.insertJob(job);
    jobs.push_back(*lifecycle_.job(job["id"].get<std::string>()));
  }
  return jobs;
}

void AgentService::onIssued(const json& job, const json& version) {
  std::string certificateId = stringField(job, "certificate_id");
  std::string keyAgent = stringField(job, "agent_id");
  if (keyAgent.empty()) return;
  try {
    // One indexed query in the common case of a certificate without targets.
    auto mapped = store_.mappedTargetIds(certificateId);
    if (mapped.empty()) return;
    auto certificate = record(resources_, spec("certificates"), certificateId);
    if (!certificate) return;
    std::vector<json> targets;
    for (const auto& targetId : mapped) {
      auto target = record(resources_, spec("targets"), targetId);
      if (!target || !targetUsable(*target)) continue;
      std::string agent = stringField(*target, "agent_id");
      if (!agent.empty() && agent != keyAgent) {
        spdlog::info(
            "certificate {}: target {} is served by agent {}, but the key is on agent "
            "{}: not deployed",
            certificateId, targetId, agent, keyAgent);
        continue;
      }
      (*target)["agent_id"] = keyAgent;
      targets.push_back(std::move(*target));
    }
    if (targets.empty()) return;
    auto jobs = createDeployments(*certificate, targets,
                                  "version " + stringField(version, "id") + " issued");
    spdlog::info("certificate {}: {} deployment job(s) for version {}", certificateId, jobs.size(),
                 stringField(version, "id"));
  } catch (const std::exception& e) {
    spdlog::error("certificate {}: deployment jobs for version {} not created: {}", certificateId,
                  stringField(version, "id"), e.what());
  }
}

json AgentService::triggerDeployment(const std::string& certificateId, const json& body,
                                     const std::string& actor) {
  std::string only;
  for (const auto& [key, value] : body.items()) {
    if (key != "target_id") throw domain::badRequest(key, "unknown field: " + key);
    if (value.is_null()) continue;
    only = boundedString(body, key, 128);
    if (!isValidId(only)) throw domain::badRequest("target_id", "target_id is not a valid id");
  }
  json certificate = resources_.get(spec("certificates"), certificateId);
  std::string status = stringField(certificate, "status");
  if (status == "Revoked" || status == "Archived")
    throw domain::conflict("certificate " + certificateId + " is " + status +
                           " and cannot be deployed");
  if (!lifecycle_.latestVersion(certificateId))
    throw domain::conflict("certificate " + certificateId + " has no issued version to deploy");
  auto mapped = store_.mappedTargetIds(certificateId);
  if (!only.empty() && std::find(mapped.begin(), mapped.end(), only) == mapped.end())
    throw domain::badRequest("target_id",
                             "target " + only + " is not mapped to certificate " + certificateId);
  if (mapped.empty())
    throw domain::conflict("certificate " + certificateId +
                           " has no deployment targets (map one with POST "
                           "/api/v1/certificates/" +
                           certificateId + "/targets)");
  std::string keyAgent = stringField(certificate, "agent_id");
  std::vector<json> targets;
  std::vector<std::string> skipped;
  for (const auto& targetId : mapped) {
    if (!only.empty() && targetId != only) continue;
    auto target = record(resources_, spec("targets"), targetId);
    if (!target) continue;
    std::string agent = stringField(*target, "agent_id");
    std::string why;
    if (!targetUsable(*target))
      why = "target " + targetId + " is disabled";
    else if (agent.empty() && keyAgent.empty())
      why = "neither target " + targetId + " nor the certificate has an agent";
    else if (!agent.empty() && !keyAgent.empty() && agent != keyAgent)
      why = "target " + targetId + " is served by agent " + agent +
            " but the certificate's key is on agent " + keyAgent;
    if (!why.empty()) {
      if (!only.empty()) throw domain::conflict(why);
      skipped.push_back(why);
      continue;
    }
    targets.push_back(std::move(*target));
  }
  if (targets.empty())
    throw domain::conflict("no target of certificate " + certificateId +
                           " can be deployed to: " + (skipped.empty() ? "" : skipped.front()));
  auto jobs = createDeployments(certificate, targets, "deployment requested");
  json ids = json::array();
  for (const auto& j : jobs) ids.push_back(j["id"]);
  AuditEvent event;
  event.actor = actor;
  event.action = "deployment.triggered";
  event.resourceType = "certificates";
  event.resourceId = certificateId;
  event.details = {{"job_ids", ids}};
  if (!only.empty()) event.details["target_id"] = only;
  try {
    audit_.record(std::move(event), false);
  } catch (const std::exception& e) {
    spdlog::error("audit of deployment.triggered failed: {}", e.what());
  }
  return {{"certificate_id", certificateId},
          {"jobs", jobs},
          {"count", jobs.size()},
          {"skipped", skipped}};
}

json AgentService::listTargets(const std::string& certificateId) {
  resources_.get(spec("certificates"), certificateId);  // 404
  json items = json::array();
  for (const auto& targetId : store_.mappedTargetIds(certificateId))
    if (auto target = record(resources_, spec("targets"), targetId)) items.push_back(*target);
  return {{"data", items},
          {"total", items.size()},
          {"page", 1},
          {"per_page", items.size()},
          {"next_cursor", nullptr}};
}

json AgentService::mapTarget(const std::string& certificateId, const json& body, bool& created) {
  for (const auto& [key, value] : body.items())
    if (key != "target_id") throw domain::badRequest(key, "unknown field: " + key);
  if (!body.contains("target_id")) throw domain::badRequest("target_id", "target_id is required");
  std::string targetId = boundedString(body, "target_id", 128);
  if (!isValidId(targetId)) throw domain::badRequest("target_id", "target_id is not a valid id");
  json certificate = resources_.get(spec("certificates"), certificateId);
  if (stringField(certificate, "status") == "Archived")
    throw domain::conflict("certificate " + certificateId + " is Archived");
  auto target = record(resources_, spec("targets"), targetId);
  if (!target)
    throw domain::badRequest("target_id", "target_id refers to an unknown target: " + targetId);
  created = store_.addMapping(certificateId, targetId);
  return {{"certificate_id", certificateId}, {"target_id", targetId}, {"target", *target}};
}

void AgentService::unmapTarget(const std::string& certificateId, const std::string& targetId) {
  resources_.get(spec("certificates"), certificateId);  // 404
  if (!isValidId(targetId) || !store_.removeMapping(certificateId, targetId))
    throw domain::notFound("target " + targetId + " is not mapped to certificate " + certificateId);
}

json AgentService::verifyJob(const std::string& jobId, const json& body, const std::string& actor) {
  static const char* kRequired[] = {"target_id", "expected_fingerprint", "actual_fingerprint",
                                    "verified"};
  for (const auto& [key, value] : body.items()) {
    if (std::none_of(std::begin(kRequired), std::end(kRequired),
                     [&](const char* k) { return key == k; }) &&
        key != "error")
      throw domain::badRequest(key, "unknown field: " + key);
  }
  for (const char* key : kRequired)
    if (!body.contains(key)) throw domain::badRequest(key, std::string(key) + " is required");
  if (!body["verified"].is_boolean())
    throw domain::badRequest("verified", "verified must be a boolean");
  std::string targetId = boundedString(body, "target_id", 128);
  std::string expected = normalizeFingerprint(boundedString(body, "expected_fingerprint", 200));
  if (expected.empty())
    throw domain::badRequest("expected_fingerprint",
                             "expected_fingerprint must be a SHA-256 fingerprint");
  std::string actual = normalizeFingerprint(boundedString(body, "actual_fingerprint", 200));
  if (actual.empty() && body["verified"].get<bool>())
    throw domain::badRequest("actual_fingerprint",
                             "actual_fingerprint must be a SHA-256 fingerprint");
  std::string error = body.contains("error") && !body["error"].is_null()
                          ? boundedString(body, "error", kMaxErrorLength)
                          : std::string();

  auto job = isValidId(jobId) ? lifecycle_.job(jobId) : std::nullopt;
  if (!job) throw domain::notFound("job not found: " + jobId);
  if (stringField(*job, "type") != "Deployment")
    throw domain::conflict("job " + jobId + " is not a deployment job");
  if (stringField(*job, "target_id") != targetId)
    throw domain::badRequest("target_id", "job " + jobId + " deploys to target " +
                                              stringField(*job, "target_id") + ", not " + targetId);
  json verification = {
      {"status", body["verified"].get<bool>() && actual == expected ? "success" : "failed"},
      {"fingerprint", actual}};
  if (!error.empty()) verification["error"] = error;
  if (verification["status"] == "failed" && error.empty())
    verification["error"] = actual == expected || actual.empty()
                                ? "the agent reported the deployment as not verified"
                                : "served fingerprint " + actual + " differs from " + expected;
  json changes = {{"updated_at", domain::nowRfc3339()}};
  json verified = applyVerification(*job, verification, changes);
  store_.updateJob(jobId, {}, changes);
  auditDeployment("deployment.verified", *job, actor, "api_key", {{"verification", verified}});
  return jobVerification(jobId);
}

json AgentService::jobVerification(const std::string& jobId) {
  auto job = isValidId(jobId) ? lifecycle_.job(jobId) : std::nullopt;
  if (!job) throw domain::notFound("job not found: " + jobId);
  json v = store_.verification(jobId);
  v["job_id"] = jobId;
  v["target_id"] = (*job)["target_id"];
  v["certificate_id"] = (*job)["certificate_id"];
  v["verified"] = stringField(v, "verification_status") == "success";
  return v;
}

}  // namespace certctl::services
