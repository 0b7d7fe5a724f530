// The shipped RFC 2136 dns-01 hook (scripts/lua/dns/rfc2136.lua) run by the
// real Lua runtime against a real BIND `named` started by the test: present
// adds the TXT record (checked with dig), cleanup removes exactly that value,
// and values that could smuggle a second nsupdate command are refused before
// nsupdate runs. A wrong TSIG secret fails without the secret in the error.
#include <stdlib.h>
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "certctl/build_info.h"
#include "core/lua/lua_error.h"
#include "core/lua/lua_runtime.h"
#include "tests/integration_acme/named_server.h"
#include "tests/support/test_database.h"

using certctl::lua::LuaError;
using certctl::testing::TempDir;
using certctl::testing::dns::digTxt;
using certctl::testing::dns::NamedServer;
using nlohmann::json;

namespace {

// CERTCTL_DNS_RFC2136_* for the hook (certctl.env reads the process
// environment), removed again at the end of the test.
class HookEnv {
 public:
  explicit HookEnv(const std::map<std::string, std::string>& vars) {
    for (const auto& [name, value] : vars) {
      ::setenv(name.c_str(), value.c_str(), 1);
      names_.push_back(name);
    }
  }
  ~HookEnv() {
    for (const auto& name : names_) ::unsetenv(name.c_str());
  }

 private:
  std::vector<std::string> names_;
};

std::map<std::string, std::string> envFor(const NamedServer& named) {
  return {{"CERTCTL_DNS_RFC2136_SERVER", "127.0.0.1"},
          {"CERTCTL_DNS_RFC2136_PORT", std::to_string(named.port())},
          {"CERTCTL_DNS_RFC2136_ZONE", named.zone()},
          {"CERTCTL_DNS_RFC2136_KEY_NAME", named.keyName()},
          {"CERTCTL_DNS_RFC2136_KEY_SECRET", named.keySecret()}};
}

json callHook(const std::string& function, const std::string& fqdn, const std::string& value) {
  certctl::lua::LuaSettings settings;
  settings.hookDir = std::filesystem::path(certctl::build::kSourceDir) / "scripts/lua";
  settings.wallClockBudget = std::chrono::seconds(40);
  return certctl::lua::LuaRuntime(settings).run(
      {"dns/rfc2136.lua", function,
       json{{"CERTCTL_DNS_DOMAIN", fqdn.substr(fqdn.find('.') + 1)},
            {"CERTCTL_DNS_FQDN", fqdn},
            {"CERTCTL_DNS_VALUE", value},
            {"CERTCTL_DNS_TOKEN", "token-1"}},
       std::nullopt});
}

LuaError::Kind failureOf(const std::string& function, const std::string& fqdn,
                         const std::string& value, std::string* message = nullptr) {
  try {
    callHook(function, fqdn, value);
  } catch (const LuaError& e) {
    if (message != nullptr) *message = e.what();
    return e.kind();
  }
  FAIL("the hook succeeded");
  return LuaError::Kind::Failed;
}

const std::string kName = "_acme-challenge.x.example.test";

}  // namespace

TEST_CASE("rfc2136 hook: present and cleanup update a real named", "[acme][dns][rfc2136]") {
  TempDir dir;
  NamedServer named(dir.path() / "named", "example.test.");
  HookEnv env(envFor(named));

  REQUIRE(digTxt(named.port(), kName).empty());
  callHook("present", kName, "first-value_A");
  CHECK(digTxt(named.port(), kName) == std::vector<std::string>{"first-value_A"});
  // A wildcard and its base name share the record name: both values live.
  callHook("present", kName, "second-value_B");
  CHECK(digTxt(named.port(), kName).size() == 2);
  callHook("cleanup", kName, "first-value_A");
  CHECK(digTxt(named.port(), kName) == std::vector<std::string>{"second-value_B"});
  callHook("cleanup", kName, "second-value_B");
  CHECK(digTxt(named.port(), kName).empty());
}

TEST_CASE("rfc2136 hook: refuses injected lines, foreign zones, a wrong key",
          "[acme][dns][rfc2136]") {
  TempDir dir;
  NamedServer named(dir.path() / "named", "example.test.");
  auto vars = envFor(named);

  {
    HookEnv env(vars);
    // A line break would start a second nsupdate command: refused up front.
    CHECK(failureOf("present", kName + "\nupdate delete example.test. NS", "v") ==
          LuaError::Kind::Rejected);
    CHECK(failureOf("present", kName, "v\"\nupdate delete example.test. NS") ==
          LuaError::Kind::Rejected);
    CHECK(failureOf("present", kName + " 60 TXT x", "v") == LuaError::Kind::Rejected);
    CHECK(failureOf("present", "_acme-challenge.example.org", "v") == LuaError::Kind::Rejected);
    CHECK(digTxt(named.port(), "example.test").empty());
  }
  {
    vars["CERTCTL_DNS_RFC2136_SERVER"] = "127.0.0.1\nupdate delete example.test. NS";
    HookEnv env(vars);
    CHECK(failureOf("present", kName, "v") == LuaError::Kind::Rejected);
  }
  {
    // A secret named refuses (valid base64, not the key): nsupdate's failure,
    // with no secret in the message.
    const std::string wrongSecret = "d3JvbmctdHNpZy1zZWNyZXQtZm9yLXRoZS10ZXN0Cg==";
    vars["CERTCTL_DNS_RFC2136_SERVER"] = "127.0.0.1";
    vars["CERTCTL_DNS_RFC2136_KEY_SECRET"] = wrongSecret;
    HookEnv env(vars);
    std::string message;
    CHECK(failureOf("present", kName, "value", &message) == LuaError::Kind::Failed);
    INFO(message);
    CHECK(message.find("nsupdate failed") != std::string::npos);
    CHECK(message.find(wrongSecret) == std::string::npos);
    CHECK(digTxt(named.port(), kName).empty());
  }
}
