// One small SDK plugin per non-issuer kind, chosen by TEST_KIND_* at build
// time, so every export macro is exercised through the real loader.
#include <string>

#include "sdk/plugin/plugin.h"

namespace {

using nlohmann::json;

#if defined(TEST_KIND_TARGET)
class EchoTarget : public certctl::sdk::Target {
 public:
  explicit EchoTarget(const json& config) : address_(config.value("address", "localhost")) {}
  json deploy(const json& request) override {
    return {{"success", true},
            {"target_address", address_},
            {"deployment_id", "d-" + request.value("certificate_id", std::string())}};
  }
  // validateDeployment not overridden: advertised as unsupported.

 private:
  std::string address_;
};
}  // namespace
CERTCTL_EXPORT_TARGET(EchoTarget, "test-target", "2.0.0", R"({"type": "object"})")

#elif defined(TEST_KIND_NOTIFIER)
class CountingNotifier : public certctl::sdk::Notifier {
 public:
  CountingNotifier() = default;  // no config needed
  json send(const json& request) override {
    if (request.value("subject", std::string()).empty())
      throw certctl::sdk::PluginError::rejected("subject is required");
    return {{"message_id", "m-" + std::to_string(++sent_)}};
  }

 private:
  int sent_ = 0;  // not synchronised: the plugin asks to be single-threaded
};
}  // namespace
CERTCTL_EXPORT_NOTIFIER_EX(CountingNotifier, "test-notifier", "3.0.0", R"({"type": "object"})",
                           CERTCTL_PLUGIN_SINGLE_THREADED, 0u)

#elif defined(TEST_KIND_DISCOVERY)
class ListDiscovery : public certctl::sdk::Discovery {
 public:
  explicit ListDiscovery(const json& config) : paths_(config.value("paths", json::array())) {}
  json scan(const json&) override {
    json found = json::array();
    for (const auto& p : paths_) found.push_back({{"location", p}, {"source", "test"}});
    return {{"certificates", found}, {"errors", json::array()}};
  }

 private:
  json paths_;
};
}  // namespace
CERTCTL_EXPORT_DISCOVERY(ListDiscovery, "test-discovery", "4.0.0", R"({"type": "object"})")

#else
#error "define TEST_KIND_TARGET, TEST_KIND_NOTIFIER or TEST_KIND_DISCOVERY"
#endif
