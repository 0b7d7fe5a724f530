// End-to-end CRUD of every inventory resource against the real
// certctl-server (HTTPS, API key), on the run's dialect (SQLite or PostgreSQL).
#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/server_process.h"

using certctl::testing::HttpResult;
using certctl::testing::ServerProcess;
using nlohmann::json;

namespace {

json parsed(const HttpResult& r) {
  INFO("body: " << r.body);
  json doc;
  REQUIRE_NOTHROW(doc = json::parse(r.body));
  return doc;
}

json expectStatus(const HttpResult& r, int status) {
  INFO("HTTP " << r.status << " " << r.body);
  REQUIRE(r.status == status);
  if (r.body.empty()) return json();
  return parsed(r);
}

// {"error": {"code", "message", "field"?}, "request_id"} with the given status.
void expectError(const HttpResult& r, int status, const std::string& field = {}) {
  json doc = expectStatus(r, status);
  INFO("HTTP " << r.status << " " << r.body);
  REQUIRE(r.header("content-type").find("application/json") != std::string::npos);
  REQUIRE(doc.is_object());
  REQUIRE(doc["error"].is_object());
  CHECK(doc["error"]["code"].is_string());
  CHECK(!doc["error"]["code"].get<std::string>().empty());
  CHECK(doc["error"]["message"].is_string());
  CHECK(!doc["error"]["message"].get<std::string>().empty());
  REQUIRE(doc["request_id"].is_string());
  CHECK(doc["request_id"] == r.header("x-request-id"));
  if (!field.empty()) CHECK(doc["error"].value("field", std::string()) == field);
}

long long listTotal(ServerProcess& server, const std::string& resource) {
  json doc = expectStatus(server.get("/api/v1/" + resource), 200);
  REQUIRE(doc["total"].is_number_integer());
  return doc["total"].get<long long>();
}

const std::regex kSnakeCase("^[a-z][a-z0-9_]*$");
const std::regex kRfc3339Utc("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$");

// Request keys that the API stores under another (canonical) name.
std::string canonicalKey(const std::string& resource, const std::string& key) {
  if (resource == "certificates" && key == "profile_id") return "certificate_profile_id";
  if (resource == "agent-groups") {
    if (key == "os_match") return "match_os";
    if (key == "architecture_match") return "match_architecture";
    if (key == "ip_cidr_match") return "match_ip_cidr";
    if (key == "version_match") return "match_version";
  }
  return key;
}

// Every key the client sent comes back with the same value; the record has
// a server id, snake_case keys and RFC 3339 timestamps.
void expectRecord(const std::string& resource, const json& record, const json& sent) {
  INFO(resource << " record: " << record.dump());
  REQUIRE(record.is_object());
  REQUIRE(record["id"].is_string());
  for (const auto& [key, value] : record.items()) {
    INFO("key " << key);
    CHECK(std::regex_match(key, kSnakeCase));
  }
  REQUIRE(record["created_at"].is_string());
  CHECK(std::regex_match(record["created_at"].get<std::string>(), kRfc3339Utc));
  REQUIRE(record["updated_at"].is_string());
  CHECK(std::regex_match(record["updated_at"].get<std::string>(), kRfc3339Utc));
  for (const auto& [key, value] : sent.items()) {
    INFO("sent key " << key);
    std::string k = canonicalKey(resource, key);
    REQUIRE(record.contains(k));
    CHECK(record[k] == value);
  }
}

struct ResourceCase {
  std::string name;    // URL segment
  std::string prefix;  // generated id prefix
  json create;         // body of the first POST (server-generated id)
  json second;         // body of the second POST (gets a client-chosen id)
  json update;         // partial PUT body
};

// POST 201 + Location (generated id), POST with a client-chosen id, GET,
// list, then returns {first, second}.
std::pair<json, json> createTwo(ServerProcess& server, const ResourceCase& rc) {
  INFO("resource " << rc.name);
  std::string base = "/api/v1/" + rc.name;
  long long before = listTotal(server, rc.name);

  HttpResult r = server.post(base, rc.create);
  json first = expectStatus(r, 201);
  CHECK(r.header("content-type").find("application/json") != std::string::npos);
  expectRecord(rc.name, first, rc.create);
  std::string id = first["id"];
  CHECK(id.rfind(rc.prefix, 0) == 0);
  CHECK(id.size() > rc.prefix.size());
  CHECK(r.header("location") == base + "/" + id);
  CHECK(first["created_at"] == first["updated_at"]);

  // The Location header leads to the same record.
  json fetched = expectStatus(server.get(r.header("location")), 200);
  CHECK(fetched == first);

  json secondBody = rc.second;
  std::string chosenId = rc.prefix + "client-chosen-1";
  secondBody["id"] = chosenId;
  r = server.post(base, secondBody);
  json second = expectStatus(r, 201);
  expectRecord(rc.name, second, rc.second);
  CHECK(second["id"] == chosenId);
  CHECK(r.header("location") == base + "/" + chosenId);
  CHECK(expectStatus(server.get(base + "/" + chosenId), 200) == second);

  // Both are in the list (with all their fields).
  json list = expectStatus(server.get(base + "?per_page=500"), 200);
  CHECK(list["total"] == before + 2);
  int seen = 0;
  for (const auto& item : list["data"])
    if (item["id"] == id || item["id"] == chosenId) {
      ++seen;
      CHECK(item == (item["id"] == id ? first : second));
    }
  CHECK(seen == 2);
  return {first, second};
}

// PUT changes only the given fields and updated_at (the caller waited a
// second so the timestamp can move).
void updateOne(ServerProcess& server, const ResourceCase& rc, const json& before) {
  INFO("resource " << rc.name);
  std::string path = "/api/v1/" + rc.name + "/" + before["id"].get<std::string>();
  json after = expectStatus(server.put(path, rc.update), 200);
  INFO("before " << before.dump() << "\nafter " << after.dump());
  for (const auto& [key, value] : rc.update.items())
    CHECK(after[canonicalKey(rc.name, key)] == value);
  for (const auto& [key, value] : before.items()) {
    bool updated = key == "updated_at";
    for (const auto& [k, v] : rc.update.items()) updated |= canonicalKey(rc.name, k) == key;
    if (!updated) CHECK(after[key] == value);
  }
  CHECK(after["created_at"] == before["created_at"]);
  CHECK(after["updated_at"] != before["updated_at"]);
  CHECK(after["updated_at"].get<std::string>() > before["updated_at"].get<std::string>());
  CHECK(expectStatus(server.get(path), 200) == after);
}

}  // namespace

TEST_CASE("API CRUD: every inventory resource over HTTPS", "[api]") {
  ServerProcess server;

  std::vector<ResourceCase> cases = {
      {"teams",
       "team-",
       {{"name", "Platform Engineering"}, {"email", "platform@example.com"}},
       {{"name", "Security"}, {"description", "AppSec"}},
       {{"description", "Runs the shared platform"}}},
      {"issuers",
       "iss-",
       {{"name", "Team CA"}, {"type", "local-ca"}, {"config", {{"validity_days", 90}}}},
       {{"name", "Second CA"}, {"type", "GenericCA"}, {"enabled", false}},
       {{"config", {{"validity_days", 30}, {"key_type", "ecdsa"}}}, {"enabled", false}}},
      {"targets",
       "t-",
       {{"name", "nginx-prod"}, {"type", "nginx"}, {"config", {{"cert_path", "/etc/nginx/c.pem"}}}},
       {{"name", "haproxy-edge"}, {"type", "haproxy"}},
       {{"enabled", false}}},
      {"renewal-policies",
       "rp-",
       {{"name", "Standard 30d"}, {"renewal_window_days", 30}, {"auto_renew", true}},
       {{"name", "Aggressive"}, {"renewal_window_days", 60}, {"max_retries", 5}},
       {{"renewal_window_days", 45}, {"alert_thresholds_days", {45, 14, 1}}}},
      {"profiles",
       "prof-",
       // Seed 001 "Profile Model", unchanged.
       {{"name", "Standard TLS"},
        {"allowed_key_algorithms", {"ECDSA"}},
        {"max_ttl_hours", 2160},
        {"allowed_ekus", {"serverAuth"}}},
       {{"name", "S/MIME Email"},
        {"allowed_key_algorithms", {"RSA", "ECDSA"}},
        {"max_ttl_hours", 8760},
        {"allowed_ekus", {"emailProtection"}}},
       {{"allowed_key_algorithms", {"RSA", "ECDSA"}}, {"max_ttl_hours", 720}}},
      {"policies",
       "pr-",
       // Seed 001 "Policy Engine", unchanged.
       {{"name", "Require Ownership"},
        {"type", "RequiredMetadata"},
        {"severity", "Error"},
        {"config", {{"required_fields", {"owner_id", "team_id"}}}}},
       {{"name", "Prod only"},
        {"type", "AllowedEnvironments"},
        {"config", {{"environments", {"production"}}}}},
       {{"severity", "Critical"}, {"enabled", false}}},
      {"agent-groups",
       "ag-",
       // Seed 001 "Agent Groups" (minus its client-chosen id).
       {{"name", "Linux DC1"}, {"os_match", "linux"}, {"ip_cidr_match", "10.0.1.0/24"}},
       {{"name", "ARM fleet"}, {"match_architecture", "arm64"}},
       {{"description", "all Linux agents in DC1"}, {"match_version", ">=1.2.0"}}},
  };

  std::vector<std::pair<json, json>> created;
  for (const auto& rc : cases) created.push_back(createTwo(server, rc));

  // Owners and certificates reference the records above.
  std::string teamId = created[0].first["id"];
  std::string issuerId = created[1].first["id"];
  std::string profileId = created[4].first["id"];
  std::string renewalId = created[3].first["id"];
  cases.push_back({"owners",
                   "o-",
                   {{"name", "Alice Chen"}, {"email", "alice@example.com"}, {"team_id", teamId}},
                   {{"name", "Bob Ops"}, {"email", "bob@example.com"}},
                   {{"email", "alice.chen@example.com"}}});
  created.push_back(createTwo(server, cases.back()));
  std::string ownerId = created.back().first["id"];
  cases.push_back({"certificates",
                   "mc-",
                   {{"name", "api-prod"},
                    {"common_name", "api.example.com"},
                    {"sans", {"api.example.com", "www.api.example.com"}},
                    {"environment", "production"},
                    {"issuer_id", issuerId},
                    {"owner_id", ownerId},
                    {"team_id", teamId},
                    {"renewal_policy_id", renewalId},
                    {"expires_at", "2027-03-01T12:00:00Z"},
                    {"tags", {{"app", "api"}}}},
                   {{"name", "web-staging"},
                    {"common_name", "web.staging.example.com"},
                    {"issuer_id", issuerId}},
                   // Seed 001 "Profile Model": assign a profile by profile_id.
                   {{"profile_id", profileId}, {"environment", "prod-eu"}}});
  created.push_back(createTwo(server, cases.back()));

  // Defaults the server fills in on create.
  const json& cert = created.back().first;
  CHECK(cert["status"] == "Pending");
  CHECK(cert["source"] == "api");
  CHECK(created.back().second["sans"] == json::array());
  CHECK(created.back().second["tags"] == json::object());
  CHECK(created.back().second["owner_id"].is_null());
  CHECK(created[2].first["enabled"] == true);
  CHECK(created[5].second["severity"] == "Warning");
  CHECK(created[3].first["max_retries"] == 3);
  CHECK(created[4].first["required_sans"] == json::array());

  // Timestamps have one-second resolution: make sure the update lands in a later second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  for (size_t i = 0; i < cases.size(); ++i) updateOne(server, cases[i], created[i].first);

  // An empty PUT body object changes nothing.
  {
    std::string path = "/api/v1/teams/" + teamId;
    json before = expectStatus(server.get(path), 200);
    CHECK(expectStatus(server.put(path, json::object()), 200) == before);
  }

  // DELETE the client-chosen records (nothing references them): 204, then 404.
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& rc = cases[i];
    INFO("resource " << rc.name);
    std::string path = "/api/v1/" + rc.name + "/" + created[i].second["id"].get<std::string>();
    long long before = listTotal(server, rc.name);
    HttpResult r = server.del(path);
    REQUIRE(r.status == 204);
    CHECK(r.body.empty());
    if (rc.name == "certificates") {
      // Certificates are archived, never deleted.
      json archived = expectStatus(server.get(path), 200);
      CHECK(archived["status"] == "Archived");
      CHECK(archived["name"] == created[i].second["name"]);
      CHECK(listTotal(server, rc.name) == before);
      json onlyArchived = expectStatus(server.get("/api/v1/certificates?status=Archived"), 200);
      REQUIRE(onlyArchived["total"] == 1);
      CHECK(onlyArchived["data"][0]["id"] == created[i].second["id"]);
      // Names are unique among live certificates only: the archived one's name is free again.
      json reused = expectStatus(server.post("/api/v1/" + rc.name, rc.second), 201);
      CHECK(reused["id"] != created[i].second["id"]);
      CHECK(reused["status"] == "Pending");
      CHECK(listTotal(server, rc.name) == before + 1);
    } else {
      expectError(server.get(path), 404);
      expectError(server.del(path), 404);
      expectError(server.put(path, rc.update), 404);
      CHECK(listTotal(server, rc.name) == before - 1);
    }
  }
  // The first records are still there.
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("resource " << cases[i].name);
    expectStatus(
        server.get("/api/v1/" + cases[i].name + "/" + created[i].first["id"].get<std::string>()),
        200);
  }
}

TEST_CASE("API CRUD: seed 001 examples work unchanged", "[api]") {
  ServerProcess server;

  // "Ownership & Accountability": the owner example refers to team t-platform.
  json team = expectStatus(server.post("/api/v1/teams", json::parse(R"({"id": "t-platform",
      "name": "Platform Engineering", "email": "platform@example.com"})")),
                           201);
  CHECK(team["id"] == "t-platform");
  json owner = expectStatus(server.post("/api/v1/owners", json::parse(R"(
      {"name": "Alice Chen", "email": "alice@example.com", "team_id": "t-platform"})")),
                            201);
  CHECK(owner["id"].get<std::string>().rfind("o-alice-chen", 0) == 0);
  CHECK(owner["team_id"] == "t-platform");
  expectStatus(server.post("/api/v1/owners", json::parse(R"({"id": "o-alice",
      "name": "Alice Chen", "email": "alice@example.com", "team_id": "t-platform"})")),
               201);

  // "Profile Model": three profiles, then the update example.
  std::vector<json> profiles;
  for (const char* body : {
           R"({"name": "Standard TLS", "allowed_key_algorithms": ["ECDSA"],
               "max_ttl_hours": 2160, "allowed_ekus": ["serverAuth"]})",
           R"({"name": "S/MIME Email", "allowed_key_algorithms": ["RSA", "ECDSA"],
               "max_ttl_hours": 8760, "allowed_ekus": ["emailProtection"]})",
           R"({"name": "Multi-Purpose", "allowed_key_algorithms": ["ECDSA"],
               "max_ttl_hours": 2160, "allowed_ekus": ["serverAuth", "clientAuth"]})"}) {
    json created = expectStatus(server.post("/api/v1/profiles", json::parse(body)), 201);
    CHECK(created["id"].get<std::string>().rfind("prof-", 0) == 0);
    profiles.push_back(created);
  }
  CHECK(profiles[0]["id"].get<std::string>().rfind("prof-standard-tls", 0) == 0);
  std::string profileId = profiles[0]["id"];
  json updatedProfile = expectStatus(server.put("/api/v1/profiles/" + profileId, json::parse(R"({
      "name": "Standard TLS", "max_ttl_hours": 2160, "allowed_key_algorithms": ["RSA", "ECDSA"],
      "allowed_ekus": ["serverAuth"]})")),
                                     200);
  CHECK(updatedProfile["allowed_key_algorithms"] == json({"RSA", "ECDSA"}));
  json profileList = expectStatus(server.get("/api/v1/profiles"), 200);
  CHECK(profileList["total"] == 3);
  for (const auto& p : profileList["data"])
    for (const char* key :
         {"id", "name", "max_ttl_hours", "allowed_key_algorithms", "allowed_ekus"})
      CHECK(p.contains(key));

  // A certificate, then "Assign profile to a certificate" and "Assign owner".
  json issuer =
      expectStatus(server.post("/api/v1/issuers", {{"name", "Local"}, {"type", "GenericCA"}}), 201);
  json cert = expectStatus(server.post("/api/v1/certificates", {{"id", "mc-api-prod"},
                                                                {"name", "api-prod"},
                                                                {"common_name", "api.example.com"},
                                                                {"issuer_id", issuer["id"]}}),
                           201);
  CHECK(cert["id"] == "mc-api-prod");
  json withProfile =
      expectStatus(server.put("/api/v1/certificates/mc-api-prod",
                              json::parse(R"({"profile_id": ")" + profileId + R"("})")),
                   200);
  CHECK(withProfile["certificate_profile_id"] == profileId);
  json withOwner = expectStatus(
      server.put("/api/v1/certificates/mc-api-prod", json::parse(R"({"owner_id": "o-alice"})")),
      200);
  CHECK(withOwner["owner_id"] == "o-alice");
  CHECK(withOwner["certificate_profile_id"] == profileId);
  json byProfile = expectStatus(server.get("/api/v1/certificates?profile_id=" + profileId), 200);
  REQUIRE(byProfile["total"] == 1);
  CHECK(byProfile["data"][0]["id"] == "mc-api-prod");

  // "Policy Engine" and "Agent Groups" examples.
  json policy = expectStatus(server.post("/api/v1/policies", json::parse(R"({
      "name": "Require Ownership", "type": "RequiredMetadata", "severity": "Error",
      "config": {"required_fields": ["owner_id", "team_id"]}})")),
                             201);
  CHECK(policy["id"].get<std::string>().rfind("pr-", 0) == 0);
  CHECK(policy["config"]["required_fields"] == json({"owner_id", "team_id"}));
  json group = expectStatus(server.post("/api/v1/agent-groups", json::parse(R"({
      "id": "ag-linux-dc1", "name": "Linux DC1",
      "os_match": "linux", "ip_cidr_match": "10.0.1.0/24"})")),
                            201);
  CHECK(group["id"] == "ag-linux-dc1");
  CHECK(group["match_os"] == "linux");
  CHECK(group["match_ip_cidr"] == "10.0.1.0/24");
  json groups = expectStatus(server.get("/api/v1/agent-groups"), 200);
  REQUIRE(groups["total"] == 1);
  CHECK(groups["data"][0]["match_os"] == "linux");

  // Enum values are accepted in any case and stored in their canonical spelling.
  json lower = expectStatus(
      server.post("/api/v1/policies",
                  {{"name", "lower case"}, {"type", "allowedissuers"}, {"severity", "critical"}}),
      201);
  CHECK(lower["type"] == "AllowedIssuers");
  CHECK(lower["severity"] == "Critical");

  // Timestamps with an offset are stored in UTC.
  json offset = expectStatus(
      server.put("/api/v1/certificates/mc-api-prod", {{"expires_at", "2027-01-01T12:30:00+02:00"}}),
      200);
  CHECK(offset["expires_at"] == "2027-01-01T10:30:00Z");

  // A GET body can be sent back as a PUT unchanged (read-only fields equal).
  json current = expectStatus(server.get("/api/v1/certificates/mc-api-prod"), 200);
  CHECK(expectStatus(server.put("/api/v1/certificates/mc-api-prod", current), 200)["name"] ==
        "api-prod");
}

TEST_CASE("API CRUD: agents are listed and read, not written through the inventory API", "[api]") {
  ServerProcess server;
  json list = expectStatus(server.get("/api/v1/agents"), 200);
  CHECK(list["data"] == json::array());
  CHECK(list["total"] == 0);
  CHECK(list["page"] == 1);
  CHECK(list["per_page"] == 50);
  CHECK(list["next_cursor"].is_null());
  expectError(server.get("/api/v1/agents/a-missing"), 404);
  HttpResult put = server.put("/api/v1/agents/a-missing", {{"name", "x"}});
  expectError(put, 405);
  CHECK(put.header("allow").find("GET") != std::string::npos);
}
