// Certificate export: PEM as JSON and PKCS#12 (certificate + chain, never a
// key) read back by `openssl pkcs12 -info -nokeys`, each recorded as a typed
// audit event "certificate.export"; bad input is a 4xx.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/support/process.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("export PEM and PKCS#12 of the latest version", "[lifecycle][export]") {
  ServerProcess server(keygen("server"));
  TempDir work;

  CHECK(server.get("/api/v1/certificates/mc-nope/export/pem").status == 404);
  CHECK(server.post("/api/v1/certificates/mc-nope/export/pkcs12", json::object()).status == 404);

  json cert = createCertificate(server, "exported", "exported.example.com");
  std::string id = cert["id"];
  json job = waitForJob(server, id, "Completed");

  auto response = server.get("/api/v1/certificates/" + id + "/export/pem");
  INFO(response.body);
  REQUIRE(response.status == 200);
  json pem = response.json();
  CHECK(pem["certificate_id"] == id);
  CHECK(pem["version_id"] == job["result"]["version_id"]);
  CHECK(pem["serial_number"] == job["result"]["serial_number"]);
  CHECK(pem["not_after"] == job["result"]["not_after"]);
  std::string leaf = pem["certificate_pem"], chain = pem["chain_pem"];
  CHECK(count(leaf, "BEGIN CERTIFICATE") == 1);
  CHECK(count(chain, "BEGIN CERTIFICATE") == 1);
  CHECK(pem["full_chain_pem"] == leaf + chain);
  CHECK(response.body.find("PRIVATE KEY") == std::string::npos);
  // The chain is the local CA itself; the leaf verifies against it.
  CHECK(opensslX509(work.path(), chain, {"-fingerprint", "-sha256"}) ==
        opensslX509(work.path(), readFile(localCaCert(server)), {"-fingerprint", "-sha256"}));
  CHECK(opensslVerify(work.path(), localCaCert(server), leaf).exitCode == 0);

  // PKCS#12 without a body: unencrypted certificate bags, no key.
  auto p12 = server.request("POST", "/api/v1/certificates/" + id + "/export/pkcs12", "");
  REQUIRE(p12.status == 200);
  CHECK(p12.header("content-type") == "application/x-pkcs12");
  CHECK(p12.header("content-disposition") == "attachment; filename=\"" + id + ".p12\"");
  fs::path plain = work.path() / "plain.p12";
  { std::ofstream(plain, std::ios::binary) << p12.body; }
  auto info = runProcess(
      {"openssl", "pkcs12", "-info", "-nokeys", "-in", plain.string(), "-passin", "pass:"});
  INFO(info.output);
  CHECK(info.exitCode == 0);
  CHECK(count(info.output, "BEGIN CERTIFICATE") == 2);
  CHECK(info.output.find("PRIVATE KEY") == std::string::npos);
  CHECK(info.output.find(leaf.substr(28, 64)) != std::string::npos);

  // With a password: only that password opens it.
  auto locked =
      server.post("/api/v1/certificates/" + id + "/export/pkcs12", {{"password", "s3cret-pass"}});
  REQUIRE(locked.status == 200);
  fs::path enc = work.path() / "enc.p12";
  { std::ofstream(enc, std::ios::binary) << locked.body; }
  auto good = runProcess({"openssl", "pkcs12", "-info", "-nokeys", "-in", enc.string(), "-passin",
                          "pass:s3cret-pass"});
  INFO(good.output);
  CHECK(good.exitCode == 0);
  CHECK(count(good.output, "BEGIN CERTIFICATE") == 2);
  auto wrong = runProcess(
      {"openssl", "pkcs12", "-info", "-nokeys", "-in", enc.string(), "-passin", "pass:wrong"});
  CHECK(wrong.exitCode != 0);

  // Bad bodies are 400s naming the field.
  struct Case {
    std::string body;
    const char* field;
  };
  for (const auto& c :
       {Case{R"({"password": 5})", "password"}, Case{R"({"passphrase": "x"})", "passphrase"},
        Case{"not json", "body"}, Case{"[]", "body"}}) {
    auto r = server.request("POST", "/api/v1/certificates/" + id + "/export/pkcs12", c.body);
    INFO(c.body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == c.field);
  }

  // Three successful exports, three typed audit events naming the actor and format.
  auto audit =
      server.get("/api/v1/audit?action=certificate.export&resource_id=" + id + "&per_page=50")
          .json();
  REQUIRE(audit["total"] == 3);
  std::multiset<std::string> formats;
  for (const auto& e : audit["data"]) {
    formats.insert(e["details"]["format"].get<std::string>());
    CHECK(e["actor"].get<std::string>() != "anonymous");
    CHECK(e["resource_type"] == "certificates");
    CHECK(e["details"]["private_key_included"] == false);
    CHECK(e["details"]["version_id"] == pem["version_id"]);
  }
  CHECK(formats == std::multiset<std::string>{"pem", "pkcs12", "pkcs12"});
}

TEST_CASE("a certificate without an issued version has nothing to export", "[lifecycle][export]") {
  ServerProcess server(keygen("agent"));
  json cert = createCertificate(server, "waiting", "waiting.example.com");
  std::string id = cert["id"];
  auto r = server.get("/api/v1/certificates/" + id + "/export/pem");
  INFO(r.body);
  CHECK(r.status == 404);
  CHECK(server.post("/api/v1/certificates/" + id + "/export/pkcs12", json::object()).status == 404);
  auto audit = server.get("/api/v1/audit?action=certificate.export").json();
  CHECK(audit["total"] == 0);
}
