#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "agent/agent_config.h"
#include "agent/backoff.h"
#include "agent/discovery_runner.h"
#include "agent/key_store.h"
#include "agent/server_client.h"
#include "agent/system_info.h"
#include "core/plugins/plugin_host.h"

namespace certctl::agent {

// The server answered 410: this agent was retired and must stop.
class AgentRetired : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// certctl-agent's loop: register once (the id is kept in the key dir),
// heartbeat, poll GET /agents/{id}/work and do the jobs: for an AwaitingCSR
// issuance or renewal make the key here, send only the CSR, keep the
// certificate next to the key; for a deployment load the target plugin,
// deploy with the local key, probe the live endpoint and report the
// SHA-256 fingerprint it served. Failures to reach the server back off
// exponentially (1 s doubling to 5 min).
class Agent {
 public:
  // `stop` is set by the signal handler; the loop checks it between steps.
  Agent(AgentConfig config, const std::atomic<bool>& stop);

  // The exit code: 0 after a signal, after a retirement (410) and after a
  // successful --once cycle; 1 when --once met an error.
  int run();

  const std::string& id() const { return id_; }

 private:
  // Registers (POST /agents) unless the server already knows our id.
  void ensureRegistered();
  void registerAgent(const std::string& id);
  void heartbeat();
  // One poll cycle: a heartbeat when due, then work until none is left.
  // Throws on any failure to talk to the server.
  void cycle();
  // Does one work item; false when it was skipped.
  bool handle(const nlohmann::json& item);
  void issue(const nlohmann::json& item);
  void deploy(const nlohmann::json& item);
  // POST /agents/{id}/jobs/{job}/status; false when the server refused it
  // (the job moved on).
  bool report(const std::string& jobId, const nlohmann::json& body);
  void reportFailure(const std::string& jobId, const std::string& error);
  // Scans CERTCTL_DISCOVERY_DIRS when due and posts the reports.
  void discover();
  // The target plugin type name matching `type` (case-insensitive), "" if none.
  std::string targetPluginType(const std::string& type);

  ApiResponse call(const std::string& method, const std::string& path,
                   const nlohmann::json& body = nullptr);
  nlohmann::json capabilities() const;
  bool sleepFor(std::chrono::milliseconds wait);  // false when stopped meanwhile

  AgentConfig config_;
  const std::atomic<bool>& stop_;
  ServerClient client_;
  KeyStore keys_;
  // Loaded for a cycle that needs a plugin and released after it: an idle
  // agent keeps no plugin library mapped.
  plugins::PluginHost& pluginHost();
  void releaseIdleMemory();
  std::unique_ptr<plugins::PluginHost> plugins_;
  std::vector<std::string> targetTypes_;  // found at start, for registration
  SystemInfo info_;
  DiscoveryRunner discovery_;
  Backoff backoff_;
  std::string id_;
  std::chrono::steady_clock::time_point lastHeartbeat_{};
  int jobErrors_ = 0;  // failed work items in the current cycle
};

}  // namespace certctl::agent
