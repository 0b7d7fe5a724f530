// The script issuer plugin against a stub run_lua_hook: what the plugin asks
// the host for, and what it refuses before any hook runs.
#include <catch2/catch.hpp>

#include <vector>

#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_host.h"

using namespace certctl::plugins;
using nlohmann::json;

namespace {

struct ScriptIssuerHost {
  std::vector<json> calls;
  json answer = {{"result", json::object()}};
  PluginHost host;

  ScriptIssuerHost() : host(options()) { REQUIRE(host.loadFile(CERTCTL_SCRIPT_ISSUER_PLUGIN)); }

  PluginHostOptions options() {
    PluginHostOptions o;
    o.services.runLuaHook = [this](const json& request) {
      calls.push_back(request);
      return answer;
    };
    return o;
  }
  std::unique_ptr<IssuerPlugin> issuer() {
    return host.createIssuer("OpenSSL", {{"sign_script", "ca/openssl-ca.lua"},
                                         {"revoke_script", "ca/openssl-ca.lua"},
                                         {"timeout_seconds", 7},
                                         {"script_args", {{"ca_dir", "/srv/ca"}}}});
  }
};

}  // namespace

TEST_CASE("script issuer: revoke validates serial and reason before the hook", "[plugins]") {
  ScriptIssuerHost h;
  auto issuer = h.issuer();
  for (const json& bad :
       {json{{"serial", "12; rm -rf /"}, {"reason", "keyCompromise"}}, json{{"serial", "$(id)"}},
        json{{"serial", ""}}, json{{"serial", "0A1B"}, {"reason", "because; reboot"}},
        json{{"reason", "keyCompromise"}}}) {
    INFO(bad.dump());
    try {
      issuer->revoke(bad);
      FAIL("accepted");
    } catch (const PluginCallError& e) {
      CHECK(e.status() == CERTCTL_REJECTED);
    }
  }
  CHECK(h.calls.empty());

  issuer->revoke({{"serial", "0a:1b:FF"}, {"reason", "key_compromise"}});
  REQUIRE(h.calls.size() == 1);
  CHECK(h.calls[0]["hook"] == "ca/openssl-ca.lua");
  CHECK(h.calls[0]["function"] == "revoke");
  CHECK(h.calls[0]["timeout_seconds"] == 7);
  CHECK(h.calls[0]["args"]["serial"] == "0A1BFF");
  CHECK(h.calls[0]["args"]["reason"] == "keyCompromise");
  CHECK(h.calls[0]["args"]["reason_code"] == 1);
  CHECK(h.calls[0]["args"]["config"]["ca_dir"] == "/srv/ca");
}

TEST_CASE("script issuer: config is validated", "[plugins]") {
  ScriptIssuerHost h;
  for (const json& bad :
       {json::object(), json{{"sign_script", "../x.lua"}}, json{{"sign_script", "/etc/x.lua"}},
        json{{"sign_script", "ca/x.lua"}, {"timeout_seconds", 0}},
        json{{"sign_script", "ca/x.lua"}, {"script_args", "x"}}}) {
    INFO(bad.dump());
    CHECK_THROWS_AS(h.host.validateConfig(PluginKind::Issuer, "OpenSSL", bad), PluginCallError);
  }
}

TEST_CASE("script issuer: a script without a certificate is a clean error", "[plugins]") {
  ScriptIssuerHost h;
  auto issuer = h.issuer();
  h.answer = {{"result", {{"certificate_pem", "not a certificate"}}}};
  try {
    issuer->issue({{"common_name", "x.test"}, {"csr_pem", "csr"}, {"max_ttl_seconds", 3600}});
    FAIL("issued");
  } catch (const PluginCallError& e) {
    CHECK(e.status() == CERTCTL_INTERNAL);
    CHECK_THAT(e.what(), Catch::Contains("certificate_pem"));
  }
  REQUIRE(h.calls.size() == 1);
  CHECK(h.calls[0]["function"] == "sign");
  CHECK(h.calls[0]["args"]["ttl_seconds"] == 3600);
  CHECK_THROWS_AS(issuer->generateCrl({{"revoked", json::array()}}), PluginCallError);
}
