// An SDK issuer whose code throws: the SDK must catch everything at the
// boundary and report a status + message instead.
#include <stdexcept>
#include <string>

#include "sdk/plugin/plugin.h"

namespace {

using nlohmann::json;

class ThrowingIssuer : public certctl::sdk::Issuer {
 public:
  explicit ThrowingIssuer(const json& config) {
    if (config.value("throw_in_create", false)) throw std::logic_error("boom in the constructor");
  }

  json issue(const json&) override { throw std::runtime_error("boom from issue"); }
  json renew(const json&) override { throw 42; }
  json revoke(const json& request) override {
    return {{"n", request.at("serial").get<int>()}};  // a string serial: json type_error
  }
  json getCaChain(const json&) override {
    throw certctl::sdk::PluginError::retryable("CA is restarting, try again");
  }
  json testConnection(const json&) override { return json::array({1, 2}); }
};

}  // namespace

CERTCTL_EXPORT_ISSUER(ThrowingIssuer, "test-throws", "0.0.1", R"({"type": "object"})")
