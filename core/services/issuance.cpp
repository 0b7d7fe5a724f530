#include "core/services/issuance.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <set>

#include "core/domain/errors.h"
#include "core/domain/history_resources.h"
#include "core/domain/job_states.h"
#include "core/domain/json_fields.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"
#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_instances.h"
#include "core/services/ari_renewal_time.h"
#include "core/services/profile_enforcement.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/csr_builder.h"
#include "sdk/pki/private_key.h"
#include "sdk/pki/secure_file.h"

namespace certctl::services {

using nlohmann::json;
namespace pki = sdk::pki;

using domain::stringField;

namespace {

const domain::ResourceSpec& spec(const char* name) { return domain::requireResource(name); }

// Slack for the issuer's clock and rounding when checking a capped lifetime.
constexpr auto kLifetimeSlack = std::chrono::minutes(2);
constexpr size_t kMaxCsrBytes = 64 * 1024;

std::vector<std::string> stringList(const json& record, const char* key) {
  std::vector<std::string> out;
  auto it = record.find(key);
  if (it == record.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool finished(const std::string& certificateStatus) {
  return certificateStatus == "Revoked" || certificateStatus == "Archived";
}

std::string formatTime(std::chrono::system_clock::time_point t) {
  return domain::formatRfc3339(std::chrono::floor<std::chrono::seconds>(t));
}

// Version ids sort by creation time (milliseconds, hex) so "the latest
// version" is well defined even for two versions made within one second.
std::string newVersionId() { return generateTimeOrderedId("cv-"); }

// The CA certificates above a leaf as a CA's plugin returned them, parsed
// and written out again: each exactly one certificate, nothing else. A CA
// answers the same chain for certificate after certificate, so the last
// one is remembered (per thread) instead of parsed again.
std::string normalizedChain(const std::string& chainPem) {
  thread_local std::string lastInput, lastOutput;
  if (!chainPem.empty() && chainPem == lastInput) return lastOutput;
  std::string out;
  for (const auto& c : pki::Certificate::chainFromPem(chainPem, pki::KeyDecoding::Deferred))
    out += c.toPem();
  lastInput = chainPem;
  lastOutput = out;
  return out;
}

// The certificate's CN and SANs: everything an issued certificate may name.
std::vector<std::string> certificateNames(const json& certificate) {
  std::vector<std::string> names;
  std::string cn = stringField(certificate, "common_name");
  if (!cn.empty()) names.push_back(cn);
  for (const auto& san : stringList(certificate, "sans"))
    if (std::find(names.begin(), names.end(), san) == names.end()) names.push_back(san);
  return names;
}

// An agent's CSR may ask for the certificate's names only: the inventory,
// not the requester, decides what a certificate is valid for.
void checkCsrNames(const pki::Csr& csr, const json& certificate) {
  std::set<std::string> allowed;
  for (const auto& n : certificateNames(certificate)) allowed.insert(lower(n));
  std::vector<std::string> requested;
  std::string cn = csr.subjectCommonName();
  if (!cn.empty()) requested.push_back(cn);
  auto sans = csr.subjectAltNames();
  for (const auto* list :
       {&sans.dnsNames(), &sans.ipAddresses(), &sans.emailAddresses(), &sans.uris()})
    requested.insert(requested.end(), list->begin(), list->end());
  std::string extra;
  for (const auto& name : requested)
    if (!allowed.count(lower(name))) extra += (extra.empty() ? "" : ", ") + name;
  if (!extra.empty())
    throw domain::badRequest("csr_pem", "the CSR requests names certificate " +
                                            stringField(certificate, "id") +
                                            " does not have: " + extra);
}

pki::PrivateKey generateKey(const ServerKeyChoice& choice) {
  if (choice.algorithm == "RSA") return pki::PrivateKey::generateRsa(choice.bits);
  if (choice.algorithm == "Ed25519") return pki::PrivateKey::generateEd25519();
  if (choice.bits == 384) return pki::PrivateKey::generateEcP384();
  return pki::PrivateKey::generateEcP256();
}

pki::Csr buildCsr(const json& certificate, const pki::PrivateKey& key) {
  pki::CsrBuilder builder;
  std::string cn = stringField(certificate, "common_name");
  if (!cn.empty()) builder.commonName(cn);
  for (const auto& san : stringList(certificate, "sans")) {
    if (san.find('@') != std::string::npos && san.find("://") == std::string::npos)
      builder.emailAddress(san);
    else if (san.find("://") != std::string::npos)
      builder.uri(san);
    else
      builder.subjectAltName(san);
  }
  return builder.sign(key);
}

std::optional<json> optionalRecord(ResourceService& resources, const char* resource,
                                   const std::string& id) {
  if (id.empty()) return std::nullopt;
  return resources.repository().get(spec(resource), id);
}

domain::ApiError refusal(const std::string& code, const std::string& message,
                         const std::string& field = {}) {
  return domain::ApiError(domain::ErrorKind::BadRequest, code, message, field);
}

}  // namespace

IssuanceService::IssuanceService(ResourceService& resources, LifecycleStore& store,
                                 IssuerRegistry& issuers, AuditLog& audit,
                                 IssuanceSettings settings)
    : resources_(resources),
      store_(store),
      issuers_(issuers),
      audit_(audit),
      settings_(std::move(settings)) {}

void IssuanceService::attach() {
  resources_.addChangeListener("policies",
                               [this](ResourceService::Change, const std::string&, const json&) {
                                 std::lock_guard lock(rulesMutex_);
                                 rules_.reset();
                               });
}

std::shared_ptr<const std::vector<json>> IssuanceService::policyRules() {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(rulesMutex_);
    if (rules_ && now - rulesLoadedAt_ < kRulesCacheTtl) return rules_;
  }
  auto loaded = std::make_shared<const std::vector<json>>(store_.enabledPolicyRules());
  std::lock_guard lock(rulesMutex_);
  rules_ = loaded;
  rulesLoadedAt_ = now;
  return loaded;
}

std::filesystem::path IssuanceService::serverKeyPath(const std::string& certificateId,
                                                     const std::string& versionId) const {
  return settings_.dataDir / "server-keys" / certificateId / (versionId + ".key");
}

std::optional<json> IssuanceService::issuableCertificate(const json& job) {
  std::string jobId = stringField(job, "id");
  std::string certificateId = stringField(job, "certificate_id");
  auto certificate = optionalRecord(resources_, "certificates", certificateId);
  if (!certificate) {
    store_.failJob(jobId, "certificate " + certificateId + " no longer exists", "", "");
    return std::nullopt;
  }
  std::string status = stringField(*certificate, "status");
  if (finished(status)) {
    store_.failJob(jobId, "certificate " + certificateId + " is " + status, "", "");
    return std::nullopt;
  }
  return certificate;
}

void IssuanceService::runJob(const std::string& jobId) {
  auto job = store_.job(jobId);
  if (!job || stringField(*job, "status") != "Pending") return;
  std::string type = stringField(*job, "type");
  if (type != "Issuance" && type != "Renewal") return;
  auto certificate = issuableCertificate(*job);
  if (!certificate) return;

  std::string now = domain::nowRfc3339();
  if (settings_.keygenMode != "server") {
    // The agent makes the key; it finds the job through its work endpoint.
    json agent = certificate->contains("agent_id") ? (*certificate)["agent_id"] : json();
    if (store_.transitionJob(jobId, {"Pending"}, {{"status", "AwaitingCSR"}, {"agent_id", agent}}))
      spdlog::info("job {}: {} of {} awaits a CSR from agent {}", jobId, type,
                   stringField(*job, "certificate_id"),
                   agent.is_string() ? agent.get<std::string>() : "(none assigned)");
    return;
  }

  long long attempts = job->value("attempts", 0LL) + 1;
  if (!store_.transitionJob(jobId, {"Pending"},
                            {{"status", "Running"},
                             {"started_at", now},
                             {"claimed_by", settings_.instanceId},
                             {"claimed_at", now},
                             {"attempts", attempts}}))
    return;  // someone else claimed it
  runClaimed(jobId);
}

void IssuanceService::runClaimed(const std::string& jobId) {
  auto job = store_.job(jobId);
  if (!job || stringField(*job, "status") != "Running") return;
  auto certificate = issuableCertificate(*job);
  if (!certificate) return;
  std::string type = stringField(*job, "type");
  std::string certificateId = stringField(*job, "certificate_id");
  try {
    std::optional<json> profile =
        optionalRecord(resources_, "profiles", stringField(*certificate, "certificate_profile_id"));
    pki::PrivateKey key = generateKey(serverKeyFor(profile ? &*profile : nullptr));
    pki::Csr csr = buildCsr(*certificate, key);
    auto issued = issue(*job, *certificate, csr, &key);
    spdlog::info("job {}: {} of {} completed: version {} serial {}", jobId, type, certificateId,
                 issued.version["id"].get<std::string>(),
                 issued.version["serial_number"].get<std::string>());
  } catch (const plugins::PluginCallError& e) {
    // RETRYABLE, INTERNAL and malformed answers (503) may pass; a refusal
    // (INVALID_CONFIG, REJECTED, UNSUPPORTED: 400) will not.
    recordFailure(*job, e.what(), e.kind() != domain::ErrorKind::BadRequest);
  } catch (const domain::ApiError& e) {
    // Conflict: the job was cancelled or timed out meanwhile; nothing was written.
    if (e.kind() == domain::ErrorKind::Conflict)
      spdlog::info("job {}: {} of {} abandoned: {}", jobId, type, certificateId, e.what());
    else
      recordFailure(*job, e.what(), false);  // a profile or policy refusal
  } catch (const std::exception& e) {
    recordFailure(*job, e.what(), true);  // e.g. the database or the issuer's answer
  }
}

void IssuanceService::recordFailure(const json& job, const std::string& error, bool transient) {
  std::string jobId = stringField(job, "id");
  std::string certificateId = stringField(job, "certificate_id");
  long long attempts = job.value("attempts", 1LL);
  long long maxAttempts = job.value("max_attempts", 1LL);
  try {
    if (transient && attempts < maxAttempts) {
      auto delay =
          domain::retryBackoff(attempts, settings_.retryBackoff, settings_.retryBackoffCap);
      std::string next = formatTime(std::chrono::system_clock::now() + delay);
      if (store_.transitionJob(jobId, {"Running"},
                               {{"status", "Pending"},
                                {"last_error", error},
                                {"scheduled_at", next},
                                {"claimed_by", nullptr},
                                {"claimed_at", nullptr}}))
        spdlog::warn("job {}: attempt {}/{} failed, retrying at {}: {}", jobId, attempts,
                     maxAttempts, next, error);
      return;
    }
    spdlog::warn("job {}: attempt {}/{} failed for good: {}", jobId, attempts, maxAttempts, error);
    store_.failJob(jobId, error, certificateId, "Failed");
  } catch (const std::exception& again) {
    spdlog::error("job {}: could not record the failure: {}", jobId, again.what());
  }
}

IssuanceService::SigningGuard::SigningGuard(IssuanceService& service, std::string jobId)
    : service_(service), jobId_(std::move(jobId)) {
  std::lock_guard lock(service_.signingMutex_);
  if (!service_.signing_.insert(jobId_).second)
    throw domain::conflict("job " + jobId_ + " is already being signed");
}

IssuanceService::SigningGuard::~SigningGuard() {
  std::lock_guard lock(service_.signingMutex_);
  service_.signing_.erase(jobId_);
}

IssuanceService::CsrSubmission IssuanceService::parseCsrSubmission(const json& body) {
  CsrSubmission s;
  for (const auto& [key, value] : body.items()) {
    if (key != "csr_pem" && key != "csr" && key != "job_id" && key != "certificate_id")
      throw domain::badRequest(key, "unknown field: " + key);
    if (!value.is_string()) throw domain::badRequest(key, key + " must be a string");
  }
  if (body.contains("csr_pem") && body.contains("csr"))
    throw domain::badRequest("csr", "send the CSR once, as csr_pem (csr is an alias)");
  const char* csrKey = body.contains("csr") ? "csr" : "csr_pem";
  s.csrPem = body.value(csrKey, std::string());
  s.jobId = body.value("job_id", std::string());
  s.certificateId = body.value("certificate_id", std::string());
  if (s.csrPem.empty()) throw domain::badRequest("csr_pem", "csr_pem is required");
  if (s.csrPem.size() > kMaxCsrBytes)
    throw domain::badRequest(csrKey, std::string(csrKey) + " is larger than 64 KiB");
  if (s.jobId.empty() && s.certificateId.empty())
    throw domain::badRequest("job_id", "job_id or certificate_id is required");
  if (!s.jobId.empty() && !isValidId(s.jobId))
    throw domain::badRequest("job_id", "job_id is not a valid id");
  if (!s.certificateId.empty() && !isValidId(s.certificateId))
    throw domain::badRequest("certificate_id", "certificate_id is not a valid id");
  return s;
}

json IssuanceService::submitCsr(const std::string& agentId, const CsrSubmission& submission) {
  auto jobs = isValidId(agentId)
                  ? store_.awaitingCsrJobs(agentId, submission.jobId, submission.certificateId)
                  : std::vector<json>{};
  if (jobs.empty()) {
    resources_.get(spec("agents"), agentId);  // 404 for an unknown agent, else 409
    std::string which = !submission.jobId.empty()
                            ? "job " + submission.jobId
                            : "an issuance or renewal of " + submission.certificateId;
    throw domain::conflict("agent " + agentId + " has no " + which + " awaiting a CSR");
  }
  json job = jobs.front();
  std::string jobId = stringField(job, "id");
  std::string certificateId = stringField(job, "certificate_id");

  std::optional<pki::Csr> csr;
  try {
    csr.emplace(pki::Csr::fromPem(submission.csrPem));
  } catch (const std::exception& e) {
    throw domain::badRequest("csr_pem",
                             std::string("csr_pem is not a PEM certificate request: ") + e.what());
  }
  if (!csr->verifySignature())
    throw domain::badRequest("csr_pem",
                             "the CSR's signature does not verify (proof of possession)");
  json certificate = resources_.get(spec("certificates"), certificateId);
  try {
    checkCsrNames(*csr, certificate);
  } catch (const domain::ApiError&) {
    throw;
  } catch (const std::exception& e) {
    throw domain::badRequest("csr_pem", std::string("the CSR's names cannot be read: ") + e.what());
  }
  if (finished(stringField(certificate, "status"))) {
    store_.failJob(jobId,
                   "certificate " + certificateId + " is " + stringField(certificate, "status"), "",
                   "");
    throw domain::conflict("certificate " + certificateId + " is " +
                           stringField(certificate, "status"));
  }

  // Signed synchronously, without a Running step in the database: the
  // completion only succeeds while the job still awaits its CSR, and this
  // guard turns a concurrent second submission away before the CA signs.
  SigningGuard guard(*this, jobId);
  Issued issued;
  try {
    issued = issue(job, certificate, *csr, nullptr);
  } catch (const plugins::PluginCallError& e) {
    // A CA that is briefly unreachable: the agent may send the CSR again.
    if (e.retryable())
      store_.transitionJob(jobId, {"AwaitingCSR"}, {{"last_error", e.what()}});
    else
      store_.failJob(jobId, e.what(), certificateId, "Failed");
    throw;
  } catch (const domain::ApiError& e) {
    if (e.kind() != domain::ErrorKind::Conflict)
      store_.failJob(jobId, e.what(), certificateId, "Failed");
    throw;
  } catch (const std::exception& e) {
    store_.failJob(jobId, e.what(), certificateId, "Failed");
    throw;
  }
  const json& v = issued.version;
  return {{"job_id", jobId},
          {"certificate_id", certificateId},
          {"version_id", v["id"]},
          {"serial_number", v["serial_number"]},
          {"fingerprint_sha256", v["fingerprint_sha256"]},
          {"cert_pem", issued.certPem},
          {"chain_pem", issued.chainPem},
          {"not_before", v["not_before"]},
          {"not_after", v["not_after"]}};
}

void IssuanceService::recordFindings(const json& job, const json& certificate,
                                     const std::vector<PolicyFinding>& findings) {
  if (findings.empty()) return;
  std::vector<json> rows;
  std::string now = domain::nowRfc3339();
  std::string stage = stringField(job, "type") == "Renewal" ? "renewal" : "issuance";
  for (const auto& f : findings) {
    json details = f.details;
    details["job_id"] = stringField(job, "id");
    details["stage"] = stage;
    details["rule_name"] = f.ruleName;
    rows.push_back({{"id", generateId("pv-", "")},
                    {"certificate_id", stringField(certificate, "id")},
                    {"rule_id", f.ruleId},
                    {"message", f.message},
                    {"severity", f.severity},
                    {"details", details},
                    {"created_at", now}});
  }
  store_.recordViolations(rows);
  for (const auto& f : findings) {
    AuditEvent event;
    event.actor = kClaimedBy;
    event.actorType = "system";
    event.action = "policy.violation_detected";
    event.resourceType = "certificates";
    event.resourceId = stringField(certificate, "id");
    event.details = {
        {"rule_id", f.ruleId},  {"rule_type", f.ruleType},          {"severity", f.severity},
        {"message", f.message}, {"job_id", stringField(job, "id")}, {"blocking", f.blocking()}};
    try {
      audit_.record(std::move(event), false);
    } catch (const std::exception& e) {
      spdlog::error("audit of a policy violation failed: {}", e.what());
    }
  }
}

IssuanceService::Issued IssuanceService::issue(const json& job, const json& certificate,
                                               const pki::Csr& csr,
                                               const pki::PrivateKey* serverKey, Stored& stored) {
  std::string jobId = stringField(job, "id");
  std::string certificateId = stringField(certificate, "id");
  std::string issuerId = stringField(certificate, "issuer_id");
  bool renewal = stringField(job, "type") == "Renewal";

  // Profile: key, required SANs, EKUs, lifetime cap.
  std::string profileId = stringField(certificate, "certificate_profile_id");
  std::optional<json> profile = optionalRecord(resources_, "profiles", profileId);
  if (!profileId.empty() && !profile)
    throw refusal("profile_violation", "profile " + profileId + " no longer exists");
  KeyFacts key{csr.keyAlgorithm(), csr.keyBits(), csr.ecCurveName()};
  std::vector<std::string> names = certificateNames(certificate);
  ProfileDecision decision = enforceProfile(profile ? &*profile : nullptr, key, names);
  if (!decision.allowed())
    throw refusal("profile_violation", "refused by the profile: " + decision.reason(), "csr_pem");

  // Policy rules: every finding is recorded; Error and Critical block.
  auto issuer = issuers_.get(issuerId);
  PolicySubject subject;
  subject.certificate = certificate;
  subject.commonName = stringField(certificate, "common_name");
  subject.sans = stringList(certificate, "sans");
  subject.environment = stringField(certificate, "environment");
  subject.issuerId = issuerId;
  subject.profileId = profileId;
  if (auto policy = optionalRecord(resources_, "renewal-policies",
                                   stringField(certificate, "renewal_policy_id"))) {
    auto window = policy->find("renewal_window_days");
    if (window != policy->end() && window->is_number_integer())
      subject.renewalWindowDays = window->get<int>();
  }
  subject.lifetimeSeconds = decision.maxTtlSeconds;
  json issuerConfig = issuer.record.value("config", json::object());
  if (issuerConfig.is_object() && issuerConfig.contains("validity_days") &&
      issuerConfig["validity_days"].is_number_integer()) {
    long long issuerLifetime = issuerConfig["validity_days"].get<long long>() * 86400;
    subject.lifetimeSeconds = subject.lifetimeSeconds
                                  ? std::min(*subject.lifetimeSeconds, issuerLifetime)
                                  : issuerLifetime;
  }
  auto findings = evaluatePolicies(*policyRules(), subject);
  if (!findings.empty() && stored == Stored::NotYet) {
    // The violations refer to the certificate.
    store_.createCertificateWithJob(certificate, job);
    stored = Stored::Yes;
  }
  recordFindings(job, certificate, findings);
  std::string blocked = blockingReason(findings);
  if (!blocked.empty()) throw refusal("policy_violation", "refused by policy: " + blocked);

  // The CA.
  const std::string csrPem = csr.toPem();
  json request = {{"common_name", subject.commonName},
                  {"sans", subject.sans},
                  {"csr_pem", csrPem},
                  {"csr_verified", true},  // by every caller, before issue()
                  {"metadata",
                   {{"certificate_id", certificateId},
                    {"job_id", jobId},
                    {"job_type", stringField(job, "type")}}}};
  if (!decision.ekus.empty()) request["ekus"] = decision.ekus;
  if (decision.maxTtlSeconds) request["max_ttl_seconds"] = *decision.maxTtlSeconds;
  if (profile) {
    request["profile"] = {{"id", profileId}, {"allowed_ekus", decision.ekus}};
    if (decision.maxTtlSeconds) request["profile"]["max_ttl_seconds"] = *decision.maxTtlSeconds;
  }
  std::optional<json> previous = renewal ? store_.latestVersion(certificateId) : std::nullopt;
  if (previous) request["previous_serial"] = (*previous)["serial_number"];
  auto requestedAt = std::chrono::system_clock::now();
  json result = previous ? issuer.plugin->renew(request) : issuer.plugin->issue(request);
  if (result.value("status", std::string()) == "pending")
    throw std::runtime_error("issuer " + issuerId +
                             " answered with a pending order; asynchronous issuers are not "
                             "supported by this server yet");

  // What came back must be a certificate for this CSR's key, within the profile.
  std::string certPem = result.value("cert_pem", std::string());
  std::string chainPem = result.value("chain_pem", std::string());
  std::optional<pki::Certificate> leaf;
  std::string chainOnly;
  try {
    // Fields are all that is read here: the keys are compared as encoded.
    leaf.emplace(pki::Certificate::fromPem(certPem, pki::KeyDecoding::Deferred));
    chainOnly = normalizedChain(chainPem);
  } catch (const std::exception& e) {
    throw std::runtime_error("issuer " + issuerId +
                             " returned an unreadable certificate: " + e.what());
  }
  if (!leaf->hasPublicKeyOf(csr))
    throw std::runtime_error("issuer " + issuerId +
                             " returned a certificate for a different public key");
  if (decision.maxTtlSeconds &&
      leaf->notAfter() >
          requestedAt + std::chrono::seconds(*decision.maxTtlSeconds) + kLifetimeSlack)
    throw std::runtime_error("issuer " + issuerId + " ignored the profile's maximum lifetime of " +
                             std::to_string(*decision.maxTtlSeconds) + " s");
  if (!decision.ekus.empty()) {
    std::set<std::string> allowedEkus;
    for (const auto& e : decision.ekus) allowedEkus.insert(lower(e));
    bool profileUsesOids =
        std::any_of(decision.ekus.begin(), decision.ekus.end(), [](const std::string& e) {
          return !e.empty() && std::isdigit(static_cast<unsigned char>(e[0]));
        });
    for (const auto& eku : leaf->extendedKeyUsageNames())
      if (!profileUsesOids && !allowedEkus.count(lower(eku)))
        throw std::runtime_error("issuer " + issuerId + " added extended key usage " + eku +
                                 ", which the profile does not allow");
  }

  // RFC 9773: a CA that suggests when to renew is followed (null clears
  // the time an earlier version had).
  json ariRenewAt = nullptr;
  if (auto at = ariRenewalTime(result.value("renewal_info", json()), domain::nowSeconds()))
    ariRenewAt = domain::formatRfc3339(*at);

  std::string leafPem = leaf->toPem();
  std::string versionId = newVersionId();
  std::string now = domain::nowRfc3339();
  json version = {
      {"id", versionId},
      {"certificate_id", certificateId},
      {"issuer_id", issuerId},
      {"serial_number", leaf->serialHex()},
      {"not_before", formatTime(leaf->notBefore())},
      {"not_after", formatTime(leaf->notAfter())},
      {"fingerprint_sha256", leaf->sha256FingerprintHex()},
      {"pem_chain", leafPem + chainOnly},
      {"csr_pem", csrPem},
      {"key_algorithm", key.algorithm},
      {"key_size", key.bits},
      {"source", stringField(certificate, "source").empty() ? std::string("api")
                                                            : stringField(certificate, "source")},
      {"created_at", now}};

  // The demo-only server key goes to disk before the version is committed,
  // so a stored version always has its key; a failed commit removes it.
  std::filesystem::path keyPath;
  if (serverKey) {
    keyPath = serverKeyPath(certificateId, versionId);
    std::filesystem::create_directories(keyPath.parent_path());
    ::chmod((settings_.dataDir / "server-keys").c_str(), 0700);
    ::chmod(keyPath.parent_path().c_str(), 0700);
    pki::writeFileAtomic(keyPath, serverKey->toPkcs8Pem());
  }
  json jobResult = {{"version_id", versionId},
                    {"serial_number", version["serial_number"]},
                    {"fingerprint_sha256", version["fingerprint_sha256"]},
                    {"not_after", version["not_after"]},
                    {"keygen", serverKey ? "server" : "agent"}};
  AuditEvent event;
  // No agent: a protocol client (EST) sent the CSR; the certificate's source names it.
  std::string agentId = stringField(job, "agent_id");
  event.actor = serverKey         ? kClaimedBy
                : agentId.empty() ? stringField(certificate, "source")
                                  : agentId;
  event.actorType = serverKey ? "system" : agentId.empty() ? "protocol" : "agent";
  event.action = renewal ? "certificate.renewed" : "certificate.issued";
  event.resourceType = "certificates";
  event.resourceId = certificateId;
  event.timestamp = now;
  event.details = {{"job_id", jobId},
                   {"version_id", versionId},
                   {"issuer_id", issuerId},
                   {"serial_number", version["serial_number"]},
                   {"not_after", version["not_after"]},
                   {"keygen", jobResult["keygen"]}};
  // Committed with the version: the issuance and its audit record exist
  // together or not at all.
  std::vector<AuditEvent> events{std::move(event)};
  try {
    json jobChanges = {{"completed_at", now}, {"last_error", nullptr}, {"result", jobResult}};
    if (!serverKey) {  // the agent's CSR: this call was the whole attempt
      jobChanges["started_at"] = now;
      jobChanges["attempts"] = job.value("attempts", 0LL) + 1;
    }
    json certificateChanges = {{"status", "Active"},
                               {"expires_at", version["not_after"]},
                               {"last_renewal_at", now},
                               {"ari_renew_at", ariRenewAt},
                               {"updated_at", now}};
    if (stored == Stored::Yes) {
      store_.completeIssuance(version, jobId, jobChanges, certificateChanges, std::move(events));
    } else {
      // Written as they end up, with the version, in one transaction.
      json completedJob = job;
      completedJob.update(jobChanges);
      completedJob["status"] = "Completed";
      completedJob["updated_at"] = now;
      json issuedCertificate = certificate;
      issuedCertificate.update(certificateChanges);
      insertUniquelyNamed(issuedCertificate, [&](const json& named) {
        store_.createIssuedCertificate(named, completedJob, version, events);
      });
      stored = Stored::Yes;
    }
  } catch (...) {
    if (!keyPath.empty()) {
      std::error_code ignored;
      std::filesystem::remove(keyPath, ignored);
    }
    throw;
  }

  for (const auto& listener : issuedListeners_) {
    try {
      listener(job, version, serverKey == nullptr);
    } catch (const std::exception& e) {
      spdlog::error("job {}: an issuance listener failed: {}", jobId, e.what());
    }
  }
  return {version, leafPem, chainOnly, std::move(leaf)};
}

}  // namespace certctl::services
