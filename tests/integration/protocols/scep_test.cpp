// SCEP (RFC 8894) driven by certmonger from Debian: its scep-submit helper
// for GetCACaps and GetCACert, and the certmonger daemon (on a private
// D-Bus session, with its state in a temp dir) for a PKCSReq enrollment,
// as in docs/scep.md.
//
// The server runs in plain HTTP here: certmonger 0.79's scep-submit sends
// PKIOperation without the -R trust file (it falls back to the system
// bundle), so over HTTPS with a private CA only GetCACaps/GetCACert work.
// SCEP protects the request itself (signed, encrypted to the RA).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/protocols/doc_recipes.h"
#include "tests/integration/protocols/protocol_test_util.h"
#include "tests/integration/server/server_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::protocols;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kChallenge = "scep-challenge-secret-1";

// A CA for the local CA's sub-CA mode and an RSA RA certificate it signed
// (certmonger checks that the RA chains to the CA of GetCACert).
struct ScepPki {
  // Made by the quick start's openssl recipe of docs/scep.md, run verbatim.
  explicit ScepPki(const fs::path& d) : dir(d) {
    runDocRecipe(docRecipes("scep.md"), "scep-ca-and-ra", dir, {});
  }
  std::map<std::string, std::string> env(const std::string& challenge = kChallenge) const {
    return {{"CERTCTL_CA_CERT_PATH", (dir / "ca.pem").string()},
            {"CERTCTL_CA_KEY_PATH", (dir / "ca.key").string()},
            {"CERTCTL_SCEP_ENABLED", "true"},
            {"CERTCTL_SCEP_ISSUER_ID", "iss-local"},
            {"CERTCTL_SCEP_CHALLENGE_PASSWORD", challenge},
            {"CERTCTL_SCEP_RA_CERT_PATH", (dir / "ra.pem").string()},
            {"CERTCTL_SCEP_RA_KEY_PATH", (dir / "ra.key").string()}};
  }
  fs::path dir;
};

// The legacy /scep endpoint (plain HTTP, see the top) with ScepPki's CA and RA.
struct LegacyScepServer {
  LegacyScepServer() : pki(dir.path()), server(options(pki)), url(server.baseUrl() + "/scep") {}
  static ServerProcessOptions options(const ScepPki& pki) {
    ServerProcessOptions o;
    o.tls = false;
    o.env = pki.env();
    return o;
  }
  TempDir dir;
  ScepPki pki;
  ServerProcess server;
  std::string url;
};

// certmonger on its own session bus, state under `state`, with the SCEP CA
// "certctl" at `url` added: runs the getcert commands of `steps` ($1 is
// `state`, $3.. are `args`), then prints `getcert list` and exits with the
// status of the steps. Values reach the script as arguments.
ProcessResult certmongerSession(const fs::path& state, const std::string& url,
                                const std::string& steps, const std::vector<std::string>& args) {
  for (const char* sub : {"config", "requests", "cas", "local", "tmp", "home"})
    fs::create_directories(state / sub);
  const std::string script = R"(
certmonger -n -s -d 2 >>"$1/certmonger.log" 2>&1 &
daemon=$!
for i in $(seq 50); do getcert list-cas -s >/dev/null 2>&1 && break; sleep 0.1; done
getcert list-cas -s | grep -q "CA 'certctl'" || getcert add-scep-ca -s -c certctl -u "$2"
)" + steps + R"(
status=$?
getcert list -s
kill "$daemon" 2>/dev/null
wait "$daemon" 2>/dev/null
exit "$status"
)";
  std::map<std::string, std::string> env = {
      {"HOME", (state / "home").string()},
      {"CERTMONGER_CONFIG_DIR", (state / "config").string()},
      {"CERTMONGER_REQUESTS_DIR", (state / "requests").string()},
      {"CERTMONGER_CAS_DIR", (state / "cas").string()},
      {"CERTMONGER_LOCAL_CA_DIR", (state / "local").string()},
      {"CERTMONGER_TMPDIR", (state / "tmp").string()}};
  std::vector<std::string> argv = {"dbus-run-session", "--",           "bash", "-c", script,
                                   "certmonger",       state.string(), url};
  argv.insert(argv.end(), args.begin(), args.end());
  return runProcess(argv, env, 90s);
}

// Requests a certificate for `cn` with `challenge`, waiting for the outcome
// (exit 0 once the certificate is in device.crt).
ProcessResult certmongerEnroll(const fs::path& state, const std::string& url, const std::string& cn,
                               const std::string& challenge) {
  return certmongerSession(
      state, url,
      R"(getcert request -s -c certctl -f "$1/device.crt" -k "$1/device.key" -N "CN=$3" -D "$3" -L "$4" -w)",
      {cn, challenge});
}

// certmonger's rekeying of the certificate it tracks in `certFile`: a new
// key, and (the server advertising Renewal) a request signed with the
// current certificate and key. Exit 0 once the new certificate is there.
ProcessResult certmongerRekey(const fs::path& state, const std::string& url,
                              const fs::path& certFile) {
  return certmongerSession(state, url, R"(getcert rekey -s -f "$3" -w --wait-timeout 60)",
                           {certFile.string()});
}

std::string serialOf(const fs::path& certFile) {
  return runProcess({"openssl", "x509", "-in", certFile.string(), "-noout", "-serial"}).output;
}

}  // namespace

TEST_CASE("SCEP: certmonger reads the CA and enrolls a device with the challenge password",
          "[protocols][scep]") {
  LegacyScepServer scep;
  ServerProcess& server = scep.server;
  const std::string& url = scep.url;
  const fs::path dir = scep.dir.path();

  // GetCACaps and GetCACert through certmonger's helper: docs/scep.md's recipe.
  auto submit = runDocRecipe(docRecipes("scep.md"), "scep-submit", dir, {{"SCEP_URL", url}});
  CHECK(submit.output.find("SCEPStandard") != std::string::npos);
  CHECK(submit.output.find("POSTPKIOperation") != std::string::npos);
  CHECK(submit.output.find("subject=CN = Example SCEP RA") != std::string::npos);
  CHECK(submit.output.find("subject=CN = Example SCEP CA") != std::string::npos);
  const std::string cacert = readFile(dir / "scep-ca-certs.pem");
  CHECK(cacert.find(readFile(dir / "ra.pem").substr(0, 200)) != std::string::npos);
  CHECK(cacert.find(readFile(dir / "ca.pem").substr(0, 200)) != std::string::npos);

  // PKCSReq by the certmonger daemon.
  const fs::path state = dir / "cm-good";
  auto enrolled = certmongerEnroll(state, url, "device1.scep.example", kChallenge);
  INFO(enrolled.output);
  INFO(readFile(state / "certmonger.log").substr(0, 4000));
  REQUIRE(enrolled.exitCode == 0);
  CHECK(enrolled.output.find("status: MONITORING") != std::string::npos);
  REQUIRE(fs::exists(state / "device.crt"));
  require(
      {"openssl", "verify", "-CAfile", (dir / "ca.pem").string(), (state / "device.crt").string()});
  auto subject =
      runProcess({"openssl", "x509", "-in", (state / "device.crt").string(), "-noout", "-subject"});
  CHECK(subject.output.find("device1.scep.example") != std::string::npos);

  // In the inventory, with its source.
  auto list = server.get("/api/v1/certificates?per_page=100");
  REQUIRE(list.status == 200);
  INFO(list.body);
  const json page = list.json();
  bool found = false;
  for (const auto& c : page["data"])
    if (c["common_name"] == "device1.scep.example") {
      found = true;
      CHECK(c["source"] == "scep");
      CHECK(c["status"] == "Active");
    }
  CHECK(found);

  // A wrong challenge password: refused in-protocol, nothing issued.
  const fs::path bad = dir / "cm-bad";
  auto refused = certmongerEnroll(bad, url, "device2.scep.example", "not-the-password");
  INFO(refused.output);
  CHECK(refused.output.find("CA_REJECTED") != std::string::npos);
  CHECK_FALSE(fs::exists(bad / "device.crt"));
  CHECK(server.log().find("wrong or missing challenge password") != std::string::npos);
}

TEST_CASE("SCEP refuses to start without a challenge password or with a readable RA key",
          "[protocols][scep]") {
  TempDir dir;
  ScepPki pki(dir.path());
  auto start = [&](const std::map<std::string, std::string>& env) {
    TempDir data;
    auto full = env;
    full["CERTCTL_SERVER_HOST"] = "127.0.0.1";
    full["CERTCTL_SERVER_PORT"] = std::to_string(freeLoopbackPort());
    full["CERTCTL_DATA_DIR"] = (data.path() / "data").string();
    full["CERTCTL_INSECURE_HTTP"] = "true";
    return runProcess({server::serverBinary()}, server::isolatedEnvironment(full), 20s);
  };
  auto noPassword = start(pki.env(""));
  INFO(noPassword.output);
  CHECK(noPassword.exitCode > 0);
  CHECK(noPassword.output.find("CERTCTL_SCEP_CHALLENGE_PASSWORD") != std::string::npos);

  fs::permissions(dir.path() / "ra.key", fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::add);
  auto readableKey = start(pki.env());
  INFO(readableKey.output);
  CHECK(readableKey.exitCode > 0);
  CHECK(readableKey.output.find("readable by group or others") != std::string::npos);
}

TEST_CASE("SCEP profiles: one endpoint per profile, each with its own password and profile",
          "[protocols][scep]") {
  TempDir dir;
  ScepPki pki(dir.path());
  ServerProcessOptions options;
  options.tls = false;
  options.env = {{"CERTCTL_CA_CERT_PATH", (dir.path() / "ca.pem").string()},
                 {"CERTCTL_CA_KEY_PATH", (dir.path() / "ca.key").string()},
                 {"CERTCTL_SCEP_ENABLED", "true"},
                 {"CERTCTL_SCEP_PROFILES", "corp,iot"}};
  for (const std::string name : {"CORP", "IOT"}) {
    const std::string p = "CERTCTL_SCEP_PROFILE_" + name + "_";
    options.env[p + "ISSUER_ID"] = "iss-local";
    options.env[p + "CHALLENGE_PASSWORD"] = "challenge-of-" + name;
    options.env[p + "RA_CERT_PATH"] = (dir.path() / "ra.pem").string();
    options.env[p + "RA_KEY_PATH"] = (dir.path() / "ra.key").string();
  }
  options.env["CERTCTL_SCEP_PROFILE_IOT_PROFILE_ID"] = "prof-iot";
  ServerProcess server(options);
  REQUIRE(
      server.post("/api/v1/profiles", json{{"id", "prof-iot"}, {"name", "iot devices"}}).status ==
      201);

  // Each profile answers at /scep/<pathID>; the legacy /scep is not served.
  auto caps =
      runProcess({"/usr/lib/certmonger/scep-submit", "-u", server.baseUrl() + "/scep/corp", "-c"});
  INFO(caps.output);
  CHECK(caps.exitCode == 0);
  CHECK(caps.output.find("SCEPStandard") != std::string::npos);
  CHECK(server.get("/scep?operation=GetCACaps").status == 404);

  // Both are listed for admins, with their own profile binding.
  auto listing = server.get("/api/v1/admin/scep/profiles");
  REQUIRE(listing.status == 200);
  INFO(listing.body);
  const json endpoints = listing.json();
  REQUIRE(endpoints["total"] == 2);
  CHECK(endpoints["data"][0]["endpoint"] == "/scep/corp");
  CHECK(endpoints["data"][0]["profile_id"].is_null());
  CHECK(endpoints["data"][1]["path_id"] == "iot");
  CHECK(endpoints["data"][1]["profile_id"] == "prof-iot");
  CHECK(endpoints["data"][1]["mtls_enabled"] == false);
  CHECK(listing.body.find("challenge-of-") == std::string::npos);

  // The iot endpoint takes iot's password, not corp's, and binds iot's profile.
  const std::string iotUrl = server.baseUrl() + "/scep/iot";
  auto wrong = certmongerEnroll(dir.path() / "cm-corp-password", iotUrl, "sensor2.scep.example",
                                "challenge-of-CORP");
  INFO(wrong.output);
  CHECK(wrong.output.find("CA_REJECTED") != std::string::npos);
  auto enrolled =
      certmongerEnroll(dir.path() / "cm-iot", iotUrl, "sensor1.scep.example", "challenge-of-IOT");
  INFO(enrolled.output);
  REQUIRE(enrolled.exitCode == 0);
  auto list = server.get("/api/v1/certificates?per_page=100");
  REQUIRE(list.status == 200);
  const json page = list.json();
  int sensors = 0;
  for (const auto& c : page["data"])
    if (c["common_name"] == "sensor1.scep.example") {
      ++sensors;
      CHECK(c["source"] == "scep");
      CHECK(c["certificate_profile_id"] == "prof-iot");
    }
  CHECK(sensors == 1);
}

TEST_CASE(
    "SCEP renewal: certmonger rekeys with its certificate, revoked or foreign ones are refused",
    "[protocols][scep]") {
  LegacyScepServer scep;
  ServerProcess& server = scep.server;
  const std::string& url = scep.url;
  const fs::path dir = scep.dir.path();
  auto caps = runProcess({"/usr/lib/certmonger/scep-submit", "-u", url, "-c"});
  CHECK(caps.output.find("Renewal") != std::string::npos);

  const fs::path state = dir / "cm";
  auto enrolled = certmongerEnroll(state, url, "renew.scep.example", kChallenge);
  INFO(enrolled.output);
  REQUIRE(enrolled.exitCode == 0);
  const std::string firstSerial = serialOf(state / "device.crt");
  const std::string firstKey = readFile(state / "device.key");

  // The rekey: a new key and certificate, no challenge password involved.
  auto rekeyed = certmongerRekey(state, url, state / "device.crt");
  INFO(rekeyed.output);
  INFO(readFile(state / "certmonger.log").substr(0, 6000));
  REQUIRE(rekeyed.exitCode == 0);
  CHECK(rekeyed.output.find("status: MONITORING") != std::string::npos);
  CHECK(serialOf(state / "device.crt") != firstSerial);
  CHECK(readFile(state / "device.key") != firstKey);
  require(
      {"openssl", "verify", "-CAfile", (dir / "ca.pem").string(), (state / "device.crt").string()});
  CHECK(server.log().find("renewed serial") != std::string::npos);

  // One certificate in the inventory, with both versions.
  auto list = server.get("/api/v1/certificates?per_page=100");
  REQUIRE(list.status == 200);
  INFO(list.body);
  const json page = list.json();
  std::string id;
  int matching = 0;
  for (const auto& c : page["data"])
    if (c["common_name"] == "renew.scep.example") {
      ++matching;
      id = c["id"].get<std::string>();
    }
  REQUIRE(matching == 1);
  auto versions = server.get("/api/v1/certificates/" + id + "/versions");
  REQUIRE(versions.status == 200);
  INFO(versions.body);
  CHECK(versions.json()["data"].size() == 2);

  // Revoked: the certificate can no longer renew itself.
  REQUIRE(server.post("/api/v1/certificates/" + id + "/revoke", json{{"reason", "keyCompromise"}})
              .status == 200);
  auto afterRevoke = certmongerRekey(state, url, state / "device.crt");
  INFO(afterRevoke.output);
  // certmonger keeps the current certificate and shows the badMessageCheck.
  CHECK(afterRevoke.output.find("ca-error: Integrity check of client request failed") !=
        std::string::npos);
  CHECK(server.log().find("the certificate has been revoked") != std::string::npos);

  // A certificate of another CA (same subject) does not renew anything. (A
  // year's validity: certmonger renews a certificate within 28 days of its
  // end on its own, which would race the rekey.)
  const fs::path foreign = dir / "foreign";
  fs::create_directories(foreign);
  require({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=Foreign CA",
           "-days", "365", "-keyout", (foreign / "foreign-ca.key").string(), "-out",
           (foreign / "foreign-ca.pem").string()});
  require({"openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
           (foreign / "device.key").string(), "-subj", "/CN=renew.scep.example", "-out",
           (foreign / "device.csr").string()});
  require({"openssl", "x509", "-req", "-in", (foreign / "device.csr").string(), "-CA",
           (foreign / "foreign-ca.pem").string(), "-CAkey", (foreign / "foreign-ca.key").string(),
           "-set_serial", "4242", "-days", "365", "-out", (foreign / "device.crt").string()});
  const fs::path other = dir / "cm-foreign";
  auto foreignRekey = certmongerSession(
      other, url,
      R"(getcert start-tracking -s -c certctl -f "$3/device.crt" -k "$3/device.key" &&
sleep 1 && getcert rekey -s -f "$3/device.crt" -w --wait-timeout 60)",
      {foreign.string()});
  INFO(foreignRekey.output);
  CHECK(foreignRekey.output.find("ca-error: Integrity check of client request failed") !=
        std::string::npos);
  CHECK(server.log().find("not a certificate of this CA") != std::string::npos);
}
