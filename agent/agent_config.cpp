#include "agent/agent_config.h"

#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/config/duration.h"

extern char** environ;

namespace certctl::agent {

namespace {

std::chrono::milliseconds duration(const std::string& name, const std::string& value) {
  try {
    return config::parseDuration(value);
  } catch (const std::exception& e) {
    throw AgentConfigError(name, "not a duration (e.g. 30s, 5m): " + value);
  }
}

std::vector<std::string> commaList(const std::string& value) {
  std::vector<std::string> out;
  std::string item;
  for (char c : value + ",") {
    if (c != ',') {
      item += c;
      continue;
    }
    auto first = item.find_first_not_of(" \t");
    if (first != std::string::npos)
      out.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
    item.clear();
  }
  return out;
}

}  // namespace

const std::vector<AgentVariable>& agentVariables() {
  static const std::vector<AgentVariable> vars = {
      {"CERTCTL_SERVER_URL", "https://localhost:8443", "Base URL of certctl-server"},
      {"CERTCTL_API_KEY", "(required)", "API key sent as Authorization: Bearer"},
      {"CERTCTL_AGENT_ID", "(persisted)",
       "Agent id; default: the one saved in the key dir, else the server assigns one"},
      {"CERTCTL_AGENT_NAME", "(host name)", "Display name used when registering"},
      {"CERTCTL_KEY_DIR", "/var/lib/certctl/keys",
       "Private keys (0600), certificates and the agent id; the directory is made 0700"},
      {"CERTCTL_CA_BUNDLE", "(system CAs)",
       "PEM CA file the server's TLS certificate must chain to (e.g. its data/tls/ca.crt)"},
      {"CERTCTL_AGENT_POLL_INTERVAL", "30s", "How often to ask the server for work"},
      {"CERTCTL_AGENT_HEARTBEAT_INTERVAL", "60s", "How often to send a heartbeat"},
      {"CERTCTL_PLUGIN_DIR", "(none)",
       "Extra target plugin directory, searched before <exe>/../lib/certctl/plugins"},
      {"CERTCTL_DISCOVERY_DIRS", "(none)",
       "Comma-separated absolute directories scanned for certificate files on start and "
       "every CERTCTL_DISCOVERY_INTERVAL; the findings are reported to the server"},
      {"CERTCTL_DISCOVERY_INTERVAL", "6h", "How often to scan CERTCTL_DISCOVERY_DIRS"},
      {"CERTCTL_LOG_LEVEL", "info", "debug, info, warn or error"},
      {"CERTCTL_LOG_FORMAT", "text", "text or json"},
  };
  return vars;
}

void applySetting(AgentConfig& c, const std::string& name, const std::string& value) {
  if (name == "CERTCTL_SERVER_URL") {
    c.serverUrl = value;
  } else if (name == "CERTCTL_API_KEY") {
    c.apiKey = value;
  } else if (name == "CERTCTL_AGENT_ID") {
    c.agentId = value;
  } else if (name == "CERTCTL_AGENT_NAME") {
    c.agentName = value;
  } else if (name == "CERTCTL_KEY_DIR") {
    if (value.empty()) throw AgentConfigError(name, "must not be empty");
    c.keyDir = value;
  } else if (name == "CERTCTL_CA_BUNDLE") {
    c.caBundle = value;
  } else if (name == "CERTCTL_AGENT_POLL_INTERVAL") {
    c.pollInterval = duration(name, value);
  } else if (name == "CERTCTL_AGENT_HEARTBEAT_INTERVAL") {
    c.heartbeatInterval = duration(name, value);
  } else if (name == "CERTCTL_PLUGIN_DIR") {
    c.pluginDir = value;
  } else if (name == "CERTCTL_DISCOVERY_DIRS") {
    c.discoveryDirs = commaList(value);
  } else if (name == "CERTCTL_DISCOVERY_INTERVAL") {
    c.discoveryInterval = duration(name, value);
    if (c.discoveryInterval < std::chrono::seconds(1))
      throw AgentConfigError(name, "must be at least 1s");
  } else if (name == "CERTCTL_LOG_LEVEL") {
    std::string v = value;
    std::transform(v.begin(), v.end(), v.begin(), ::tolower);
    if (v != "debug" && v != "info" && v != "warn" && v != "error")
      throw AgentConfigError(name, "must be debug, info, warn or error");
    c.logLevel = v;
  } else if (name == "CERTCTL_LOG_FORMAT") {
    if (value != "text" && value != "json") throw AgentConfigError(name, "must be text or json");
    c.logFormat = value;
  }
}

void applyEnvironment(AgentConfig& config, const std::map<std::string, std::string>& env) {
  for (const auto& var : agentVariables()) {
    auto it = env.find(var.name);
    if (it != env.end()) applySetting(config, var.name, it->second);
  }
}

bool isValidId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  if (!std::isalnum(static_cast<unsigned char>(id[0]))) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

void validate(const AgentConfig& c) {
  if (c.apiKey.empty()) throw AgentConfigError("CERTCTL_API_KEY", "is required");
  Poco::URI uri;
  try {
    uri = Poco::URI(c.serverUrl);
  } catch (const std::exception&) {
    throw AgentConfigError("CERTCTL_SERVER_URL", "not a URL: " + c.serverUrl);
  }
  if ((uri.getScheme() != "https" && uri.getScheme() != "http") || uri.getHost().empty())
    throw AgentConfigError("CERTCTL_SERVER_URL",
                           "must be an http:// or https:// URL with a host: " + c.serverUrl);
  if (!c.agentId.empty() && !isValidId(c.agentId))
    throw AgentConfigError("CERTCTL_AGENT_ID",
                           "must be 1-128 letters, digits, '-', '_' or '.', starting with a "
                           "letter or digit");
  if (c.agentName.size() > 255) throw AgentConfigError("CERTCTL_AGENT_NAME", "is too long");
  for (const auto& dir : c.discoveryDirs)
    if (dir.empty() || dir.front() != '/')
      throw AgentConfigError("CERTCTL_DISCOVERY_DIRS", "must list absolute directories: " + dir);
  if (!c.caBundle.empty() && uri.getScheme() != "https")
    throw AgentConfigError("CERTCTL_CA_BUNDLE", "is set but CERTCTL_SERVER_URL is not https");
}

std::map<std::string, std::string> certctlEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    auto eq = entry.find('=');
    if (eq == std::string::npos || entry.rfind("CERTCTL_", 0) != 0) continue;
    env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

}  // namespace certctl::agent
