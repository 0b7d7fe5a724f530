// Profiles and policy rules at issuance on the real server: a CSR outside
// the profile is refused with the reason (job and certificate Failed), the
// profile's TTL cap and EKUs reach the issued certificate, server keygen
// follows the profile's key algorithm, Error/Critical rules block while
// Warnings are only recorded, with severity, under /policies/{id}/violations.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "core/domain/timestamps.h"
#include "tests/integration/lifecycle/lifecycle_test_util.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json post(ServerProcess& server, const std::string& path, const json& body, int status = 201) {
  auto response = server.post(path, body);
  INFO(path << " " << body.dump() << " -> " << response.body);
  REQUIRE(response.status == status);
  return response.json();
}

std::time_t parseTime(const std::string& rfc3339) {
  auto t = certctl::domain::parseRfc3339(rfc3339);
  REQUIRE(t.has_value());
  return std::chrono::system_clock::to_time_t(*t);
}

}  // namespace

TEST_CASE("a CSR outside the profile is refused; the TTL cap and EKUs apply",
          "[lifecycle][profiles]") {
  ServerProcess server(keygen("agent"));
  TempDir work;
  json agent = post(server, "/api/v1/agents", {{"name", "a1"}});
  json profile = post(server, "/api/v1/profiles",
                      {{"name", "ECDSA short"},
                       {"allowed_key_algorithms", {{{"algorithm", "ECDSA"}, {"min_size", 256}}}},
                       {"max_ttl_seconds", 7200},
                       {"allowed_ekus", {"serverAuth", "clientAuth"}}});
  json cert = createCertificate(server, "mtls", "mtls.example.com",
                                {{"profile_id", profile["id"]}, {"agent_id", agent["id"]}});
  std::string id = cert["id"];
  json job = waitForJob(server, id, "AwaitingCSR");
  std::string path = "/api/v1/agents/" + agent["id"].get<std::string>() + "/csr";

  // RSA-2048 where only ECDSA is allowed: 400 with the reason, job Failed.
  std::string rsa = opensslCsr(work.path(), "mtls.example.com", {}, {"-newkey", "rsa:2048"});
  auto refused = server.post(path, {{"csr_pem", rsa}, {"job_id", job["id"]}});
  INFO(refused.body);
  REQUIRE(refused.status == 400);
  CHECK(refused.json()["error"]["code"] == "profile_violation");
  CHECK(errorField(refused) == "csr_pem");
  std::string reason = refused.json()["error"]["message"];
  CHECK_THAT(reason, Catch::Matchers::Contains("RSA-2048") &&
                         Catch::Matchers::Contains(profile["id"].get<std::string>()));
  json failed = server.get("/api/v1/jobs/" + job["id"].get<std::string>()).json();
  CHECK(failed["status"] == "Failed");
  CHECK_THAT(failed["last_error"].get<std::string>(), Catch::Matchers::Contains("RSA-2048"));
  CHECK(server.get("/api/v1/certificates/" + id).json()["status"] == "Failed");
  CHECK(versionsOf(server, id).empty());

  // Retry with a P-256 key: issued, capped at two hours, with the profile's EKUs.
  auto retry = server.post("/api/v1/certificates/" + id + "/renew", json::object());
  REQUIRE(retry.status == 202);
  CHECK(server.get("/api/v1/certificates/" + id).json()["status"] == "Pending");
  std::string renewalId = retry.json()["id"];
  waitForJob(server, id, "AwaitingCSR", renewalId);
  std::string ec = opensslCsr(work.path(), "mtls.example.com", {"mtls.example.com"});
  std::time_t before = std::time(nullptr);
  auto issued = server.post(path, {{"csr_pem", ec}, {"job_id", renewalId}});
  INFO(issued.body);
  REQUIRE(issued.status == 200);
  std::time_t notAfter = parseTime(issued.json()["not_after"]);
  CHECK(notAfter <= before + 7200 + 60);
  CHECK(notAfter >= before + 7200 - 60);
  std::string ekus =
      opensslX509(work.path(), issued.json()["cert_pem"], {"-ext", "extendedKeyUsage"});
  CHECK(ekus.find("TLS Web Server Authentication") != std::string::npos);
  CHECK(ekus.find("TLS Web Client Authentication") != std::string::npos);
  CHECK(opensslVerify(work.path(), localCaCert(server), issued.json()["cert_pem"]).exitCode == 0);
}

TEST_CASE("required SANs and server keygen follow the profile", "[lifecycle][profiles]") {
  ServerProcess server(keygen("server"));
  json rsaOnly = post(server, "/api/v1/profiles",
                      {{"name", "RSA 3072"},
                       {"allowed_key_algorithms", {{{"algorithm", "RSA"}, {"min_size", 3072}}}}});
  json needsStatus = post(server, "/api/v1/profiles",
                          {{"name", "Status page"}, {"required_sans", {"status.example.com"}}});

  json rsaCert =
      createCertificate(server, "legacy", "legacy.example.com", {{"profile_id", rsaOnly["id"]}});
  json missing =
      createCertificate(server, "nostatus", "web.example.com", {{"profile_id", needsStatus["id"]}});
  json present = createCertificate(
      server, "withstatus", "web2.example.com",
      {{"profile_id", needsStatus["id"]}, {"sans", {"web2.example.com", "status.example.com"}}});

  waitForJob(server, rsaCert["id"], "Completed");
  json v = versionsOf(server, rsaCert["id"])[0];
  CHECK(v["key_algorithm"] == "RSA");
  CHECK(v["key_size"] == 3072);

  json refused = waitForJob(server, missing["id"], "Failed");
  CHECK_THAT(refused["last_error"].get<std::string>(),
             Catch::Matchers::Contains("status.example.com"));
  waitForCertificate(server, missing["id"], "Failed");
  waitForJob(server, present["id"], "Completed");
  waitForCertificate(server, present["id"], "Active");
}

TEST_CASE("policy rules: Error and Critical block, Warning records", "[lifecycle][policies]") {
  ServerProcess server(keygen("server"));
  json domains = post(server, "/api/v1/policies",
                      {{"name", "Company domains"},
                       {"type", "AllowedDomains"},
                       {"severity", "Error"},
                       {"config", {{"allowed", {"*.example.com"}}}}});
  json environments = post(server, "/api/v1/policies",
                           {{"name", "Known environments"},
                            {"type", "AllowedEnvironments"},
                            {"severity", "Critical"},
                            {"config", {{"allowed", {"production", "staging"}}}}});
  json ownership = post(server, "/api/v1/policies",
                        {{"name", "Ownership"},
                         {"type", "RequiredMetadata"},
                         {"severity", "Warning"},
                         {"config", {{"required_fields", {"owner_id"}}}}});
  json disabled = post(server, "/api/v1/policies",
                       {{"name", "Lead time (off)"},
                        {"type", "RenewalLeadTime"},
                        {"severity", "Critical"},
                        {"enabled", false},
                        {"config", {{"minimum_days", 365}}}});

  json blockedDomain =
      createCertificate(server, "outside", "shop.example.org", {{"environment", "production"}});
  json blockedEnv =
      createCertificate(server, "sandbox", "sandbox.example.com", {{"environment", "sandbox"}});
  json warned = createCertificate(server, "ok", "ok.example.com", {{"environment", "staging"}});

  json j1 = waitForJob(server, blockedDomain["id"], "Failed");
  CHECK_THAT(j1["last_error"].get<std::string>(),
             Catch::Matchers::Contains("Company domains") &&
                 Catch::Matchers::Contains(domains["id"].get<std::string>()) &&
                 Catch::Matchers::Contains("shop.example.org"));
  waitForCertificate(server, blockedDomain["id"], "Failed");
  CHECK(versionsOf(server, blockedDomain["id"]).empty());

  json j2 = waitForJob(server, blockedEnv["id"], "Failed");
  CHECK_THAT(j2["last_error"].get<std::string>(), Catch::Matchers::Contains("Critical"));

  waitForJob(server, warned["id"], "Completed");
  waitForCertificate(server, warned["id"], "Active");

  // Every finding is recorded with the rule's severity.
  auto violationsOf = [&](const json& rule) {
    auto r = server.get("/api/v1/policies/" + rule["id"].get<std::string>() + "/violations");
    REQUIRE(r.status == 200);
    return r.json()["data"];
  };
  json d = violationsOf(domains);
  REQUIRE(d.size() == 1);
  CHECK(d[0]["certificate_id"] == blockedDomain["id"]);
  CHECK(d[0]["severity"] == "Error");
  CHECK(d[0]["details"]["not_allowed"] == json{"shop.example.org"});
  json e = violationsOf(environments);
  REQUIRE(e.size() == 1);
  CHECK(e[0]["severity"] == "Critical");
  CHECK(e[0]["certificate_id"] == blockedEnv["id"]);
  // No owner on any of the three: three warnings, none of which blocked.
  json w = violationsOf(ownership);
  CHECK(w.size() == 3);
  for (const auto& row : w) CHECK(row["severity"] == "Warning");
  CHECK(violationsOf(disabled).empty());

  // The findings are also audit events (queued: they land within moments).
  json audit;
  CHECK(eventually([&] {
    audit = server.get("/api/v1/audit?action=policy.violation_detected&per_page=100").json();
    return audit["total"] == 5;
  }));
  INFO(audit.dump());
}

TEST_CASE("profile and policy configs are validated before they are stored",
          "[lifecycle][profiles][policies]") {
  ServerProcess server;
  struct Case {
    std::string path;
    json body;
    std::string field;
  };
  const Case cases[] = {
      {"/api/v1/profiles",
       {{"name", "p1"}, {"allowed_key_algorithms", {"DSA"}}},
       "allowed_key_algorithms"},
      {"/api/v1/profiles",
       {{"name", "p2"}, {"allowed_key_algorithms", {{{"algorithm", "RSA"}, {"min_size", "big"}}}}},
       "allowed_key_algorithms"},
      {"/api/v1/profiles", {{"name", "p3"}, {"max_ttl_seconds", 0}}, "max_ttl_seconds"},
      {"/api/v1/policies",
       {{"name", "r1"}, {"type", "RenewalLeadTime"}, {"config", {{"minimum_days", "14"}}}},
       "config"},
      {"/api/v1/policies",
       {{"name", "r2"}, {"type", "AllowedIssuers"}, {"config", {{"allowed_issuer_ids", "x"}}}},
       "config"},
  };
  auto profiles = server.get("/api/v1/profiles").json()["total"];
  auto policies = server.get("/api/v1/policies").json()["total"];
  for (const auto& c : cases) {
    auto response = server.post(c.path, c.body);
    INFO(c.body.dump() << " -> " << response.body);
    CHECK(response.status == 400);
    CHECK(errorField(response) == c.field);
  }
  CHECK(server.get("/api/v1/profiles").json()["total"] == profiles);
  CHECK(server.get("/api/v1/policies").json()["total"] == policies);
}
