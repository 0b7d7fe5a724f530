// The well-behaved test issuer, built with the C++ SDK: its results are
// derived from its config and request, so tests can see both crossed intact.
#include <atomic>
#include <string>

#include "sdk/plugin/plugin.h"

namespace {

using certctl::sdk::LogLevel;
using certctl::sdk::PluginError;
using nlohmann::json;

std::atomic<int> liveInstances{0};

class EchoIssuer : public certctl::sdk::Issuer {
 public:
  explicit EchoIssuer(const json& config) : prefix_(config.value("prefix", "echo")) {
    if (config.value("refuse", false))
      throw PluginError::invalidConfig("refuse is set: this config is refused");
    ++liveInstances;
  }
  ~EchoIssuer() override { --liveInstances; }

  static void validateConfig(const json& config) {
    if (config.contains("prefix") && !config["prefix"].is_string())
      throw PluginError::invalidConfig("prefix must be a string");
  }
  static void moduleInit() { certctl::sdk::log(LogLevel::Info, "test-echo module init"); }
  static void moduleTeardown() { certctl::sdk::log(LogLevel::Info, "test-echo module teardown"); }

  json issue(const json& request) override {
    if (request.contains("log"))
      certctl::sdk::log(LogLevel::Warn, request["log"].get<std::string>());
    json result = {{"prefix", prefix_},
                   {"echo", request},
                   {"serial", prefix_ + "-" + request.value("common_name", std::string("none"))},
                   {"host_version", certctl::sdk::productVersion()}};
    if (request.contains("count")) result["count"] = request.at("count").get<int>() + 1;
    if (request.contains("secret"))
      result["secret"] = certctl::sdk::readSecret(request["secret"].get<std::string>())["value"];
    if (request.contains("lookup"))
      result["lookup"] =
          certctl::sdk::lookupCertificateBySerial(request["lookup"].get<std::string>());
    return result;
  }
  json renew(const json& request) override {
    auto result = issue(request);
    result["renewed"] = true;
    return result;
  }
  json revoke(const json& request) override { return {{"revoked", request.at("serial")}}; }
  json getCaChain(const json&) override { return {{"chain_pem", prefix_ + "-chain"}}; }
  json testConnection(const json&) override {
    return {{"ok", true}, {"live_instances", liveInstances.load()}};
  }
  // getOrderStatus, generateCrl, signOcsp: not overridden, so not advertised.

 private:
  std::string prefix_;
};

}  // namespace

CERTCTL_EXPORT_ISSUER(EchoIssuer, "test-echo", "1.2.3",
                      R"({"type": "object", "properties": {"prefix": {"type": "string"}}})")
