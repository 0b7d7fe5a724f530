// certctl-agent: makes keys and CSRs on this host, deploys certificates with
// target plugins and proves the live endpoint serves them (agent.h).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <iostream>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "certctl/build_info.h"
#include "core/config/logging.h"

namespace {

std::atomic<bool> stopRequested{false};

extern "C" void onSignal(int) { stopRequested = true; }

}  // namespace

int main(int argc, char** argv) {
  using certctl::agent::AgentConfig;
  using certctl::agent::AgentConfigError;

  CLI::App cli{
      "certctl-agent: generates private keys and CSRs locally, fetches the signed\n"
      "certificates from certctl-server, deploys them with target plugins and\n"
      "verifies the live endpoint. Settings come from CERTCTL_* environment\n"
      "variables; the flags below override them."};
  // Flag name -> variable; flags are applied after the environment.
  struct FlagSetting {
    const char* flag;
    const char* variable;
    std::string value;
  };
  FlagSetting flags[] = {
      {"--server-url", "CERTCTL_SERVER_URL", {}},
      {"--api-key", "CERTCTL_API_KEY", {}},
      {"--agent-id", "CERTCTL_AGENT_ID", {}},
      {"--agent-name", "CERTCTL_AGENT_NAME", {}},
      {"--key-dir", "CERTCTL_KEY_DIR", {}},
      {"--ca-bundle", "CERTCTL_CA_BUNDLE", {}},
      {"--poll-interval", "CERTCTL_AGENT_POLL_INTERVAL", {}},
      {"--heartbeat-interval", "CERTCTL_AGENT_HEARTBEAT_INTERVAL", {}},
      {"--plugin-dir", "CERTCTL_PLUGIN_DIR", {}},
      {"--discovery-dirs", "CERTCTL_DISCOVERY_DIRS", {}},
      {"--discovery-interval", "CERTCTL_DISCOVERY_INTERVAL", {}},
      {"--log-level", "CERTCTL_LOG_LEVEL", {}},
      {"--log-format", "CERTCTL_LOG_FORMAT", {}},
  };
  for (auto& f : flags) cli.add_option(f.flag, f.value, std::string("same as ") + f.variable);
  bool once = false;
  cli.add_flag("--once", once,
               "run one cycle (register, heartbeat, do the pending work), then exit");
  cli.set_version_flag("--version", certctl::build::kVersion);
  std::string footer = "\nEnvironment variables:\n";
  for (const auto& v : certctl::agent::agentVariables())
    footer +=
        "  " + std::string(v.name) + " (default " + v.defaultText + ")\n      " + v.help + "\n";
  cli.footer(footer);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);
    return rc == 0 ? 0 : 2;
  }

  AgentConfig config;
  try {
    certctl::agent::applyEnvironment(config, certctl::agent::certctlEnvironment());
    for (const auto& f : flags)
      if (!f.value.empty()) certctl::agent::applySetting(config, f.variable, f.value);
    config.once = once;
    certctl::agent::validate(config);
  } catch (const AgentConfigError& e) {
    std::cerr << "certctl-agent: invalid configuration: " << e.what() << "\n";
    return 2;
  }
  certctl::config::setupLogging(config.logLevel, config.logFormat);

  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    certctl::agent::Agent agent(config, stopRequested);
    return agent.run();
  } catch (const std::exception& e) {
    spdlog::critical("certctl-agent failed to start: {}", e.what());
    return 1;
  }
}
