// Query features of seed 001 ("Query Features") on certificates created
// through the API: sort, page/per_page, keyset cursor, sparse fields, id
// filters and RFC 3339 time ranges, checked against the data itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/server_process.h"

using certctl::testing::HttpResult;
using certctl::testing::ServerProcess;
using nlohmann::json;

namespace {

json expectStatus(const HttpResult& r, int status) {
  INFO("HTTP " << r.status << " " << r.body);
  REQUIRE(r.status == status);
  json doc;
  REQUIRE_NOTHROW(doc = json::parse(r.body));
  return doc;
}

void expectError(const HttpResult& r, int status, const std::string& field) {
  json doc = expectStatus(r, status);
  INFO(r.body);
  REQUIRE(doc["error"].is_object());
  CHECK(doc["error"]["code"].is_string());
  CHECK(doc["error"]["message"].is_string());
  CHECK(doc["error"].value("field", std::string()) == field);
  CHECK(doc["request_id"].is_string());
}

std::string urlEncode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// RFC 3339 in UTC ("...Z") or with a numeric offset (the same instant).
std::string formatTime(std::time_t t, int offsetMinutes = 0, const char* fraction = "") {
  std::time_t local = t + offsetMinutes * 60;
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string s = std::string(buf) + fraction;
  if (offsetMinutes == 0) return s + "Z";
  int a = std::abs(offsetMinutes);
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offsetMinutes < 0 ? '-' : '+', a / 60, a % 60);
  return s + buf;
}

std::vector<std::string> ids(const json& items) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(item["id"]);
  return out;
}

// The value the server sorts by: NULL timestamps sort as the earliest
// instant, NULL strings as "" (so NULLs come first ascending).
std::string sortValue(const json& row, const std::string& column) {
  const json& v = row[column];
  if (v.is_null())
    return column.size() > 3 && column.substr(column.size() - 3) == "_at" ? "0001-01-01T00:00:00Z"
                                                                          : "";
  return v.get<std::string>();
}

// Expected order: (sort value, id), both reversed for descending.
std::vector<std::string> expectedOrder(std::vector<json> rows, const std::string& column,
                                       bool descending) {
  std::sort(rows.begin(), rows.end(), [&](const json& a, const json& b) {
    auto ka = std::make_pair(sortValue(a, column), a["id"].get<std::string>());
    auto kb = std::make_pair(sortValue(b, column), b["id"].get<std::string>());
    return descending ? kb < ka : ka < kb;
  });
  return ids(rows);
}

std::vector<std::string> expectedFiltered(const std::vector<json>& rows,
                                          const std::function<bool(const json&)>& keep) {
  std::vector<json> kept;
  for (const auto& r : rows)
    if (keep(r)) kept.push_back(r);
  return expectedOrder(kept, "created_at", true);  // the default order: newest first
}

const std::map<std::string, std::string> kSortColumns = {
    {"notAfter", "expires_at"},  {"expiresAt", "expires_at"},   {"createdAt", "created_at"},
    {"updatedAt", "updated_at"}, {"commonName", "common_name"}, {"name", "name"},
    {"status", "status"},        {"environment", "environment"}};

// Walks the keyset cursor; checks page sizes and the final null next_cursor.
std::vector<std::string> walkCursor(ServerProcess& server, const std::string& query, int pageSize) {
  std::vector<std::string> out;
  std::string cursor;
  for (int pages = 0; pages < 200; ++pages) {
    std::string path = "/api/v1/certificates?" + (query.empty() ? "" : query + "&") +
                       "page_size=" + std::to_string(pageSize);
    if (!cursor.empty()) path += "&cursor=" + urlEncode(cursor);
    json page = expectStatus(server.get(path), 200);
    INFO(path << " -> " << page.dump());
    REQUIRE(page["data"].is_array());
    CHECK(page["per_page"] == pageSize);
    CHECK(page.contains("next_cursor"));
    for (const auto& id : ids(page["data"])) out.push_back(id);
    if (page["next_cursor"].is_null()) {
      CHECK(page["data"].size() <= static_cast<size_t>(pageSize));
      return out;
    }
    REQUIRE(page["next_cursor"].is_string());
    CHECK(page["data"].size() == static_cast<size_t>(pageSize));
    cursor = page["next_cursor"];
  }
  FAIL("cursor walk did not end");
  return out;
}

struct Inventory {
  std::vector<std::string> issuers, teams, owners, profiles;
};

}  // namespace

TEST_CASE("API query features on certificates: sort, paging, cursor, fields, filters", "[api]") {
  ServerProcess server;
  Inventory inv;
  for (int i = 0; i < 2; ++i) {
    std::string n = std::to_string(i);
    inv.issuers.push_back(expectStatus(
        server.post("/api/v1/issuers", {{"name", "issuer " + n}, {"type", "GenericCA"}}), 201)["id"]);
    inv.teams.push_back(
        expectStatus(server.post("/api/v1/teams", {{"name", "team " + n}}), 201)["id"]);
    inv.owners.push_back(expectStatus(
        server.post("/api/v1/owners",
                    {{"name", "owner " + n}, {"email", n + "@x.test"}, {"team_id", inv.teams[i]}}),
        201)["id"]);
    inv.profiles.push_back(
        expectStatus(server.post("/api/v1/profiles", {{"name", "profile " + n}}), 201)["id"]);
  }

  // 60 certificates with spread-out values (and NULLs) in every sort column.
  const int kCount = 60;
  const std::time_t base = 1798761600;  // 2027-01-01T00:00:00Z
  const char* environments[] = {"production", "staging", "development"};
  const int offsets[] = {0, 120, -330, 345, -600};
  for (int i = 0; i < kCount; ++i) {
    char name[32], cn[64];
    std::snprintf(name, sizeof name, "svc-%02d", (i * 37) % kCount);
    std::snprintf(cn, sizeof cn, "host%d.example.com", (i * 7) % 20);  // 3 certificates each
    json body = {{"name", name}, {"common_name", cn}, {"issuer_id", inv.issuers[i % 2]}};
    if (i % 4 != 3) body["environment"] = environments[i % 3];
    if (i % 3 < 2) body["owner_id"] = inv.owners[i % 3];
    if (i % 5 != 0) body["team_id"] = inv.teams[i % 2];
    if (i % 4 < 2) body["profile_id"] = inv.profiles[i % 4];
    std::time_t expiry = base + ((i * 13) % 50) * 86400 + (i % 7) * 3600;
    if (i % 6 != 5) body["expires_at"] = formatTime(expiry, offsets[i % 5], i % 2 ? ".250" : "");
    json created = expectStatus(server.post("/api/v1/certificates", body), 201);
    if (i % 6 != 5) {
      CHECK(created["expires_at"] == formatTime(expiry));
    } else {
      CHECK(created["expires_at"].is_null());
    }
    // Two creation seconds at least, so created_after has something to split.
    if (i == kCount / 2) std::this_thread::sleep_for(std::chrono::milliseconds(1050));
  }

  // Archive 8 of them: a second status value (status itself is read-only).
  json all = expectStatus(server.get("/api/v1/certificates?per_page=500"), 200);
  REQUIRE(all["total"] == kCount);
  std::vector<std::string> archived;
  for (int i = 0; i < 8; ++i) {
    std::string id = all["data"][i * 7]["id"];
    REQUIRE(server.del("/api/v1/certificates/" + id).status == 204);
    archived.push_back(id);
  }

  all = expectStatus(server.get("/api/v1/certificates?per_page=500"), 200);
  REQUIRE(all["total"] == kCount);
  std::vector<json> rows(all["data"].begin(), all["data"].end());
  REQUIRE(rows.size() == static_cast<size_t>(kCount));

  {  // list envelope
    json page = expectStatus(server.get("/api/v1/certificates"), 200);
    std::set<std::string> keys;
    for (const auto& [k, v] : page.items()) keys.insert(k);
    CHECK(keys == std::set<std::string>{"data", "total", "page", "per_page", "next_cursor"});
    CHECK(page["total"] == kCount);
    CHECK(page["page"] == 1);
    CHECK(page["per_page"] == 50);  // the default
    CHECK(page["data"].size() == 50);
    CHECK(page["next_cursor"].is_null());
    // Default order: newest first.
    CHECK(ids(all["data"]) == expectedOrder(rows, "created_at", true));
  }

  {  // sort on all 8 seed fields, ascending and descending
    for (const auto& [apiName, column] : kSortColumns) {
      for (bool desc : {false, true}) {
        std::string sort = (desc ? "-" : "") + apiName;
        INFO("sort=" << sort);
        json page = expectStatus(server.get("/api/v1/certificates?per_page=500&sort=" + sort), 200);
        CHECK(page["total"] == kCount);
        CHECK(ids(page["data"]) == expectedOrder(rows, column, desc));
      }
    }
    // The snake_case column names are accepted too.
    json page = expectStatus(server.get("/api/v1/certificates?per_page=500&sort=-expires_at"), 200);
    CHECK(ids(page["data"]) == expectedOrder(rows, "expires_at", true));
  }

  {  // page and per_page
    auto order = expectedOrder(rows, "name", false);
    json p1 = expectStatus(server.get("/api/v1/certificates?sort=name"), 200);
    json p2 = expectStatus(server.get("/api/v1/certificates?sort=name&page=2"), 200);
    json p3 = expectStatus(server.get("/api/v1/certificates?sort=name&page=3"), 200);
    CHECK(p1["per_page"] == 50);
    CHECK(p2["page"] == 2);
    CHECK(ids(p1["data"]) == std::vector<std::string>(order.begin(), order.begin() + 50));
    CHECK(ids(p2["data"]) == std::vector<std::string>(order.begin() + 50, order.end()));
    CHECK(p3["data"].empty());
    CHECK(p3["total"] == kCount);

    std::vector<std::string> walked;
    for (int page = 1; page <= 9; ++page) {
      json p = expectStatus(
          server.get("/api/v1/certificates?sort=name&per_page=7&page=" + std::to_string(page)),
          200);
      CHECK(p["total"] == kCount);
      CHECK(p["page"] == page);
      CHECK(p["per_page"] == 7);
      CHECK(p["data"].size() == (page < 9 ? 7u : 4u));
      for (const auto& id : ids(p["data"])) walked.push_back(id);
    }
    CHECK(walked == order);
    json max = expectStatus(server.get("/api/v1/certificates?per_page=500"), 200);
    CHECK(max["per_page"] == 500);
    CHECK(max["data"].size() == static_cast<size_t>(kCount));
    json one = expectStatus(server.get("/api/v1/certificates?per_page=1&sort=-name"), 200);
    REQUIRE(one["data"].size() == 1);
    CHECK(one["data"][0]["id"] == order.back());
  }

  {  // keyset cursor walks every row once, in order
    for (const auto& [sort, column, desc] : std::vector<std::tuple<std::string, std::string, bool>>{
             {"-notAfter", "expires_at", true},     // NULLs tie on the sentinel
             {"commonName", "common_name", false},  // three rows per common name
             {"environment", "environment", false},
             {"-environment", "environment", true},
             {"-createdAt", "created_at", true},
             {"status", "status", false},
             {"-updatedAt", "updated_at", true}}) {
      auto order = expectedOrder(rows, column, desc);
      for (int size : {1, 7, 10, 60, 500}) {
        if (size == 1 && sort != "commonName") continue;  // one slow walk is enough
        INFO("sort=" << sort << " page_size=" << size);
        CHECK(walkCursor(server, "sort=" + sort, size) == order);
      }
    }
    // Without sort: the default order.
    CHECK(walkCursor(server, "", 13) == expectedOrder(rows, "created_at", true));
    // Filters and sparse fields combine with the cursor.
    std::vector<json> stagingRows;
    for (const auto& r : rows)
      if (r["environment"] == "staging") stagingRows.push_back(r);
    CHECK(walkCursor(server, "environment=staging&sort=name&fields=id,name", 4) ==
          expectedOrder(stagingRows, "name", false));
    json firstPage = expectStatus(
        server.get("/api/v1/certificates?environment=staging&sort=name&fields=id,name&page_size=4"),
        200);
    for (const auto& item : firstPage["data"]) CHECK(item.size() == 2);
  }

  {  // a cursor only works with the sort it was issued for
    json page = expectStatus(server.get("/api/v1/certificates?sort=-notAfter&page_size=5"), 200);
    REQUIRE(page["next_cursor"].is_string());
    std::string cursor = urlEncode(page["next_cursor"]);
    expectStatus(server.get("/api/v1/certificates?sort=-notAfter&page_size=5&cursor=" + cursor),
                 200);
    for (const char* other : {"sort=notAfter&", "sort=name&", "sort=-createdAt&", ""}) {
      INFO(other);
      expectError(
          server.get(std::string("/api/v1/certificates?") + other + "page_size=5&cursor=" + cursor),
          400, "cursor");
    }
    // notAfter and expiresAt are the same column; expires_at too.
    expectStatus(server.get("/api/v1/certificates?sort=-expiresAt&page_size=5&cursor=" + cursor),
                 200);
    expectError(server.get("/api/v1/certificates?sort=-notAfter&page=2&cursor=" + cursor), 400,
                "page");
  }

  {  // sparse fields
    json page = expectStatus(server.get("/api/v1/certificates?fields=id,common_name,status"), 200);
    CHECK(page["total"] == kCount);
    REQUIRE(page["data"].size() == 50);
    for (const auto& item : page["data"]) {
      std::set<std::string> keys;
      for (const auto& [k, v] : item.items()) keys.insert(k);
      CHECK(keys == std::set<std::string>{"id", "common_name", "status"});
    }
    auto allIds = ids(all["data"]);
    CHECK(ids(page["data"]) == std::vector<std::string>(allIds.begin(), allIds.begin() + 50));
    // Without id in the list, the id is still returned (clients need it to follow up).
    json two =
        expectStatus(server.get("/api/v1/certificates?fields=name,expires_at&per_page=3"), 200);
    for (const auto& item : two["data"]) {
      CHECK(item.contains("id"));
      CHECK(item.contains("name"));
      CHECK(item.contains("expires_at"));
      CHECK_FALSE(item.contains("common_name"));
    }
  }

  {  // equality filters
    std::vector<std::pair<std::string, std::function<bool(const json&)>>> cases = {
        {"status=Archived", [](const json& r) { return r["status"] == "Archived"; }},
        {"status=archived", [](const json& r) { return r["status"] == "Archived"; }},
        {"status=Pending", [](const json& r) { return r["status"] == "Pending"; }},
        {"status=Active", [](const json&) { return false; }},
        {"issuer_id=" + inv.issuers[0],
         [&](const json& r) { return r["issuer_id"] == inv.issuers[0]; }},
        {"issuer_id=" + inv.issuers[1],
         [&](const json& r) { return r["issuer_id"] == inv.issuers[1]; }},
        {"owner_id=" + inv.owners[1],
         [&](const json& r) { return r["owner_id"] == inv.owners[1]; }},
        {"team_id=" + inv.teams[0], [&](const json& r) { return r["team_id"] == inv.teams[0]; }},
        {"profile_id=" + inv.profiles[1],
         [&](const json& r) { return r["certificate_profile_id"] == inv.profiles[1]; }},
        {"environment=staging", [](const json& r) { return r["environment"] == "staging"; }},
        {"agent_id=a-nowhere", [](const json&) { return false; }},
        {"issuer_id=" + inv.issuers[0] + "&environment=production&status=Pending",
         [&](const json& r) {
           return r["issuer_id"] == inv.issuers[0] && r["environment"] == "production" &&
                  r["status"] == "Pending";
         }},
        {"team_id=" + inv.teams[1] + "&owner_id=" + inv.owners[0],
         [&](const json& r) {
           return r["team_id"] == inv.teams[1] && r["owner_id"] == inv.owners[0];
         }},
    };
    for (const auto& [query, keep] : cases) {
      INFO(query);
      auto expected = expectedFiltered(rows, keep);
      // Every filter selects a proper, non-empty subset unless it is meant to match nothing.
      bool meantEmpty = query == "status=Active" || query == "agent_id=a-nowhere";
      CHECK(expected.empty() == meantEmpty);
      CHECK(expected.size() < rows.size());
      json page = expectStatus(server.get("/api/v1/certificates?per_page=500&" + query), 200);
      CHECK(page["total"] == expected.size());
      CHECK(ids(page["data"]) == expected);
    }
    // Sanity: the data really has more than one value in each filtered column.
    CHECK(expectedFiltered(rows, [](const json& r) { return r["status"] == "Archived"; }).size() ==
          archived.size());
    CHECK(expectedFiltered(rows, [&](const json& r) {
            return r["owner_id"] == inv.owners[1];
          }).size() == 20);
  }

  {  // time-range filters (RFC 3339, with offsets)
    std::vector<std::string> expiries;
    for (const auto& r : rows)
      if (!r["expires_at"].is_null()) expiries.push_back(r["expires_at"]);
    std::sort(expiries.begin(), expiries.end());
    const std::string low = expiries[expiries.size() / 4];
    const std::string high = expiries[expiries.size() * 3 / 4];
    auto expiresBetween = [&](const std::string& after, const std::string& before) {
      return expectedFiltered(rows, [&](const json& r) {
        if (r["expires_at"].is_null()) return false;
        std::string v = r["expires_at"];
        return (after.empty() || v > after) && (before.empty() || v < before);
      });
    };
    auto check = [&](const std::string& query, const std::vector<std::string>& expected) {
      INFO(query);
      json page = expectStatus(server.get("/api/v1/certificates?per_page=500&" + query), 200);
      CHECK(page["total"] == expected.size());
      CHECK(ids(page["data"]) == expected);
    };
    REQUIRE(!expiresBetween(low, high).empty());
    check("expires_before=" + high, expiresBetween("", high));
    check("expires_after=" + low, expiresBetween(low, ""));
    check("expires_after=" + low + "&expires_before=" + high, expiresBetween(low, high));
    // The bounds are exclusive: a row exactly at the bound is left out.
    CHECK(expiresBetween(low, "").size() + expiresBetween("", high).size() >
          expiresBetween(low, high).size());

    // The same instants written with offsets and fractions select the same rows.
    auto toEpoch = [](const std::string& z) {
      std::tm tm{};
      strptime(z.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
      return timegm(&tm);
    };
    std::string lowPlus = formatTime(toEpoch(low), 330);
    std::string highMinus = formatTime(toEpoch(high), -480, ".000");
    check("expires_after=" + urlEncode(lowPlus) + "&expires_before=" + urlEncode(highMinus),
          expiresBetween(low, high));
    check("expires_before=2026-12-31T23:59:59Z", {});
    check("expires_after=2000-01-01T00:00:00%2B01:00", expiresBetween("", ""));

    std::vector<std::string> created;
    for (const auto& r : rows) created.push_back(r["created_at"]);
    std::sort(created.begin(), created.end());
    REQUIRE(created.front() < created.back());  // the creation spans two seconds at least
    for (const auto& t : {created.front(), created[kCount / 2], created.back()}) {
      check("created_after=" + t,
            expectedFiltered(rows, [&](const json& r) { return r["created_at"] > t; }));
      check("created_before=" + t,
            expectedFiltered(rows, [&](const json& r) { return r["created_at"] < t; }));
    }
    check("created_after=" + urlEncode(formatTime(toEpoch(created.front()) - 1, 60)),
          expectedFiltered(rows, [](const json&) { return true; }));

    // updated_after: touch 5 certificates a second after every existing update.
    std::string lastUpdate;
    for (const auto& r : rows)
      lastUpdate = std::max(lastUpdate, r["updated_at"].get<std::string>());
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    std::set<std::string> touched;
    for (int i = 0; i < 5; ++i) {
      std::string id = rows[i * 11]["id"];
      expectStatus(server.put("/api/v1/certificates/" + id, {{"tags", {{"touched", i}}}}), 200);
      touched.insert(id);
    }
    json page = expectStatus(
        server.get("/api/v1/certificates?per_page=500&updated_after=" + lastUpdate), 200);
    CHECK(page["total"] == 5);
    std::set<std::string> got;
    for (const auto& id : ids(page["data"])) got.insert(id);
    CHECK(got == touched);
    json none = expectStatus(server.get("/api/v1/certificates?updated_after=" + lastUpdate +
                                        "&created_after=" + created.back()),
                             200);
    CHECK(none["total"] == 0);
  }
}
