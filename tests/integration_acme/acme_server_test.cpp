// The ACME issuer as an operator uses it: a real certctl-server (server
// keygen) with an "ACME" issuer created over the REST API against a real
// Pebble; the certificate is issued with http-01, lands in the inventory,
// and revoking it through the API revokes it at Pebble.
#include <catch2/catch.hpp>

#include <cctype>
#include <fstream>

#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/integration_acme/pebble.h"
#include "tests/support/process.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using certctl::testing::acme::Pebble;
using nlohmann::json;

TEST_CASE(
    "ACME/Pebble via certctl-server: REST-created ACME issuer issues into the inventory "
    "and revokes at the CA",
    "[acme][pebble][server]") {
  TempDir work;
  Pebble pebble(work.path() / "pebble");
  ServerProcess server(keygen("server"));

  auto issuer = server.post("/api/v1/issuers", {{"name", "Pebble"},
                                                {"type", "ACME"},
                                                {"config",
                                                 {{"directory_url", pebble.directoryUrl()},
                                                  {"email", "ops@example.com"},
                                                  {"http_address", "127.0.0.1"},
                                                  {"http_port", pebble.httpPort()},
                                                  {"ca_bundle_path", pebble.caBundle().string()},
                                                  {"poll_timeout_seconds", 60}}}});
  INFO(issuer.body);
  REQUIRE(issuer.status == 201);
  const std::string issuerId = issuer.json()["id"];
  auto test = server.post("/api/v1/issuers/" + issuerId + "/test", json::object());
  INFO(test.body);
  CHECK(test.status == 200);

  // A bad config is refused at the API with the plugin's message.
  auto bad =
      server.post("/api/v1/issuers", {{"name", "Bad"},
                                      {"type", "ACME"},
                                      {"config", {{"directory_url", "http://ca.example/dir"}}}});
  CHECK(bad.status == 400);
  CHECK(bad.body.find("directory_url: must be an https:// URL") != std::string::npos);

  json created = createCertificate(server, "acme-web", "web.acme.test",
                                   {{"issuer_id", issuerId}, {"sans", {"web.acme.test"}}});
  const std::string id = created["id"];
  const json version = waitForFirstVersion(server, id, issuerId);
  const std::string serial = version["serial_number"];
  std::string lowerSerial = serial;
  for (auto& c : lowerSerial) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(pebble.certStatus(lowerSerial)["Status"] == "Valid");
  std::ofstream(work.path() / "root.pem") << pebble.rootPem();
  // pem_chain is the leaf, then Pebble's intermediate: verified up to its root.
  const std::string chain = version["pem_chain"];
  const std::string endMarker = "-----END CERTIFICATE-----\n";
  const auto leafEnd = chain.find(endMarker) + endMarker.size();
  REQUIRE(chain.find("BEGIN CERTIFICATE", leafEnd) != std::string::npos);
  auto verify = opensslVerify(work.path(), work.path() / "root.pem", chain.substr(0, leafEnd),
                              chain.substr(leafEnd));
  INFO(verify.output);
  CHECK(verify.exitCode == 0);

  auto revoked = server.post("/api/v1/certificates/" + id + "/revoke", {{"reason", "superseded"}});
  INFO(revoked.body);
  REQUIRE(revoked.status == 200);
  CHECK(revoked.body.find("\"issuer_notified\":true") != std::string::npos);
  const json status = pebble.certStatus(lowerSerial);
  INFO(status.dump());
  CHECK(status["Status"] == "Revoked");
  CHECK(status["Reason"] == 4);
}

TEST_CASE("ACME/Pebble via certctl-server: CERTCTL_ACME_* bootstraps iss-acme, which issues",
          "[acme][pebble][server]") {
  TempDir work;
  Pebble pebble(work.path() / "pebble");
  ServerProcessOptions options = keygen("server");
  options.env["CERTCTL_ACME_DIRECTORY_URL"] = pebble.directoryUrl();
  options.env["CERTCTL_ACME_EMAIL"] = "ops@example.com";
  options.env["CERTCTL_ACME_HTTP_ADDRESS"] = "127.0.0.1";
  options.env["CERTCTL_ACME_HTTP_PORT"] = std::to_string(pebble.httpPort());
  options.env["CERTCTL_ACME_CA_BUNDLE_PATH"] = pebble.caBundle().string();
  options.env["CERTCTL_ACME_ARI_ENABLED"] = "true";
  ServerProcess server(options);

  auto issuer = server.get("/api/v1/issuers/iss-acme");
  INFO(issuer.body);
  REQUIRE(issuer.status == 200);
  const json record = issuer.json();
  CHECK(record["type"] == "ACME");
  CHECK(record["config"]["directory_url"] == pebble.directoryUrl());
  CHECK(record["config"]["http_port"] == pebble.httpPort());
  CHECK(record["config"]["ari_enabled"] == true);
  CHECK(server.post("/api/v1/issuers/iss-acme/test", json::object()).status == 200);

  json created = createCertificate(server, "acme-env", "env.acme.test",
                                   {{"issuer_id", "iss-acme"}, {"sans", {"env.acme.test"}}});
  const std::string id = created["id"];
  waitForFirstVersion(server, id, "iss-acme");
  // Pebble has no renewalInfo: the renewal policy alone decides.
  CHECK(server.get("/api/v1/certificates/" + id).json()["ari_renew_at"].is_null());
}
