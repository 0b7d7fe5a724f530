#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace certctl::agent {

// certctl-agent's settings: CERTCTL_* environment variables, overridden by
// the command-line flags of the same name (--server-url, --key-dir, ...).
struct AgentConfig {
  std::string serverUrl = "https://localhost:8443";  // CERTCTL_SERVER_URL
  std::string apiKey;                                // CERTCTL_API_KEY (required)
  std::string agentId;    // CERTCTL_AGENT_ID; "" = the persisted one, or register a new one
  std::string agentName;  // CERTCTL_AGENT_NAME; "" = the host name
  std::filesystem::path keyDir = "/var/lib/certctl/keys";  // CERTCTL_KEY_DIR
  std::string caBundle;  // CERTCTL_CA_BUNDLE: PEM file the server's certificate chains to
  std::chrono::milliseconds pollInterval{std::chrono::seconds(30)};  // CERTCTL_AGENT_POLL_INTERVAL
  std::chrono::milliseconds heartbeatInterval{std::chrono::seconds(60)};  // ..._HEARTBEAT_INTERVAL
  std::string pluginDir;                                                  // CERTCTL_PLUGIN_DIR
  std::vector<std::string> discoveryDirs;  // CERTCTL_DISCOVERY_DIRS (comma-separated)
  std::chrono::milliseconds discoveryInterval{std::chrono::hours(6)};  // CERTCTL_DISCOVERY_INTERVAL
  std::string logLevel = "info";                                       // CERTCTL_LOG_LEVEL
  std::string logFormat = "text";                                      // CERTCTL_LOG_FORMAT
  bool once = false;  // --once: one cycle, then exit
};

class AgentConfigError : public std::runtime_error {
 public:
  AgentConfigError(std::string variable, const std::string& message)
      : std::runtime_error(variable + ": " + message), variable_(std::move(variable)) {}
  const std::string& variable() const { return variable_; }

 private:
  std::string variable_;
};

// The environment variables the agent reads, for --help.
struct AgentVariable {
  const char* name;
  const char* defaultText;
  const char* help;
};
const std::vector<AgentVariable>& agentVariables();

// Reads the CERTCTL_* variables of `env` into `config` (unset keep the
// defaults). Throws AgentConfigError naming the variable.
void applyEnvironment(AgentConfig& config, const std::map<std::string, std::string>& env);

// Applies one setting by variable name (the flags use it too).
void applySetting(AgentConfig& config, const std::string& name, const std::string& value);

// The checks that need every setting: an API key, a usable URL, an agent id
// the server accepts. Throws AgentConfigError.
void validate(const AgentConfig& config);

// The process environment as a map (CERTCTL_* only).
std::map<std::string, std::string> certctlEnvironment();

// Whether `id` is an id the server accepts (1-128 of letters, digits, - _ .,
// starting with a letter or digit) and so also a safe file name.
bool isValidId(const std::string& id);

}  // namespace certctl::agent
