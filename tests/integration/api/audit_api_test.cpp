// The audit API: every /api/v1 request is recorded; events are listed with
// actor/resource/action/time filters, read one by one, exported as CSV or
// JSON, and cannot be changed or removed through the API.
#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/server_process.h"

using certctl::testing::HttpResult;
using certctl::testing::ServerProcess;
using certctl::testing::ServerProcessOptions;
using nlohmann::json;

namespace {

const std::string kKeyOne = "audit-test-key-one-0123456789";
const std::string kKeyTwo = "audit-test-key-two-9876543210";

json expectStatus(const HttpResult& r, int status) {
  INFO("HTTP " << r.status << " " << r.body);
  REQUIRE(r.status == status);
  json doc;
  if (!r.body.empty() && r.header("content-type").find("json") != std::string::npos)
    REQUIRE_NOTHROW(doc = json::parse(r.body));
  return doc;
}

void expectError(const HttpResult& r, int status, const std::string& field = {}) {
  json doc = expectStatus(r, status);
  INFO(r.body);
  REQUIRE(doc["error"].is_object());
  CHECK(doc["error"]["code"].is_string());
  CHECK(doc["error"]["message"].is_string());
  CHECK(doc["request_id"] == r.header("x-request-id"));
  if (!field.empty()) CHECK(doc["error"].value("field", std::string()) == field);
}

std::string sha256Prefix(const std::string& data) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(data);
  return Poco::DigestEngine::digestToHex(engine.digest()).substr(0, 16);
}

// RFC 4180: quoted cells with doubled quotes, CRLF line ends.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, inQuotes = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inQuotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        inQuotes = false;
      } else {
        cell += c;
      }
    } else if (c == '"' && cell.empty() && !quoted) {
      inQuotes = quoted = true;
    } else if (c == ',') {
      row.push_back(cell);
      cell.clear();
      quoted = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(cell);
      rows.push_back(row);
      row.clear();
      cell.clear();
      quoted = false;
      ++i;
    } else {
      cell += c;
    }
  }
  if (!cell.empty() || !row.empty()) {
    row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

// GET requests are audited asynchronously (batched): wait until `done` holds.
json waitForEvents(ServerProcess& server, const std::string& query,
                   const std::function<bool(const json&)>& done) {
  json page;
  for (int i = 0; i < 200; ++i) {  // up to 10 s
    page = expectStatus(server.get("/api/v1/audit?per_page=500&" + query), 200);
    if (done(page["data"])) return page;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("audit events did not appear: " << query << " -> " << page.dump());
  return page;
}

size_t countWhere(const json& events, const std::function<bool(const json&)>& pred) {
  size_t n = 0;
  for (const auto& e : events)
    if (pred(e)) ++n;
  return n;
}

}  // namespace

TEST_CASE("API audit: requests are recorded, filtered, read, exported, immutable", "[api]") {
  ServerProcessOptions options;
  options.env["CERTCTL_AUTH_SECRET"] = kKeyOne + "," + kKeyTwo;
  ServerProcess server(options);

  // Phase 1 with the first key (actor key-1).
  std::string teamBody = R"({"name": "Audited team", "email": "audit@example.com"})";
  HttpResult created = server.request("POST", "/api/v1/teams", teamBody);
  json team = expectStatus(created, 201);
  std::string teamId = team["id"];
  HttpResult updated = server.request("PUT", "/api/v1/teams/" + teamId, R"({"description": "d"})");
  expectStatus(updated, 200);
  expectStatus(server.get("/api/v1/teams/" + teamId), 200);
  expectError(server.request("POST", "/api/v1/teams", R"({"name": 1})"), 400, "name");

  // Timestamps have one-second resolution: phase 2 starts in a later second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));

  // Phase 2 with the second key (actor key-2), including awkward paths for the CSV.
  HttpResult issuer = server.request("POST", "/api/v1/issuers",
                                     R"({"name": "Audited CA", "type": "GenericCA"})", {}, kKeyTwo);
  expectStatus(issuer, 201);
  expectStatus(server.request("GET", "/api/v1/teams", "", {}, kKeyTwo), 200);
  expectError(server.request("GET", "/api/v1/teams/x%22y,z", "", {}, kKeyTwo), 404);
  expectError(server.request("GET", "/api/v1/teams/=HYPERLINK(1)", "", {}, kKeyTwo), 404);
  expectError(server.request("DELETE", "/api/v1/teams/team-nope", "", {}, kKeyTwo), 404);

  // Reads are written in batches, mutations at once: wait until all eight
  // (the last GET among them) are in the database.
  json teamEvents = waitForEvents(server, "resource=teams", [](const json& events) {
    return events.size() >= 8 &&
           countWhere(events, [](const json& e) { return e["resource_id"] == "=HYPERLINK(1)"; }) ==
               1;
  });
  INFO(teamEvents.dump());
  const json& events = teamEvents["data"];
  CHECK(teamEvents["total"] == 8);
  REQUIRE(events.size() == 8);

  // Every field of the recorded events.
  for (const auto& e : events) {
    INFO(e.dump());
    CHECK(e["id"].get<std::string>().rfind("ae-", 0) == 0);
    CHECK(e["timestamp"].is_string());
    CHECK(e["action"] == "api.request");
    CHECK(e["actor_type"] == "api_key");
    CHECK(e["resource_type"] == "teams");
    CHECK(e["latency_ms"].is_number());
    CHECK(e["latency_ms"].get<double>() >= 0);
    CHECK(e["request_id"].is_string());
    CHECK(e["path"].get<std::string>().rfind("/api/v1/teams", 0) == 0);
  }
  auto find = [&](const std::string& method, int status) {
    for (const auto& e : events)
      if (e["method"] == method && e["status_code"] == status) return e;
    FAIL("no " << method << " " << status << " event in " << events.dump());
    return json();
  };
  json post = find("POST", 201);
  CHECK(post["actor"] == "key-1");
  CHECK((post["resource_id"].is_null() || post["resource_id"] == ""));
  CHECK(post["path"] == "/api/v1/teams");
  CHECK(post["body_hash"] == sha256Prefix(teamBody));
  CHECK(post["request_id"] == created.header("x-request-id"));
  json put = find("PUT", 200);
  CHECK(put["resource_id"] == teamId);
  CHECK(put["body_hash"] == sha256Prefix(R"({"description": "d"})"));
  CHECK(put["request_id"] == updated.header("x-request-id"));
  CHECK(find("POST", 400)["actor"] == "key-1");
  CHECK(find("DELETE", 404)["actor"] == "key-2");
  CHECK(find("DELETE", 404)["resource_id"] == "team-nope");
  // Newest first by default.
  for (size_t i = 1; i < events.size(); ++i)
    CHECK(events[i - 1]["timestamp"].get<std::string>() >=
          events[i]["timestamp"].get<std::string>());

  // Filters: actor, resource, action, method, before/after.
  for (const std::string actor : {"key-1", "key-2"}) {
    json page =
        expectStatus(server.get("/api/v1/audit?per_page=500&resource=teams&actor=" + actor), 200);
    INFO("actor " << actor);
    CHECK(page["total"] == countWhere(events, [&](const json& e) { return e["actor"] == actor; }));
    for (const auto& e : page["data"]) CHECK(e["actor"] == actor);
  }
  json issuers = expectStatus(server.get("/api/v1/audit?resource=issuers"), 200);
  REQUIRE(issuers["total"] == 1);
  CHECK(issuers["data"][0]["actor"] == "key-2");
  CHECK(issuers["data"][0]["request_id"] == issuer.header("x-request-id"));
  CHECK(expectStatus(server.get("/api/v1/audit?resource=teams&action=api.request"), 200)["total"] ==
        8);
  CHECK(expectStatus(server.get("/api/v1/audit?action=certificate.revoked"), 200)["total"] == 0);
  CHECK(expectStatus(server.get("/api/v1/audit?resource=teams&method=POST"), 200)["total"] == 2);
  CHECK(expectStatus(server.get("/api/v1/audit?actor=nobody"), 200)["total"] == 0);

  std::set<std::string> stamps;
  for (const auto& e : events) stamps.insert(e["timestamp"]);
  REQUIRE(stamps.size() >= 2);  // the two phases
  for (const auto& t : stamps) {
    INFO("t=" << t);
    json after =
        expectStatus(server.get("/api/v1/audit?per_page=500&resource=teams&after=" + t), 200);
    CHECK(after["total"] == countWhere(events, [&](const json& e) { return e["timestamp"] > t; }));
    json before =
        expectStatus(server.get("/api/v1/audit?per_page=500&resource=teams&before=" + t), 200);
    CHECK(before["total"] == countWhere(events, [&](const json& e) { return e["timestamp"] < t; }));
  }
  std::string first = *stamps.begin(), last = *stamps.rbegin();
  json window = expectStatus(
      server.get("/api/v1/audit?resource=teams&after=2000-01-01T00:00:00%2B02:00&before=" + last),
      200);
  CHECK(window["total"] ==
        countWhere(events, [&](const json& e) { return e["timestamp"] < last; }));
  expectError(server.get("/api/v1/audit?after=yesterday"), 400, "after");
  expectError(server.get("/api/v1/audit?sort=actor"), 400, "sort");
  expectError(server.get("/api/v1/audit?colour=red"), 400, "colour");

  // One event by id.
  for (const auto& e : events) {
    CHECK(expectStatus(server.get("/api/v1/audit/" + e["id"].get<std::string>()), 200) == e);
  }
  expectError(server.get("/api/v1/audit/ae-nope"), 404);

  // CSV export: header, one line per event (same order as the list), quoting.
  HttpResult csv = server.get("/api/v1/audit/export?format=csv&resource=teams");
  REQUIRE(csv.status == 200);
  CHECK(csv.header("content-type").find("text/csv") == 0);
  CHECK(csv.header("content-disposition").find("attachment") != std::string::npos);
  CHECK(csv.body.find("\"/api/v1/teams/x\"\"y,z\"") != std::string::npos);
  auto table = parseCsv(csv.body);
  REQUIRE(table.size() == events.size() + 1);
  const std::vector<std::string> header = {
      "id",          "timestamp", "actor", "actor_type",  "action",     "resource_type",
      "resource_id", "method",    "path",  "status_code", "latency_ms", "body_hash",
      "request_id",  "details"};
  CHECK(table[0] == header);
  auto column = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& row = table[i + 1];
    const auto& e = events[i];
    INFO("row " << i << ": " << e.dump());
    REQUIRE(row.size() == header.size());
    CHECK(row[column("id")] == e["id"]);
    CHECK(row[column("timestamp")] == e["timestamp"]);
    CHECK(row[column("actor")] == e["actor"]);
    CHECK(row[column("method")] == e["method"]);
    CHECK(row[column("path")] == e["path"]);
    CHECK(row[column("status_code")] == std::to_string(e["status_code"].get<int>()));
    // A cell starting with = + - @ is defused for spreadsheets.
    std::string rid = e["resource_id"].is_string() ? e["resource_id"].get<std::string>() : "";
    CHECK(row[column("resource_id")] == (rid.rfind("=", 0) == 0 ? "'" + rid : rid));
  }
  // Every line of the raw text is CRLF-terminated; the body ends with one.
  CHECK(csv.body.size() >= 2);
  CHECK(csv.body.substr(csv.body.size() - 2) == "\r\n");

  // JSON export: the same events as the list, as a plain array.
  HttpResult exported = server.get("/api/v1/audit/export?format=json&resource=teams");
  json exportedJson = expectStatus(exported, 200);
  CHECK(exported.header("content-type").find("application/json") == 0);
  REQUIRE(exportedJson.is_array());
  CHECK(exportedJson == events);
  json byActor = expectStatus(server.get("/api/v1/audit/export?resource=teams&actor=key-2"), 200);
  CHECK(byActor.size() == countWhere(events, [](const json& e) { return e["actor"] == "key-2"; }));
  json afterFirst = expectStatus(
      server.get("/api/v1/audit/export?format=json&resource=teams&after=" + first), 200);
  CHECK(afterFirst.size() ==
        countWhere(events, [&](const json& e) { return e["timestamp"] > first; }));
  expectError(server.get("/api/v1/audit/export?format=xml"), 400, "format");
  expectError(server.get("/api/v1/audit/export?format=csv&colour=red"), 400, "colour");

  // Audit events cannot be changed or removed through the API.
  const json& target = events[0];
  std::string path = "/api/v1/audit/" + target["id"].get<std::string>();
  for (const auto& [method, p] :
       std::vector<std::pair<std::string, std::string>>{{"PUT", path},
                                                        {"PATCH", path},
                                                        {"DELETE", path},
                                                        {"POST", path},
                                                        {"POST", "/api/v1/audit"},
                                                        {"DELETE", "/api/v1/audit"},
                                                        {"PUT", "/api/v1/audit"},
                                                        {"DELETE", "/api/v1/audit/export"}}) {
    INFO(method << " " << p);
    HttpResult r = server.request(method, p, R"({"actor": "mallory"})");
    expectError(r, 405);
    CHECK(r.header("allow").find("GET") != std::string::npos);
  }
  CHECK(expectStatus(server.get(path), 200) == target);
  // ... and the attempts themselves are on record.
  json attempts =
      expectStatus(server.get("/api/v1/audit?resource=audit&method=DELETE&per_page=500"), 200);
  CHECK(attempts["total"] == 3);
  for (const auto& e : attempts["data"]) CHECK(e["status_code"] == 405);
}
