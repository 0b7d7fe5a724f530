// `certctl-server --demo`: a realistic inventory through the API, the
// issue's acceptance line with real curl, and an idempotent second start on
// the same data dir and database.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/server_process.h"

using certctl::testing::HttpResult;
using certctl::testing::runProcess;
using certctl::testing::ServerProcess;
using certctl::testing::ServerProcessOptions;
using nlohmann::json;

namespace {

const std::string kKey = "demo-test-api-key-0123456789abcdef";

const std::vector<std::string> kResources = {
    "certificates", "issuers", "targets", "renewal-policies", "profiles",
    "policies",     "teams",   "owners",  "agent-groups",     "agents"};

const std::set<std::string> kStatuses = {"Pending",           "Active", "Expiring", "Expired",
                                         "RenewalInProgress", "Failed", "Revoked",  "Archived"};

json expectStatus(const HttpResult& r, int status) {
  INFO("HTTP " << r.status << " " << r.body.substr(0, 2000));
  REQUIRE(r.status == status);
  json doc;
  REQUIRE_NOTHROW(doc = json::parse(r.body));
  return doc;
}

std::map<std::string, long long> totals(ServerProcess& server) {
  std::map<std::string, long long> out;
  for (const auto& r : kResources)
    out[r] = expectStatus(server.get("/api/v1/" + r), 200)["total"].get<long long>();
  return out;
}

std::string isoDaysAgo(int days) {
  std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The test compares what several requests return, so the scheduler must not
// move the demo data meanwhile (a renewal check on a slow machine did).
void quietScheduler(ServerProcessOptions& options) {
  for (const char* loop : {"RENEWAL_CHECK", "JOB_PROCESSOR", "RETRY", "AGENT_HEALTH_CHECK"})
    options.env[std::string("CERTCTL_SCHEDULER_") + loop + "_INTERVAL"] = "1h";
}

// The certificate list once the scheduler's first pass at start (the job
// timeout reaper fails the demo's stale Running jobs) has settled: two reads
// half a second apart agree.
json settledCertificates(ServerProcess& server) {
  json before = expectStatus(server.get("/api/v1/certificates?per_page=100"), 200);
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    json now = expectStatus(server.get("/api/v1/certificates?per_page=100"), 200);
    if (now == before) return now;
    before = now;
  }
  return before;
}

std::vector<std::string> idsOf(const json& page) {
  std::vector<std::string> ids;
  for (const auto& c : page["data"]) ids.push_back(c["id"]);
  return ids;
}

}  // namespace

TEST_CASE("API demo: --demo seeds a realistic inventory, idempotently", "[api]") {
  ServerProcessOptions options;
  options.args = {"--demo"};
  options.env["CERTCTL_AUTH_SECRET"] = kKey;
  quietScheduler(options);
  ServerProcess server(options);

  json certs = settledCertificates(server);
  long long total = certs["total"];
  INFO("demo certificates: " << certs.dump());
  CHECK(total >= 25);
  CHECK(total <= 40);
  REQUIRE(certs["data"].size() == static_cast<size_t>(total));
  std::set<std::string> statuses, ids;
  for (const auto& c : certs["data"]) {
    statuses.insert(c["status"]);
    ids.insert(c["id"]);
    CHECK(c["id"].get<std::string>().rfind("mc-", 0) == 0);
    CHECK(!c["common_name"].get<std::string>().empty());
    CHECK(c["issuer_id"].is_string());
  }
  CHECK(statuses == kStatuses);
  CHECK(ids.size() == static_cast<size_t>(total));

  auto counts = totals(server);
  for (const auto& r : kResources) {
    INFO(r);
    CHECK(counts[r] >= 1);
  }
  CHECK(counts["teams"] >= 2);
  CHECK(counts["owners"] >= 2);
  CHECK(counts["issuers"] >= 2);
  CHECK(counts["agents"] >= 2);

  // Every reference in the demo certificates resolves through the API.
  std::map<std::string, std::string> referenceResource = {{"issuer_id", "issuers"},
                                                          {"owner_id", "owners"},
                                                          {"team_id", "teams"},
                                                          {"certificate_profile_id", "profiles"},
                                                          {"renewal_policy_id", "renewal-policies"},
                                                          {"agent_id", "agents"}};
  std::set<std::string> checked;
  for (const auto& c : certs["data"])
    for (const auto& [field, resource] : referenceResource)
      if (c[field].is_string() && checked.insert(field + c[field].get<std::string>()).second) {
        INFO(field << " = " << c[field]);
        json target = expectStatus(
            server.get("/api/v1/" + resource + "/" + c[field].get<std::string>()), 200);
        CHECK(target["id"] == c[field]);
      }

  // Agents: list and get.
  json agents = expectStatus(server.get("/api/v1/agents?per_page=500"), 200);
  REQUIRE(!agents["data"].empty());
  for (const auto& a : agents["data"]) {
    CHECK(a["id"].get<std::string>().rfind("a-", 0) == 0);
    CHECK(expectStatus(server.get("/api/v1/agents/" + a["id"].get<std::string>()), 200) == a);
  }

  // The list filters agree with the data, for a value of each filter present in the demo.
  for (const auto& [param, field] :
       std::vector<std::pair<std::string, std::string>>{{"agent_id", "agent_id"},
                                                        {"owner_id", "owner_id"},
                                                        {"team_id", "team_id"},
                                                        {"issuer_id", "issuer_id"},
                                                        {"profile_id", "certificate_profile_id"},
                                                        {"environment", "environment"},
                                                        {"status", "status"}}) {
    std::map<std::string, size_t> byValue;
    for (const auto& c : certs["data"])
      if (c[field].is_string()) ++byValue[c[field].get<std::string>()];
    INFO(param);
    REQUIRE(!byValue.empty());
    for (const auto& [value, count] : byValue) {
      INFO(param << "=" << value);
      json page =
          expectStatus(server.get("/api/v1/certificates?per_page=500&" + param + "=" + value), 200);
      CHECK(page["total"] == count);
      for (const auto& c : page["data"]) CHECK(c[field] == value);
    }
  }

  // Expiring certificates are about to expire, expired ones have.
  std::string now = isoDaysAgo(0);
  for (const auto& c : certs["data"]) {
    INFO(c.dump());
    if (c["status"] == "Expired") {
      REQUIRE(c["expires_at"].is_string());
      CHECK(c["expires_at"].get<std::string>() < now);
    }
    if (c["status"] == "Expiring" || c["status"] == "Active") {
      REQUIRE(c["expires_at"].is_string());
      CHECK(c["expires_at"].get<std::string>() > now);
    }
  }
  json soon =
      expectStatus(server.get("/api/v1/certificates?per_page=100&status=Expiring&expires_before=" +
                              isoDaysAgo(-31)),
                   200);
  CHECK(soon["total"].get<long long>() >= 1);

  // Audit history spread over about 90 days, with lifecycle actions. This
  // test's own requests (key-1, or anonymous for the keyless curl) are left out.
  auto demoHistory = [](ServerProcess& s) {
    json all = expectStatus(s.get("/api/v1/audit/export?format=json"), 200);
    REQUIRE(all.is_array());
    json demo = json::array();
    for (const auto& e : all) {
      // What the scheduler finds while the demo runs (agents whose seeded
      // heartbeat has aged past the offline threshold) is not seeded history.
      if (e["actor"] == "certctl-server" &&
          (e["action"] == "agent.offline" || e["action"] == "certificate.expired"))
        continue;
      if (e["action"] != "api.request" || (e["actor"] != "key-1" && e["actor"] != "anonymous"))
        demo.push_back(e);
    }
    return demo;
  };
  json history = demoHistory(server);
  CHECK(history.size() >= 20);
  std::string oldest = "9999", newest;
  std::map<std::string, size_t> actions;
  for (const auto& e : history) {
    oldest = std::min(oldest, e["timestamp"].get<std::string>());
    newest = std::max(newest, e["timestamp"].get<std::string>());
    ++actions[e["action"].get<std::string>()];
  }
  CHECK(oldest < isoDaysAgo(60));
  CHECK(oldest > isoDaysAgo(92));
  CHECK(newest > isoDaysAgo(7));
  CHECK(actions.size() >= 3);
  for (const auto& [action, count] : actions) {
    if (action == "api.request") continue;  // this test adds more of those
    // The scheduler's own pass writes these too (left out of demoHistory).
    if (action == "agent.offline" || action == "certificate.expired") continue;
    INFO("action " << action);
    json page = expectStatus(server.get("/api/v1/audit?per_page=1&action=" + action), 200);
    CHECK(page["total"] == count);
    REQUIRE(page["data"].size() == 1);
    CHECK(page["data"][0]["action"] == action);
  }

  // The acceptance line, with the real curl and the bootstrap CA.
  std::string url = server.baseUrl() + "/api/v1/certificates?per_page=100";
  auto curl = runProcess({"curl", "-sS", "--max-time", "20", "--cacert", server.caFile().string(),
                          "-H", "Authorization: Bearer " + kKey, url});
  INFO(curl.output);
  REQUIRE(curl.exitCode == 0);
  json viaCurl = json::parse(curl.output);
  CHECK(viaCurl["total"] == total);
  CHECK(viaCurl["data"] == certs["data"]);
  // The certificate is valid for "localhost" as well (the README's URL).
  auto byName =
      runProcess({"curl", "-sS", "--max-time", "20", "--cacert", server.caFile().string(), "-H",
                  "Authorization: Bearer " + kKey,
                  "https://localhost:" + std::to_string(server.port()) + "/api/v1/certificates"});
  INFO(byName.output);
  CHECK(byName.exitCode == 0);
  CHECK(json::parse(byName.output)["total"] == total);
  // Without the CA, curl refuses the server; without the key, the server refuses curl.
  auto untrusted =
      runProcess({"curl", "-sS", "--max-time", "20", "-H", "Authorization: Bearer " + kKey, url});
  CHECK((untrusted.exitCode == 60 || untrusted.exitCode == 77));
  auto noKey = runProcess({"curl", "-sS", "--max-time", "20", "-o", "/dev/null", "-w",
                           "%{http_code}", "--cacert", server.caFile().string(), url});
  CHECK(noKey.output == "401");

  // A second start with --demo on the same data dir and database adds nothing.
  REQUIRE(server.stop() == 0);
  ServerProcessOptions again;
  again.args = {"--demo"};
  again.tls = false;  // the harness trusts its own data dir's CA; this start shares the first's
  again.ownDatabase = false;
  again.env["CERTCTL_AUTH_SECRET"] = kKey;
  quietScheduler(again);
  again.env["CERTCTL_DATA_DIR"] = server.dataDir().string();
  again.env["CERTCTL_DATABASE_URL"] = server.databaseUrl();
  ServerProcess second(again);
  CHECK(totals(second) == counts);
  // Nothing added: the same certificates (their states may move on with the
  // second server's own scheduler pass).
  CHECK(idsOf(settledCertificates(second)) == idsOf(certs));
  json historyAgain = demoHistory(second);
  CHECK(historyAgain.size() == history.size());
  CHECK(historyAgain == history);
}
