// certctl-agent's settings: environment, flag overrides and the checks that
// turn a bad setting into a message naming it.
#include <catch2/catch.hpp>

#include "agent/agent_config.h"
#include "agent/backoff.h"
#include "agent/system_info.h"

using namespace certctl::agent;

TEST_CASE("agent config: defaults, environment and overrides") {
  AgentConfig c;
  CHECK(c.pollInterval == std::chrono::seconds(30));
  CHECK(c.heartbeatInterval == std::chrono::seconds(60));
  CHECK(c.keyDir == "/var/lib/certctl/keys");
  CHECK_FALSE(c.once);

  applyEnvironment(c, {{"CERTCTL_SERVER_URL", "https://ca.example.com:9443/certctl"},
                       {"CERTCTL_API_KEY", "k"},
                       {"CERTCTL_AGENT_ID", "a-edge-1"},
                       {"CERTCTL_AGENT_NAME", "edge 1"},
                       {"CERTCTL_KEY_DIR", "/tmp/keys"},
                       {"CERTCTL_CA_BUNDLE", "/tmp/ca.crt"},
                       {"CERTCTL_AGENT_POLL_INTERVAL", "1m30s"},
                       {"CERTCTL_AGENT_HEARTBEAT_INTERVAL", "15"},
                       {"CERTCTL_PLUGIN_DIR", "/opt/plugins"},
                       {"CERTCTL_DISCOVERY_DIRS", " /etc/ssl , /srv/certs,,"},
                       {"CERTCTL_LOG_LEVEL", "DEBUG"},
                       {"UNRELATED", "x"}});
  CHECK(c.serverUrl == "https://ca.example.com:9443/certctl");
  CHECK(c.agentId == "a-edge-1");
  CHECK(c.agentName == "edge 1");
  CHECK(c.keyDir == "/tmp/keys");
  CHECK(c.caBundle == "/tmp/ca.crt");
  CHECK(c.pollInterval == std::chrono::seconds(90));
  CHECK(c.heartbeatInterval == std::chrono::seconds(15));
  CHECK(c.pluginDir == "/opt/plugins");
  CHECK(c.discoveryDirs == std::vector<std::string>{"/etc/ssl", "/srv/certs"});
  CHECK(c.logLevel == "debug");
  CHECK_NOTHROW(validate(c));

  applySetting(c, "CERTCTL_AGENT_POLL_INTERVAL", "5s");  // a flag after the environment
  CHECK(c.pollInterval == std::chrono::seconds(5));
}

TEST_CASE("agent config: bad settings name the variable") {
  auto refusal = [](const std::string& name, const std::string& value) {
    AgentConfig c;
    c.apiKey = "k";
    try {
      applySetting(c, name, value);
      validate(c);
    } catch (const AgentConfigError& e) {
      return e.variable();
    }
    return std::string("(accepted)");
  };
  CHECK(refusal("CERTCTL_AGENT_POLL_INTERVAL", "often") == "CERTCTL_AGENT_POLL_INTERVAL");
  CHECK(refusal("CERTCTL_AGENT_POLL_INTERVAL", "0s") == "CERTCTL_AGENT_POLL_INTERVAL");
  CHECK(refusal("CERTCTL_AGENT_HEARTBEAT_INTERVAL", "-5s") == "CERTCTL_AGENT_HEARTBEAT_INTERVAL");
  CHECK(refusal("CERTCTL_SERVER_URL", "ftp://x") == "CERTCTL_SERVER_URL");
  CHECK(refusal("CERTCTL_SERVER_URL", "localhost:8443") == "CERTCTL_SERVER_URL");
  CHECK(refusal("CERTCTL_AGENT_ID", "../../etc/passwd") == "CERTCTL_AGENT_ID");
  CHECK(refusal("CERTCTL_AGENT_ID", ".hidden") == "CERTCTL_AGENT_ID");
  CHECK(refusal("CERTCTL_KEY_DIR", "") == "CERTCTL_KEY_DIR");
  CHECK(refusal("CERTCTL_LOG_LEVEL", "loud") == "CERTCTL_LOG_LEVEL");
  CHECK(refusal("CERTCTL_API_KEY", "") == "CERTCTL_API_KEY");
  AgentConfig plain;
  plain.apiKey = "k";
  plain.serverUrl = "http://127.0.0.1:8080";
  plain.caBundle = "/tmp/ca.crt";  // a CA bundle for plain HTTP is a mistake
  CHECK_THROWS_AS(validate(plain), AgentConfigError);
  CHECK(refusal("CERTCTL_AGENT_ID", "a-edge_1.prod") == "(accepted)");
}

TEST_CASE("agent ids double as file names only when safe") {
  CHECK(isValidId("mc-web-1234"));
  CHECK(isValidId("a.b_c-d"));
  CHECK_FALSE(isValidId(""));
  CHECK_FALSE(isValidId("../x"));
  CHECK_FALSE(isValidId("a/b"));
  CHECK_FALSE(isValidId("-a"));
  CHECK_FALSE(isValidId(std::string(129, 'a')));
}

TEST_CASE("agent backoff doubles from 1 s to a 5 min cap and resets on success") {
  Backoff b;
  using std::chrono::milliseconds;
  CHECK(b.failure() == milliseconds(1000));
  CHECK(b.failure() == milliseconds(2000));
  CHECK(b.failure() == milliseconds(4000));
  for (int i = 0; i < 20; ++i) b.failure();
  CHECK(b.failure() == std::chrono::minutes(5));
  CHECK(b.failures() == 24);
  b.success();
  CHECK(b.failures() == 0);
  CHECK(b.failure() == milliseconds(1000));
}

TEST_CASE("agent metadata uses Go's architecture names") {
  CHECK(goArchitecture("x86_64") == "amd64");
  CHECK(goArchitecture("aarch64") == "arm64");
  CHECK(goArchitecture("i686") == "386");
  CHECK(goArchitecture("armv7l") == "arm");
  CHECK(goArchitecture("mips") == "mips");
  auto info = systemInfo();
  CHECK_FALSE(info.os.empty());
  CHECK_FALSE(info.architecture.empty());
  CHECK_FALSE(info.hostname.empty());
}
