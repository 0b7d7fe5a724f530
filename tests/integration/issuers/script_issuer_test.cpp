// The script issuer ("OpenSSL", alias "script") on the real server: the
// shipped scripts/lua/ca/openssl-ca.lua signs through `openssl x509 -req`
// run by certctl.exec, the result verifies with `openssl verify`, revocation
// hands the script the validated serial, and a hook that never ends fails
// its job cleanly while the server keeps answering.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "certctl/build_info.h"
#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/support/process.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A hook directory with the shipped CA script and a runaway one, and a CA.
struct ScriptCaSetup {
  TempDir hooks;
  TempDir ca;

  ScriptCaSetup() {
    fs::create_directories(hooks.path() / "ca");
    fs::copy_file(fs::path(certctl::build::kSourceDir) / "scripts/lua/ca/openssl-ca.lua",
                  hooks.path() / "ca/openssl-ca.lua");
    std::ofstream(hooks.path() / "ca/loop.lua") << "function sign(args) while true do end end\n";
    auto made = runProcess({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=Script Test CA",
                            "-days", "30", "-keyout", (ca.path() / "ca.key").string(), "-out",
                            (ca.path() / "ca.crt").string()});
    INFO(made.output);
    REQUIRE(made.exitCode == 0);
  }
  ServerProcessOptions options() const {
    return keygen("server", {{"CERTCTL_LUA_HOOK_DIR", hooks.path().string()},
                             {"CERTCTL_LUA_TIMEOUT", "20s"},
                             {"CERTCTL_LUA_HTTP_ALLOW_LOOPBACK", "true"}});
  }
};

std::string createIssuer(ServerProcess& server, const std::string& name, const json& config) {
  auto r = server.post("/api/v1/issuers", {{"name", name}, {"type", "script"}, {"config", config}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json()["id"];
}

std::string readText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("script issuer: openssl-ca.lua issues a verifiable certificate and revokes it",
          "[issuers][lua]") {
  ScriptCaSetup setup;
  ServerProcess server(setup.options());
  std::string issuerId = createIssuer(server, "OpenSSL CA",
                                      {{"sign_script", "ca/openssl-ca.lua"},
                                       {"revoke_script", "ca/openssl-ca.lua"},
                                       {"timeout_seconds", 20},
                                       {"validity_days", 30},
                                       {"script_args", {{"ca_dir", setup.ca.path().string()}}}});

  json cert = createCertificate(server, "scripted", "app.example.test",
                                {{"issuer_id", issuerId}, {"sans", {"app.example.test"}}});
  waitForJob(server, cert["id"], "Completed");
  json version = versionsOf(server, cert["id"])[0];
  std::string chain = version["pem_chain"];
  TempDir work;
  auto verify = opensslVerify(work.path(), setup.ca.path() / "ca.crt", chain);
  INFO(verify.output);
  CHECK(verify.exitCode == 0);
  CHECK(opensslX509(work.path(), chain, {"-ext", "subjectAltName"}).find("DNS:app.example.test") !=
        std::string::npos);

  auto revoked = server.post("/api/v1/certificates/" + cert["id"].get<std::string>() + "/revoke",
                             {{"reason", "keyCompromise"}});
  INFO(revoked.body);
  CHECK(revoked.status == 200);
  std::string serial = version["serial_number"];
  CHECK(readText(setup.ca.path() / "revoked.txt").find(serial + " keyCompromise") !=
        std::string::npos);
}

TEST_CASE("script issuer: a hook that never ends fails its job, the server stays up",
          "[issuers][lua]") {
  ScriptCaSetup setup;
  ServerProcess server(setup.options());
  std::string issuerId = createIssuer(server, "Runaway CA", {{"sign_script", "ca/loop.lua"}});
  json cert = createCertificate(server, "runaway", "loop.example.test", {{"issuer_id", issuerId}});
  CHECK(server.get("/health").status == 200);
  json job = waitForJob(server, cert["id"], "Failed");
  CHECK_THAT(job["last_error"].get<std::string>(),
             Catch::Matchers::Contains("hook exceeded its instruction budget"));
  CHECK(job["attempts"] == 1);  // a spent budget is a refusal, not retried
  CHECK(server.get("/health").status == 200);
}

TEST_CASE("script issuer: bad hook names are refused when the issuer is saved", "[issuers][lua]") {
  ScriptCaSetup setup;
  ServerProcess server(setup.options());
  for (const char* bad : {"../ca/openssl-ca.lua", "/etc/passwd", "ca/openssl-ca.sh"}) {
    auto r = server.post("/api/v1/issuers",
                         {{"name", "bad"}, {"type", "script"}, {"config", {{"sign_script", bad}}}});
    INFO(bad << " " << r.body);
    CHECK(r.status == 400);
  }
}
