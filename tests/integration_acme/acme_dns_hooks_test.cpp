// dns-01 as an operator runs it: a real certctl-server whose Lua runtime
// runs the shipped scripts/lua/dns/challtestsrv.lua against a real Pebble
// and pebble-challtestsrv. A REST-created ACME issuer issues a wildcard
// certificate into the inventory and the cleanup hook removes the TXT
// record; a present hook that never ends fails its job cleanly while the
// server keeps answering.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "certctl/build_info.h"
#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/integration_acme/named_server.h"
#include "tests/integration_acme/pebble.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using certctl::testing::acme::Pebble;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

ServerProcessOptions serverWithHooks(const Pebble& pebble, const fs::path& hookDir) {
  return keygen("server", {{"CERTCTL_LUA_HOOK_DIR", hookDir.string()},
                           {"CERTCTL_LUA_TIMEOUT", "20s"},
                           {"CERTCTL_LUA_HTTP_ALLOW_LOOPBACK", "true"},
                           {"CERTCTL_DNS_CHALLTESTSRV_URL", pebble.challtestsrvUrl()}});
}

std::string createDnsIssuer(ServerProcess& server, const Pebble& pebble, const std::string& hook) {
  auto r = server.post("/api/v1/issuers", {{"name", "Pebble dns-01"},
                                           {"type", "ACME"},
                                           {"config",
                                            {{"directory_url", pebble.directoryUrl()},
                                             {"email", "ops@example.com"},
                                             {"challenge_type", "dns-01"},
                                             {"dns_present_script", hook},
                                             {"dns_cleanup_script", hook},
                                             {"ca_bundle_path", pebble.caBundle().string()},
                                             {"poll_timeout_seconds", 60}}}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json()["id"];
}

}  // namespace

TEST_CASE("ACME/Pebble via certctl-server: dns-01 through the shipped challtestsrv Lua hook",
          "[acme][pebble][server][dns]") {
  TempDir work;
  Pebble pebble(work.path() / "pebble");
  ServerProcess server(
      serverWithHooks(pebble, fs::path(certctl::build::kSourceDir) / "scripts/lua"));
  const std::string issuerId = createDnsIssuer(server, pebble, "dns/challtestsrv.lua");
  // A stale value the cleanup hook has to clear (and proof that dig sees the records).
  const std::string challenge = "_acme-challenge.dns.acme.test";
  pebble.setTxt(challenge, "stale");
  REQUIRE(dns::digTxt(pebble.dnsPort(), challenge) == std::vector<std::string>{"stale"});

  json created =
      createCertificate(server, "acme-dns", "dns.acme.test",
                        {{"issuer_id", issuerId}, {"sans", {"dns.acme.test", "*.dns.acme.test"}}});
  const std::string id = created["id"];
  const json version = waitForFirstVersion(server, id, issuerId);
  const std::string leaf = version["pem_chain"];
  const std::string sans = opensslX509(work.path(), leaf, {"-ext", "subjectAltName"});
  CHECK_THAT(sans, Catch::Matchers::Contains("DNS:*.dns.acme.test"));
  CHECK_THAT(sans, Catch::Matchers::Contains("DNS:dns.acme.test"));
  // The cleanup hook cleared the record at challtestsrv.
  CHECK(dns::digTxt(pebble.dnsPort(), challenge).empty());
}

TEST_CASE("ACME/Pebble via certctl-server: a dns-01 hook that never ends fails its job",
          "[acme][pebble][server][dns]") {
  TempDir work;
  Pebble pebble(work.path() / "pebble");
  fs::create_directories(work.path() / "hooks/dns");
  std::ofstream(work.path() / "hooks/dns/loop.lua")
      << "function present(args) while true do end end\nfunction cleanup(args) end\n";
  ServerProcess server(serverWithHooks(pebble, work.path() / "hooks"));
  const std::string issuerId = createDnsIssuer(server, pebble, "dns/loop.lua");

  json cert = createCertificate(server, "acme-loop", "loop.acme.test", {{"issuer_id", issuerId}});
  CHECK(server.get("/health").status == 200);
  json job = waitForJob(server, cert["id"], "Failed");
  const std::string error = job["last_error"];
  CHECK_THAT(error, Catch::Matchers::Contains("dns/loop.lua"));
  CHECK_THAT(error, Catch::Matchers::Contains("hook exceeded its"));
  CHECK(server.get("/health").status == 200);
}
