#include "agent/agent.h"

#include <openssl/crypto.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "certctl/build_info.h"
#include "sdk/deploy/file_target.h"
#include "sdk/deploy/tls_probe.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/csr_builder.h"

namespace certctl::agent {

using nlohmann::json;
namespace pki = certctl::sdk::pki;
namespace deploy = certctl::sdk::deploy;

namespace {

constexpr int kMaxRoundsPerCycle = 5;

std::string text(const json& value, const char* key) {
  if (!value.is_object()) return {};
  auto it = value.find(key);
  return it != value.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The server's plugin search (CERTCTL_PLUGIN_DIR, then the installed
// plugins), but of the installed ones only the targets and, when the agent
// scans directories, the discovery plugins: an agent has no use for issuer
// plugins, and every library loaded costs memory.
plugins::PluginHostOptions pluginOptions(const AgentConfig& config) {
  plugins::PluginHostOptions options;
  auto dirs = plugins::PluginHost::defaultSearchDirs(config.pluginDir);
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    if (i == 0 && !config.pluginDir.empty()) {
      options.searchDirs.push_back(dirs[i]);
      continue;
    }
    options.searchDirs.push_back(dirs[i] / "targets");
    if (!config.discoveryDirs.empty()) options.searchDirs.push_back(dirs[i] / "discovery");
  }
  return options;
}

// A failure of one work item that the server should hear about.
class JobFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Certificate names sorted into the CSR's SAN kinds the way the server's
// own key generation does: e-mail addresses, URIs, IP literals, DNS names.
pki::Csr buildCsr(const json& item, const pki::PrivateKey& key) {
  pki::CsrBuilder builder;
  std::string cn = text(item, "common_name");
  if (!cn.empty()) builder.commonName(cn);
  if (item.contains("sans") && item["sans"].is_array()) {
    for (const auto& san : item["sans"]) {
      if (!san.is_string()) continue;
      std::string name = san.get<std::string>();
      if (name.find("://") != std::string::npos)
        builder.uri(name);
      else if (name.find('@') != std::string::npos)
        builder.emailAddress(name);
      else
        builder.subjectAltName(name);
    }
  }
  return builder.sign(key);
}

}  // namespace

Agent::Agent(AgentConfig config, const std::atomic<bool>& stop)
    : config_(std::move(config)),
      stop_(stop),
      client_({config_.serverUrl, config_.apiKey, config_.caBundle, std::chrono::seconds(30)}),
      keys_(config_.keyDir),
      info_(systemInfo()),
      discovery_(config_.discoveryDirs, config_.discoveryInterval) {
  std::string types;
  for (const auto& p : pluginHost().loaded()) {
    if (p.kind != plugins::PluginKind::Target) continue;
    targetTypes_.push_back(p.type);
    types += (types.empty() ? "" : ", ") + p.type;
  }
  spdlog::info("certctl-agent {}: target plugins: {}", build::kVersion,
               types.empty() ? "(none)" : types);
  for (const auto& r : plugins_->refused()) spdlog::warn("plugin {} refused: {}", r.path, r.reason);
  plugins_.reset();
}

void Agent::releaseIdleMemory() {
  plugins_.reset();  // nothing holds a plugin between cycles
#ifdef __GLIBC__
  malloc_trim(0);  // hand the cycle's freed heap back while the agent sleeps
#endif
}

plugins::PluginHost& Agent::pluginHost() {
  if (!plugins_) {
    plugins_ = std::make_unique<plugins::PluginHost>(pluginOptions(config_));
    plugins_->scan();
  }
  return *plugins_;
}

ApiResponse Agent::call(const std::string& method, const std::string& path, const json& body) {
  ApiResponse response = client_.call(method, path, body);
  if (response.status == 410) throw AgentRetired(response.errorMessage());
  if (response.status == 401 || response.status == 403)
    throw std::runtime_error("the server refused the API key (" + std::to_string(response.status) +
                             "): " + response.errorMessage());
  return response;
}

json Agent::capabilities() const {
  json targets = json::array();
  for (const auto& type : targetTypes_) targets.push_back(type);
  return {{"target_types", targets},
          {"key_algorithms", {"ECDSA-P256", "ECDSA-P384", "RSA", "Ed25519"}}};
}

void Agent::registerAgent(const std::string& id) {
  json body = {{"name", config_.agentName.empty() ? info_.hostname : config_.agentName},
               {"hostname", info_.hostname},
               {"os", info_.os},
               {"architecture", info_.architecture},
               {"version", build::kVersion},
               {"capabilities", capabilities()}};
  if (body["name"].get<std::string>().empty()) body["name"] = "certctl-agent";
  if (!info_.ipAddress.empty()) body["ip_address"] = info_.ipAddress;
  if (!id.empty()) body["id"] = id;
  auto response = call("POST", "/api/v1/agents", body);
  if (response.status == 409 && !id.empty()) {
    id_ = id;  // registered meanwhile (or by an operator) under this id
  } else if (response.ok() && !text(response.body, "id").empty()) {
    id_ = text(response.body, "id");
    spdlog::info("registered with the server as agent {}", id_);
  } else {
    throw std::runtime_error("registration refused (" + std::to_string(response.status) +
                             "): " + response.errorMessage());
  }
  keys_.saveAgentId(id_);
}

void Agent::ensureRegistered() {
  std::string id = config_.agentId;
  if (id.empty()) id = keys_.agentId().value_or("");
  if (id.empty()) {
    registerAgent("");
    heartbeat();
    return;
  }
  id_ = id;
  heartbeat();  // registers when the server does not know the id
  if (keys_.agentId() != id_) keys_.saveAgentId(id_);
}

void Agent::heartbeat() {
  json body = {{"os", info_.os},
               {"architecture", info_.architecture},
               {"hostname", info_.hostname},
               {"version", build::kVersion}};
  if (!info_.ipAddress.empty()) body["ip_address"] = info_.ipAddress;
  auto response = call("POST", "/api/v1/agents/" + id_ + "/heartbeat", body);
  if (response.status == 404) {
    // Unknown to this server (a new database, or deleted): register again
    // under the same id, so targets that name it keep working.
    spdlog::warn("the server does not know agent {}: registering it", id_);
    registerAgent(id_);
    response = call("POST", "/api/v1/agents/" + id_ + "/heartbeat", body);
  }
  if (!response.ok())
    throw std::runtime_error("heartbeat refused (" + std::to_string(response.status) +
                             "): " + response.errorMessage());
  lastHeartbeat_ = std::chrono::steady_clock::now();
}

bool Agent::report(const std::string& jobId, const json& body) {
  auto response = call("POST", "/api/v1/agents/" + id_ + "/jobs/" + jobId + "/status", body);
  if (response.ok()) return true;
  if (response.status >= 500) throw TransportError("status report: " + response.errorMessage());
  spdlog::warn("job {}: the server refused the status {}: {}", jobId, text(body, "status"),
               response.errorMessage());
  return false;
}

void Agent::reportFailure(const std::string& jobId, const std::string& error) {
  ++jobErrors_;
  spdlog::warn("job {} failed: {}", jobId, error);
  report(jobId, {{"status", "Failed"}, {"error", error}});
}

std::string Agent::targetPluginType(const std::string& type) {
  auto find = [&] {
    for (const auto& p : pluginHost().loaded())
      if (p.kind == plugins::PluginKind::Target && lower(p.type) == lower(type)) return p.type;
    return std::string();
  };
  std::string found = find();
  if (found.empty() && pluginHost().scan() > 0) found = find();  // installed since the start
  return found;
}

void Agent::issue(const json& item) {
  std::string jobId = text(item, "id");
  std::string certificateId = text(item, "certificate_id");
  std::string algorithm = text(item, "key_algorithm");
  int bits = item.value("key_size", 0);
  if (algorithm.empty()) {
    algorithm = "ECDSA";
    bits = 256;
  }
  std::string csrPem;
  try {
    pki::PrivateKey key = keys_.pendingKey(certificateId, algorithm, bits);
    csrPem = buildCsr(item, key).toPem();
  } catch (const std::exception& e) {
    reportFailure(jobId, std::string("cannot make the key or CSR: ") + e.what());
    return;
  }
  spdlog::info("job {}: {} key made for {}; submitting the CSR", jobId, algorithm, certificateId);
  auto response =
      call("POST", "/api/v1/agents/" + id_ + "/csr", {{"csr_pem", csrPem}, {"job_id", jobId}});
  if (response.status >= 500) {
    // The CA may be briefly unavailable: the same key is used next time.
    throw TransportError("CSR for job " + jobId + ": " + std::to_string(response.status) + " " +
                         response.errorMessage());
  }
  if (response.status == 409 || response.status == 404) {
    spdlog::warn("job {}: the server no longer waits for this CSR: {}", jobId,
                 response.errorMessage());
    return;
  }
  if (!response.ok()) {
    reportFailure(jobId, "the server refused the CSR (" + std::to_string(response.status) +
                             "): " + response.errorMessage());
    return;
  }
  try {
    keys_.storeCertificate(certificateId, text(response.body, "cert_pem"),
                           text(response.body, "chain_pem"));
  } catch (const std::exception& e) {
    ++jobErrors_;
    spdlog::error("job {}: the issued certificate could not be stored: {}", jobId, e.what());
    return;
  }
  spdlog::info("job {}: certificate {} issued: serial {}, stored in {}", jobId, certificateId,
               text(response.body, "serial_number"), keys_.certPath(certificateId).string());
}

void Agent::deploy(const json& item) {
  std::string jobId = text(item, "id");
  std::string certificateId = text(item, "certificate_id");
  std::string targetId = text(item, "target_id");
  json targetConfig = item.value("target_config", json::object());
  if (!report(jobId, {{"status", "Running"}})) return;
  try {
    std::string type = targetPluginType(text(item, "target_type"));
    if (type.empty())
      throw JobFailure("no target plugin of type '" + text(item, "target_type") +
                       "' is installed on agent " + id_);
    auto pickup = call("GET", "/api/v1/agents/" + id_ + "/certificates/" + certificateId);
    if (pickup.status >= 500) throw TransportError("certificate pickup: " + pickup.errorMessage());
    if (!pickup.ok())
      throw JobFailure("certificate pickup refused (" + std::to_string(pickup.status) +
                       "): " + pickup.errorMessage());
    std::string certPem = text(pickup.body, "cert_pem");
    std::string chainPem = text(pickup.body, "chain_pem");
    std::string fingerprint = text(pickup.body, "fingerprint_sha256");
    auto key = keys_.keyFor(certificateId, certPem);
    if (!key)
      throw JobFailure("agent " + id_ + " holds no private key for certificate " + certificateId +
                       " (keys are made where the CSR is made)");
    keys_.storeCertificate(certificateId, certPem, chainPem);

    std::unique_ptr<plugins::TargetPlugin> target;
    try {
      target = pluginHost().createTarget(type, targetConfig);
    } catch (const std::exception& e) {
      throw JobFailure("target " + targetId + " config refused by the " + type +
                       " plugin: " + e.what());
    }
    json request = {{"certificate_id", certificateId},
                    {"cert_pem", certPem},
                    {"chain_pem", chainPem},
                    {"key_pem", key->toPkcs8Pem()},
                    {"target_config", targetConfig},
                    {"metadata",
                     {{"job_id", jobId},
                      {"agent_id", id_},
                      {"target_id", targetId},
                      {"version_id", pickup.body.value("version_id", json())},
                      {"serial_number", pickup.body.value("serial_number", json())}}}};
    json result;
    std::string deployError;
    try {
      result = target->deploy(request);
    } catch (const std::exception& e) {
      deployError = e.what();
    }
    auto& keyPem = request["key_pem"].get_ref<std::string&>();
    OPENSSL_cleanse(keyPem.data(), keyPem.size());
    if (!deployError.empty()) throw JobFailure("deployment failed: " + deployError);

    // The live endpoint is the proof: what it serves must be what we deployed.
    json verification = {{"status", "skipped"}};
    if (auto endpoint = deploy::parseVerifyEndpoint(targetConfig)) {
      deploy::TlsProbeOptions probe;
      probe.host = endpoint->host;
      probe.port = endpoint->port;
      probe.sni = endpoint->sni;
      probe.timeout = endpoint->timeout;
      probe.startTls = endpoint->startTls;
      try {
        auto served = deploy::probeTls(probe);
        verification = {{"status", served.fingerprintSha256 == fingerprint ? "success" : "failed"},
                        {"fingerprint", served.fingerprintSha256}};
        if (served.fingerprintSha256 != fingerprint)
          verification["error"] = deploy::endpointString(probe.host, probe.port) +
                                  " serves serial " + served.serial + ", not the deployed one";
      } catch (const std::exception& e) {
        verification = {{"status", "failed"}, {"error", std::string("TLS probe: ") + e.what()}};
      }
    }
    json body = {{"status", "Completed"}, {"verification", verification}};
    if (result.is_object()) body["result"] = result;
    report(jobId, body);
    spdlog::info("job {}: certificate {} deployed to {} ({}), verification {}", jobId,
                 certificateId, targetId, type, text(verification, "status"));
  } catch (const JobFailure& e) {
    reportFailure(jobId, e.what());
  } catch (const AgentRetired&) {
    throw;
  } catch (const TransportError&) {
    throw;  // the job stays Running and is offered again
  } catch (const std::exception& e) {
    reportFailure(jobId, e.what());
  }
}

bool Agent::handle(const json& item) {
  std::string type = text(item, "type");
  std::string status = text(item, "status");
  std::string certificateId = text(item, "certificate_id");
  std::string jobId = text(item, "id");
  if (!isValidId(jobId) || !isValidId(certificateId)) {
    spdlog::warn("ignoring a work item with an unusable id: {}", item.dump());
    return false;
  }
  if ((type == "Issuance" || type == "Renewal") && status == "AwaitingCSR") {
    issue(item);
    return true;
  }
  if (type == "Deployment") {
    deploy(item);
    return true;
  }
  spdlog::debug("job {}: {} in {} is not agent work", jobId, type, status);
  return false;
}

void Agent::discover() {
  auto now = std::chrono::steady_clock::now();
  if (!discovery_.due(now)) return;
  std::vector<json> reports;
  try {
    reports = discovery_.scan(pluginHost());
  } catch (const std::exception& e) {
    // Not the server's fault: retried at the next interval, not backed off.
    ++jobErrors_;
    spdlog::error("discovery scan failed: {}", e.what());
    discovery_.markDone(now);
    return;
  }
  std::size_t found = 0, created = 0;
  for (const auto& report : reports) {
    auto response = call("POST", "/api/v1/agents/" + id_ + "/discoveries", report);
    if (response.status >= 500)
      throw TransportError("discovery report: " + std::to_string(response.status) + " " +
                           response.errorMessage());
    if (!response.ok()) {
      ++jobErrors_;
      spdlog::error("the server refused the discovery report ({}): {}", response.status,
                    response.errorMessage());
      continue;
    }
    if (!response.body.is_object()) continue;
    found += response.body.value("certificates_found", std::size_t{0});
    created += response.body.value("certificates_new", std::size_t{0});
  }
  discovery_.markDone(now);
  spdlog::info("discovery: {} certificates reported ({} new) from {} directories", found, created,
               config_.discoveryDirs.size());
}

void Agent::cycle() {
  jobErrors_ = 0;
  if (std::chrono::steady_clock::now() - lastHeartbeat_ >= config_.heartbeatInterval) heartbeat();
  discover();
  std::set<std::string> done;
  for (int round = 0; round < kMaxRoundsPerCycle && !stop_; ++round) {
    auto response = call("GET", "/api/v1/agents/" + id_ + "/work");
    if (response.status == 404) {
      heartbeat();  // registers again
      response = call("GET", "/api/v1/agents/" + id_ + "/work");
    }
    if (!response.ok() || !response.body.contains("jobs") || !response.body["jobs"].is_array())
      throw std::runtime_error("work poll failed (" + std::to_string(response.status) +
                               "): " + response.errorMessage());
    bool progressed = false;
    for (const auto& item : response.body["jobs"]) {
      if (stop_) break;
      std::string jobId = text(item, "id");
      if (!done.insert(jobId).second) continue;  // seen this cycle
      progressed = handle(item) || progressed;
    }
    // Completed issuances can add deployment jobs: ask again at once.
    if (!progressed) break;
  }
}

bool Agent::sleepFor(std::chrono::milliseconds wait) {
  auto until = std::chrono::steady_clock::now() + wait;
  while (!stop_ && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(100), std::chrono::duration_cast<std::chrono::milliseconds>(
                                            until - std::chrono::steady_clock::now()) +
                                            std::chrono::milliseconds(1)));
  return !stop_;
}

int Agent::run() {
  bool registered = false;
  while (!stop_) {
    try {
      if (!registered) {
        ensureRegistered();
        registered = true;
        spdlog::info("agent {} polling {} every {} ms", id_, config_.serverUrl,
                     config_.pollInterval.count());
      }
      cycle();
      releaseIdleMemory();
      backoff_.success();
      if (config_.once) return jobErrors_ == 0 ? 0 : 1;
      if (!sleepFor(config_.pollInterval)) break;
    } catch (const AgentRetired& e) {
      spdlog::warn("agent {} was retired by the server ({}); exiting", id_, e.what());
      return 0;
    } catch (const std::exception& e) {
      if (config_.once) {
        spdlog::error("{}", e.what());
        return 1;
      }
      auto wait = backoff_.failure();
      spdlog::warn("{} (retrying in {} ms)", e.what(), wait.count());
      if (!sleepFor(wait)) break;
    }
  }
  spdlog::info("agent {} stopping", id_);
  return 0;
}

}  // namespace certctl::agent
