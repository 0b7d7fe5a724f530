// Bad input to the inventory API: every case is a 4xx JSON error that names
// the offending field or parameter, and leaves every resource unchanged.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/test_database.h"

using certctl::testing::HttpResult;
using certctl::testing::ServerProcess;
using nlohmann::json;

namespace {

const std::vector<std::string> kResources = {
    "certificates", "issuers", "targets", "renewal-policies", "profiles",
    "policies",     "teams",   "owners",  "agent-groups"};

json expectStatus(const HttpResult& r, int status) {
  INFO("HTTP " << r.status << " " << r.body);
  REQUIRE(r.status == status);
  json doc;
  if (!r.body.empty()) REQUIRE_NOTHROW(doc = json::parse(r.body));
  return doc;
}

// {"error": {"code", "message", "field"?}, "request_id"}; `field` empty: not checked.
void expectError(const HttpResult& r, int status, const std::string& field = {}) {
  INFO("HTTP " << r.status << " " << r.body);
  REQUIRE(r.status == status);
  REQUIRE(r.header("content-type").find("application/json") != std::string::npos);
  json doc;
  REQUIRE_NOTHROW(doc = json::parse(r.body));
  REQUIRE(doc.is_object());
  REQUIRE(doc.size() == 2);
  REQUIRE(doc["error"].is_object());
  REQUIRE(doc["error"]["code"].is_string());
  CHECK(!doc["error"]["code"].get<std::string>().empty());
  REQUIRE(doc["error"]["message"].is_string());
  CHECK(!doc["error"]["message"].get<std::string>().empty());
  for (const auto& [key, value] : doc["error"].items()) {
    INFO("error key " << key);
    CHECK((key == "code" || key == "message" || key == "field"));
  }
  REQUIRE(doc["request_id"].is_string());
  CHECK(doc["request_id"] == r.header("x-request-id"));
  if (!field.empty()) {
    REQUIRE(doc["error"].contains("field"));
    CHECK(doc["error"]["field"] == field);
  }
}

// Every record of every resource, to prove a failed request wrote nothing.
std::map<std::string, json> snapshot(ServerProcess& server) {
  std::map<std::string, json> all;
  for (const auto& r : kResources) {
    json page = expectStatus(server.get("/api/v1/" + r + "?per_page=500"), 200);
    all[r] = page;
  }
  return all;
}

struct Case {
  std::string method;
  std::string path;
  std::string body;
  int status;
  std::string field;
  std::map<std::string, std::string> headers{};
};

std::string base64Url(const std::string& data) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  int val = 0, bits = -6;
  for (unsigned char c : data) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out += table[(val >> bits) & 0x3F];
      bits -= 6;
    }
  }
  if (bits > -6) out += table[((val << 8) >> (bits + 8)) & 0x3F];
  return out;
}

}  // namespace

TEST_CASE("API bad input: 4xx JSON naming the field, nothing written", "[api]") {
  ServerProcess server;
  json team =
      expectStatus(server.post("/api/v1/teams", {{"id", "team-core"}, {"name", "Core"}}), 201);
  expectStatus(server.post("/api/v1/teams", {{"id", "team-edge"}, {"name", "Edge"}}), 201);
  expectStatus(server.post("/api/v1/owners", {{"id", "o-ann"},
                                              {"name", "Ann"},
                                              {"email", "ann@example.com"},
                                              {"team_id", "team-core"}}),
               201);
  expectStatus(
      server.post("/api/v1/issuers", {{"id", "iss-own"}, {"name", "Local"}, {"type", "local-ca"}}),
      201);
  expectStatus(server.post("/api/v1/profiles", {{"id", "prof-tls"}, {"name", "TLS"}}), 201);
  expectStatus(server.post("/api/v1/policies",
                           {{"id", "pr-own"}, {"name", "Own"}, {"type", "RequiredMetadata"}}),
               201);
  expectStatus(server.post("/api/v1/certificates", {{"id", "mc-web"},
                                                    {"name", "web"},
                                                    {"common_name", "web.example.com"},
                                                    {"issuer_id", "iss-own"},
                                                    {"owner_id", "o-ann"}}),
               201);

  const std::string longId(300, 'a');
  const std::string veryLongId(4000, 'b');
  const std::string validCert =
      R"({"name":"new","common_name":"new.example.com","issuer_id":"iss-own")";
  std::vector<Case> cases = {
      // Body syntax and shape.
      {"POST", "/api/v1/teams", R"({"name": "x",)", 400, "body"},
      {"POST", "/api/v1/teams", R"({"name": "x"} trailing)", 400, "body"},
      {"POST", "/api/v1/teams", R"(["name", "x"])", 400, "body"},
      {"POST", "/api/v1/teams", R"("a string")", 400, "body"},
      {"POST", "/api/v1/teams", "null", 400, "body"},
      {"POST", "/api/v1/teams", "42", 400, "body"},
      {"POST", "/api/v1/teams", "", 400, "body"},
      {"POST", "/api/v1/teams", "\xff\xfe{", 400, "body"},
      {"POST", "/api/v1/teams", R"({"name": "x"})", 400, "body", {{"Content-Type", "text/plain"}}},
      {"PUT", "/api/v1/teams/team-core", R"({"name": )", 400, "body"},
      {"PUT", "/api/v1/teams/team-core", "[]", 400, "body"},
      // Wrong types.
      {"POST", "/api/v1/teams", R"({"name": 5})", 400, "name"},
      {"POST", "/api/v1/teams", R"({"name": "x", "email": ["a@b"]})", 400, "email"},
      {"POST", "/api/v1/profiles", R"({"name": "p", "max_ttl_hours": "2160"})", 400,
       "max_ttl_hours"},
      {"POST", "/api/v1/profiles", R"({"name": "p", "max_ttl_hours": 1.5})", 400, "max_ttl_hours"},
      {"POST", "/api/v1/profiles", R"({"name": "p", "allowed_ekus": "serverAuth"})", 400,
       "allowed_ekus"},
      {"POST", "/api/v1/profiles", R"({"name": "p", "allowed_ekus": [1]})", 400, "allowed_ekus"},
      {"POST", "/api/v1/policies", R"({"name": "p", "type": "RequiredMetadata", "enabled": "yes"})",
       400, "enabled"},
      {"POST", "/api/v1/policies", R"({"name": "p", "type": "RequiredMetadata", "config": "x"})",
       400, "config"},
      {"POST", "/api/v1/certificates", validCert + R"(, "expires_at": "tomorrow"})", 400,
       "expires_at"},
      {"POST", "/api/v1/certificates", validCert + R"(, "expires_at": "2027-02-30T00:00:00Z"})",
       400, "expires_at"},
      {"POST", "/api/v1/certificates", validCert + R"(, "expires_at": 1790000000})", 400,
       "expires_at"},
      {"POST", "/api/v1/certificates", validCert + R"(, "tags": "prod"})", 400, "tags"},
      {"POST", "/api/v1/certificates", validCert + R"(, "sans": "a.example.com"})", 400, "sans"},
      {"POST", "/api/v1/renewal-policies", R"({"name": "r", "renewal_window_days": "30"})", 400,
       "renewal_window_days"},
      {"POST", "/api/v1/renewal-policies", R"({"name": "r", "auto_renew": 1})", 400, "auto_renew"},
      {"PUT", "/api/v1/teams/team-core", R"({"name": 5})", 400, "name"},
      {"PUT", "/api/v1/teams/team-core", R"({"name": null})", 400, "name"},
      {"PUT", "/api/v1/teams/team-core", R"({"name": ""})", 400, "name"},
      // Unknown fields and missing required ones.
      {"POST", "/api/v1/teams", R"({"name": "x", "colour": "red"})", 400, "colour"},
      {"PUT", "/api/v1/teams/team-core", R"({"colour": "red"})", 400, "colour"},
      {"POST", "/api/v1/teams", "{}", 400, "name"},
      {"POST", "/api/v1/certificates", R"({"name": "n", "common_name": "n.example.com"})", 400,
       "issuer_id"},
      {"POST", "/api/v1/owners", R"({"name": "n"})", 400, "email"},
      {"POST", "/api/v1/teams", std::string(R"({"name": ")") + std::string(300, 'n') + R"("})", 400,
       "name"},
      // Unknown enum values.
      {"POST", "/api/v1/policies", R"({"name": "p", "type": "NoSuchRule"})", 400, "type"},
      {"POST", "/api/v1/policies",
       R"({"name": "p", "type": "RequiredMetadata", "severity": "Fatal"})", 400, "severity"},
      {"PUT", "/api/v1/policies/pr-own", R"({"severity": "Sometimes"})", 400, "severity"},
      // Server-managed and read-only fields.
      {"POST", "/api/v1/certificates", validCert + R"(, "status": "Active"})", 400, "status"},
      {"PUT", "/api/v1/certificates/mc-web", R"({"status": "Active"})", 400, "status"},
      {"PUT", "/api/v1/certificates/mc-web", R"({"status": "Archived"})", 400, "status"},
      {"PUT", "/api/v1/certificates/mc-web", R"({"source": "est"})", 400, "source"},
      {"PUT", "/api/v1/certificates/mc-web", R"({"revoked_at": "2026-01-01T00:00:00Z"})", 400,
       "revoked_at"},
      {"POST", "/api/v1/teams", R"({"name": "x", "created_at": "2020-01-01T00:00:00Z"})", 400,
       "created_at"},
      {"POST", "/api/v1/teams", R"({"name": "x", "id": "../etc"})", 400, "id"},
      {"POST", "/api/v1/teams", R"({"name": "x", "id": 7})", 400, "id"},
      {"POST", "/api/v1/teams", std::string(R"({"name": "x", "id": ")") + longId + R"("})", 400,
       "id"},
      // References to records that do not exist (or cannot be ids).
      {"POST", "/api/v1/certificates",
       R"({"name": "n", "common_name": "n.example.com", "issuer_id": "iss-nope"})", 400,
       "issuer_id"},
      {"POST", "/api/v1/certificates",
       R"({"name": "n", "common_name": "n.example.com", "issuer_id": "../../x"})", 400,
       "issuer_id"},
      {"POST", "/api/v1/certificates", validCert + R"(, "owner_id": "o-nobody"})", 400, "owner_id"},
      {"POST", "/api/v1/certificates", validCert + R"(, "agent_id": "a-ghost"})", 400, "agent_id"},
      {"PUT", "/api/v1/certificates/mc-web", R"({"team_id": "team-nope"})", 400, "team_id"},
      {"PUT", "/api/v1/certificates/mc-web", R"({"issuer_id": null})", 400, "issuer_id"},
      {"POST", "/api/v1/owners", R"({"name": "n", "email": "n@x", "team_id": "team-nope"})", 400,
       "team_id"},
      {"POST", "/api/v1/renewal-policies", R"({"name": "r", "agent_group_id": "ag-nope"})", 400,
       "agent_group_id"},
      // Uniqueness.
      {"POST", "/api/v1/teams", R"({"name": "Core"})", 409, ""},
      {"POST", "/api/v1/teams", R"({"id": "team-core", "name": "Another"})", 409, ""},
      {"PUT", "/api/v1/teams/team-edge", R"({"name": "Core"})", 409, ""},
      {"POST", "/api/v1/issuers", R"({"name": "Local", "type": "GenericCA"})", 409, ""},
      {"POST", "/api/v1/certificates",
       R"({"name": "web", "common_name": "other.example.com", "issuer_id": "iss-own"})", 409, ""},
      {"POST", "/api/v1/policies", R"({"name": "Own", "type": "AllowedIssuers"})", 409, ""},
      {"POST", "/api/v1/profiles", R"({"name": "TLS"})", 409, ""},
      // Deleting something still referenced.
      {"DELETE", "/api/v1/teams/team-core", "", 409, ""},
      {"DELETE", "/api/v1/owners/o-ann", "", 409, ""},
      {"DELETE", "/api/v1/issuers/iss-own", "", 409, ""},
      // Ids in the path that cannot exist.
      {"GET", "/api/v1/certificates/..%2F..", "", 404, ""},
      {"GET", "/api/v1/certificates/..%2Fteams", "", 404, ""},
      {"GET", "/api/v1/certificates/%2e%2e", "", 404, ""},
      {"GET", "/api/v1/teams/team%20core", "", 404, ""},
      {"GET", "/api/v1/teams/team-core%00", "", 404, ""},
      {"GET", "/api/v1/teams/" + longId, "", 404, ""},
      {"GET", "/api/v1/teams/" + veryLongId, "", 404, ""},
      {"GET", "/api/v1/teams/team-nope", "", 404, ""},
      {"PUT", "/api/v1/teams/" + longId, R"({"name": "x"})", 404, ""},
      {"PUT", "/api/v1/teams/team-nope", R"({"name": "x"})", 404, ""},
      {"PUT", "/api/v1/certificates/..%2F..", R"({"name": "x"})", 404, ""},
      {"DELETE", "/api/v1/teams/" + longId, "", 404, ""},
      {"DELETE", "/api/v1/certificates/..%2F..", "", 404, ""},
      {"DELETE", "/api/v1/certificates/mc-nope", "", 404, ""},
      // Methods a path does not have.
      {"PATCH", "/api/v1/teams/team-core", R"({"name": "x"})", 405, ""},
      {"PUT", "/api/v1/teams", R"({"name": "x"})", 405, ""},
      {"DELETE", "/api/v1/certificates", "", 405, ""},
      {"POST", "/api/v1/teams/team-core", R"({"name": "x"})", 405, ""},
  };
  // List query parameters.
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"per_page=0", "per_page"},
           {"per_page=501", "per_page"},
           {"per_page=abc", "per_page"},
           {"per_page=-5", "per_page"},
           {"per_page=10x", "per_page"},
           {"per_page=", "per_page"},
           {"page=-1", "page"},
           {"page=0", "page"},
           {"page=abc", "page"},
           {"page_size=0", "page_size"},
           {"page_size=501", "page_size"},
           {"sort=bogus", "sort"},
           {"sort=-bogus", "sort"},
           {"sort=issuer_id", "sort"},
           {"sort=--name", "sort"},
           {"sort=", "sort"},
           {"cursor=%21%21%21not-base64%24%24", "cursor"},
           {"cursor=" + base64Url("hello, world"), "cursor"},
           {"cursor=" + base64Url("{\"s\":\"-created_at\",\"v\":1,\"id\":\"x\"}"), "cursor"},
           {"cursor=" + base64Url("[1,2,3]"), "cursor"},
           {"cursor=" + base64Url("{\"s\":\"-created_at\",\"v\":\"x\",\"id\":\"x\"}") + "%00",
            "cursor"},
           {"page=2&page_size=5", "page"},
           {"colour=red", "colour"},
           {"owner=o-ann", "owner"},
           {"status=Bogus", "status"},
           {"issuer_id=../x", "issuer_id"},
           {"profile_id=" + longId, "profile_id"},
           {"expires_before=2026-13-01T00:00:00Z", "expires_before"},
           {"expires_after=2026-01-01", "expires_after"},
           {"created_after=yesterday", "created_after"},
           {"updated_after=2026-01-01T00:00:00", "updated_after"},
           {"fields=id,private_key", "fields"},
           {"per_page=10&per_page=20", "per_page"},
       }) {
    cases.push_back({"GET", "/api/v1/certificates?" + query, "", 400, field});
  }
  cases.push_back({"GET", "/api/v1/teams?sort=notAfter", "", 400, "sort"});
  cases.push_back({"GET", "/api/v1/policies?type=NoSuchRule", "", 400, "type"});
  cases.push_back({"GET", "/api/v1/teams?environment=prod", "", 400, "environment"});

  auto before = snapshot(server);
  for (const auto& c : cases) {
    INFO(c.method << " " << c.path.substr(0, 200) << " body: " << c.body.substr(0, 200));
    HttpResult r = server.request(c.method, c.path, c.body, c.headers);
    expectError(r, c.status, c.field);
    if (c.status == 405) CHECK(!r.header("allow").empty());
  }
  CHECK(snapshot(server) == before);

  // The team is still there after the refused DELETE, and still referenced.
  CHECK(expectStatus(server.get("/api/v1/teams/team-core"), 200) == team);
  CHECK(expectStatus(server.get("/api/v1/owners/o-ann"), 200)["team_id"] == "team-core");

  // The same requests done right succeed (the cases failed for the stated reason).
  expectStatus(server.post("/api/v1/teams", json::parse(R"({"name": "x"})")), 201);
  expectStatus(server.put("/api/v1/teams/team-edge", json::parse(R"({"name": "Edge 2"})")), 200);
  expectStatus(server.post("/api/v1/certificates", json::parse(validCert + "}")), 201);
  expectStatus(server.get("/api/v1/certificates?per_page=500&page=1&sort=-name&status=pending"),
               200);
  expectStatus(server.del("/api/v1/owners/o-ann"), 409);  // still referenced by mc-web
  expectStatus(server.put("/api/v1/certificates/mc-web", json::parse(R"({"owner_id": null})")),
               200);
  expectStatus(server.del("/api/v1/owners/o-ann"), 204);
  expectStatus(server.del("/api/v1/teams/team-core"), 204);
  expectError(server.get("/api/v1/teams/team-core"), 404);
}

TEST_CASE("API bad input: a body over the limit is refused with 413", "[api]") {
  ServerProcess server;
  auto totalTeams = [&] { return expectStatus(server.get("/api/v1/teams"), 200)["total"]; };
  CHECK(totalTeams() == 0);
  // Default limit: 1 MiB. Sent with curl, which (unlike the test's HTTP
  // client) reads the early response while it is still sending.
  certctl::testing::TempDir dir;
  std::string file = (dir.path() / "big.json").string();
  {
    std::ofstream out(file);
    out << R"({"name": "big", "description": ")" << std::string(1024 * 1024, 'x') << "\"}";
  }
  for (const std::vector<std::string>& extra : std::vector<std::vector<std::string>>{
           {},                                       // Expect: 100-continue
           {"-H", "Expect:"},                        // the body follows at once
           {"-H", "Transfer-Encoding: chunked"}}) {  // no Content-Length
    std::vector<std::string> argv = {"curl",
                                     "-sS",
                                     "--max-time",
                                     "30",
                                     "--cacert",
                                     server.caFile().string(),
                                     "-H",
                                     "Authorization: Bearer " + server.apiKey(),
                                     "-H",
                                     "Content-Type: application/json",
                                     "-w",
                                     "\n%{http_code}",
                                     "--data-binary",
                                     "@" + file};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(server.baseUrl() + "/api/v1/teams");
    auto result = certctl::testing::runProcess(argv);
    INFO(result.output);
    REQUIRE(result.exitCode == 0);
    auto newline = result.output.rfind('\n');
    REQUIRE(newline != std::string::npos);
    CHECK(result.output.substr(newline + 1) == "413");
    json doc = json::parse(result.output.substr(0, newline));
    CHECK(doc["error"]["code"] == "payload_too_large");
    CHECK(doc["error"]["field"] == "body");
    CHECK(doc["request_id"].is_string());
  }
  CHECK(totalTeams() == 0);
  // A large body under the limit is accepted.
  std::string fits = R"({"name": "fits", "description": ")" + std::string(4000, 'x') + "\"}";
  expectStatus(server.request("POST", "/api/v1/teams", fits), 201);
  CHECK(totalTeams() == 1);
}
