// SCEP's mTLS sibling route /scep-mtls/<pathID> (docs/scep.md), driven by
// curl and openssl: the docs recipe with a client certificate of the
// profile's bundle, the refusals (no certificate, another CA), the SCEP
// handler reached behind the gate, and the bundle reloaded on SIGHUP (a bad
// file keeps the old one).
#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/integration/protocols/doc_recipes.h"
#include "tests/integration/protocols/est_test_util.h"
#include "tests/integration/server/server_test_util.h"

using namespace certctl::testing;
using namespace certctl::testing::est;
using certctl::testing::protocols::docRecipes;
using certctl::testing::protocols::runDocRecipe;

namespace {

using namespace std::chrono_literals;

std::vector<std::string> withCert(const fs::path& d, const std::string& name) {
  return {"--cert", (d / (name + ".crt")).string(), "--key", (d / (name + ".key")).string()};
}

// certctl-server started with `env` (and `args`) where it is expected to
// refuse the start: its exit status and output.
ProcessResult runServerExpectingExit(std::map<std::string, std::string> env,
                                     const std::vector<std::string>& args = {}) {
  TempDir data;
  env["CERTCTL_SERVER_HOST"] = "127.0.0.1";
  env["CERTCTL_SERVER_PORT"] = std::to_string(freeLoopbackPort());
  env["CERTCTL_DATA_DIR"] = (data.path() / "data").string();
  std::vector<std::string> argv = {server::serverBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = runProcess(argv, server::isolatedEnvironment(env), 20s);
  INFO(result.output);
  return result;
}

// The server settings of one SCEP profile "corp" with the mTLS route, its
// CA and RA made by the docs recipe in `d`, its client CA bundle `bundle`.
std::map<std::string, std::string> corpWithMtls(const fs::path& d, const fs::path& bundle) {
  return {{"CERTCTL_CA_CERT_PATH", (d / "ca.pem").string()},
          {"CERTCTL_CA_KEY_PATH", (d / "ca.key").string()},
          {"CERTCTL_SCEP_ENABLED", "true"},
          {"CERTCTL_SCEP_PROFILES", "corp"},
          {"CERTCTL_SCEP_PROFILE_CORP_ISSUER_ID", "iss-local"},
          {"CERTCTL_SCEP_PROFILE_CORP_CHALLENGE_PASSWORD", "corp-challenge-secret"},
          {"CERTCTL_SCEP_PROFILE_CORP_RA_CERT_PATH", (d / "ra.pem").string()},
          {"CERTCTL_SCEP_PROFILE_CORP_RA_KEY_PATH", (d / "ra.key").string()},
          {"CERTCTL_SCEP_PROFILE_CORP_MTLS_ENABLED", "true"},
          {"CERTCTL_SCEP_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH", bundle.string()}};
}

}  // namespace

TEST_CASE("SCEP mTLS: /scep-mtls/<pathID> serves only client certificates of its bundle",
          "[protocols][scep]") {
  TempDir dir;
  const fs::path d = dir.path();
  runDocRecipe(docRecipes("scep.md"), "scep-ca-and-ra", d, {});
  makeCa(d, "devices", "/CN=Device CA", true);
  makeCa(d, "other", "/CN=Other CA", true);
  makeClientCert(d, "devices", "device", "/CN=device-1");
  makeClientCert(d, "other", "stranger", "/CN=stranger-1");
  fs::copy_file(d / "devices.crt", d / "corp-trust.pem");

  ServerProcessOptions options;
  options.env = corpWithMtls(d, d / "corp-trust.pem");
  ServerProcess server(options);
  const std::string caps = "/scep-mtls/corp?operation=GetCACaps";

  // The docs recipe, verbatim, with the device certificate.
  fs::copy_file(server.caFile(), d / "server-ca.pem");
  auto recipe = runDocRecipe(docRecipes("scep.md"), "scep-mtls", d,
                             {{"SCEP_MTLS_URL", server.baseUrl() + "/scep-mtls/corp"}});
  CHECK(recipe.output.find("SCEPStandard") != std::string::npos);
  CHECK(recipe.output.find("subject=CN = Example SCEP RA") != std::string::npos);
  CHECK(recipe.output.find("subject=CN = Example SCEP CA") != std::string::npos);

  // No certificate, or one of another CA: 403 before SCEP is looked at.
  auto none = curl(server, d, "GET", caps);
  CHECK(none.status == 403);
  CHECK(none.body.find("no client certificate") != std::string::npos);
  auto stranger = curl(server, d, "GET", caps, withCert(d, "stranger"));
  CHECK(stranger.status == 403);
  CHECK(server.log().find("SCEP /scep-mtls/corp from 127.0.0.1 refused") != std::string::npos);
  // The plain route stays open to devices without a certificate.
  CHECK(curl(server, d, "GET", "/scep/corp?operation=GetCACaps").status == 200);

  // Behind the gate the SCEP handler answers: a PKIOperation that is no
  // pkiMessage is its 400, not the gate's 403.
  std::ofstream(d / "junk.der") << "not a pkiMessage";
  const std::vector<std::string> post = {"-H", "Content-Type: application/x-pki-message",
                                         "--data-binary", "@" + (d / "junk.der").string()};
  auto withoutCert = curl(server, d, "POST", "/scep-mtls/corp?operation=PKIOperation", post);
  CHECK(withoutCert.status == 403);
  std::vector<std::string> postWithCert = withCert(d, "device");
  postWithCert.insert(postWithCert.end(), post.begin(), post.end());
  auto handled = curl(server, d, "POST", "/scep-mtls/corp?operation=PKIOperation", postWithCert);
  CHECK(handled.status == 400);
  CHECK(handled.body.rfind("SCEP: ", 0) == 0);
  CHECK(handled.body.find("client certificate") == std::string::npos);

  // SIGHUP re-reads the bundle: now the other CA's certificates are in.
  fs::copy_file(d / "other.crt", d / "corp-trust.pem", fs::copy_options::overwrite_existing);
  REQUIRE(kill(server.pid(), SIGHUP) == 0);
  CHECK(lifecycle::eventually(
      [&] { return curl(server, d, "GET", caps, withCert(d, "stranger")).status == 200; }));
  CHECK(curl(server, d, "GET", caps, withCert(d, "device")).status == 403);

  // A bundle that cannot be parsed keeps the one in use.
  std::ofstream(d / "corp-trust.pem", std::ios::trunc) << "not PEM\n";
  REQUIRE(kill(server.pid(), SIGHUP) == 0);
  CHECK(lifecycle::eventually(
      [&] { return server.log().find("not reloaded, the old one stays") != std::string::npos; }));
  CHECK(curl(server, d, "GET", caps, withCert(d, "stranger")).status == 200);
}

TEST_CASE("SCEP mTLS: an unusable trust bundle or plain HTTP refuses the start",
          "[protocols][scep]") {
  TempDir dir;
  const fs::path d = dir.path();
  runDocRecipe(docRecipes("scep.md"), "scep-ca-and-ra", d, {});
  std::ofstream(d / "broken.pem") << "not PEM\n";
  auto broken = runServerExpectingExit(corpWithMtls(d, d / "broken.pem"));
  CHECK(broken.exitCode != 0);
  CHECK(broken.output.find("trust bundle") != std::string::npos);
  auto missing = runServerExpectingExit(corpWithMtls(d, d / "missing.pem"));
  CHECK(missing.exitCode != 0);
  CHECK(missing.output.find("missing.pem") != std::string::npos);
  makeCa(d, "devices", "/CN=Device CA", true);
  auto plain = runServerExpectingExit(corpWithMtls(d, d / "devices.crt"), {"--insecure-http"});
  CHECK(plain.exitCode != 0);
  CHECK(plain.output.find("needs HTTPS") != std::string::npos);
}
