// AgentService on a real (migrated SQLite) database: heartbeats cost no
// database write until the flush, which writes every agent's last one in a
// single batch; known agents are not read again for every heartbeat;
// unknown and retired agents are refused.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "core/domain/errors.h"
#include "core/domain/resources.h"
#include "core/services/agent_service.h"
#include "core/store/sql_agent_store.h"
#include "core/store/sql_lifecycle_store.h"
#include "core/store/sql_resource_repository.h"
#include "tests/support/test_database.h"

using namespace certctl;
using nlohmann::json;

namespace {

class CountingRepository : public store::SqlResourceRepository {
 public:
  using SqlResourceRepository::SqlResourceRepository;
  std::optional<json> get(const domain::ResourceSpec& spec, const std::string& id) override {
    if (spec.name == "agents") ++agentReads;
    return SqlResourceRepository::get(spec, id);
  }
  std::atomic<int> agentReads{0};
};

class CountingAgentStore : public store::SqlAgentStore {
 public:
  using SqlAgentStore::SqlAgentStore;
  void recordHeartbeats(const std::vector<services::AgentHeartbeat>& beats) override {
    ++batches;
    rows += static_cast<int>(beats.size());
    SqlAgentStore::recordHeartbeats(beats);
  }
  std::atomic<int> batches{0};
  std::atomic<int> rows{0};
};

class NoAudit : public services::AuditLog {
 public:
  void record(services::AuditEvent, bool) override {}
  void flush() override {}
};

struct Fixture {
  testing::TestDatabase database{"sqlite"};
  CountingRepository repository{database.db()};
  services::ResourceService resources{repository};
  store::SqlLifecycleStore lifecycle{database.db()};
  CountingAgentStore agentStore{database.db()};
  NoAudit audit;
  services::AgentService agents;

  explicit Fixture(services::AgentServiceSettings settings = {})
      : agents(resources, lifecycle, agentStore, audit, settings) {}

  const domain::ResourceSpec& agentSpec() { return *domain::findResource("agents"); }
  std::string newAgent(const std::string& name) {
    return resources.create(agentSpec(), {{"name", name}})["id"];
  }
  json stored(const std::string& id) { return *repository.get(agentSpec(), id); }
};

}  // namespace

TEST_CASE("agent service: heartbeats are batched, not written one by one") {
  Fixture f;
  std::string id = f.newAgent("edge-1");
  for (int i = 0; i < 100; ++i)
    f.agents.heartbeat(id, {{"os", "linux"}, {"version", "1." + std::to_string(i)}});
  f.agents.heartbeat(id, {{"arch", "arm64"}});  // later metadata adds to the earlier
  CHECK(f.agentStore.batches == 0);
  CHECK(f.stored(id)["os"].is_null());
  f.repository.agentReads = 0;
  f.agents.heartbeat(id, json::object());
  CHECK(f.repository.agentReads == 0);  // known agents are not read again

  f.agents.flush();
  CHECK(f.agentStore.batches == 1);
  CHECK(f.agentStore.rows == 1);
  json agent = f.stored(id);
  CHECK(agent["os"] == "linux");
  CHECK(agent["version"] == "1.99");
  CHECK(agent["architecture"] == "arm64");
  CHECK(agent["last_heartbeat_at"].is_string());
  f.agents.flush();  // nothing pending: no write
  CHECK(f.agentStore.batches == 1);

  // Hundreds of agents: one batch (several multi-row statements inside).
  std::vector<std::string> fleet;
  for (int i = 0; i < 450; ++i) fleet.push_back(f.newAgent("fleet-" + std::to_string(i)));
  for (const auto& a : fleet) f.agents.heartbeat(a, {{"hostname", a + ".example"}});
  f.agents.flush();
  CHECK(f.agentStore.batches == 2);
  CHECK(f.agentStore.rows == 451);
  CHECK(f.stored(fleet.front())["hostname"] == fleet.front() + ".example");
  CHECK(f.stored(fleet.back())["hostname"] == fleet.back() + ".example");
}

TEST_CASE("agent service: unknown and retired agents, bad metadata") {
  Fixture f;
  std::string id = f.newAgent("edge-2");
  try {
    f.agents.heartbeat("a-missing", json::object());
    FAIL("no error");
  } catch (const domain::ApiError& e) {
    CHECK(e.kind() == domain::ErrorKind::NotFound);
  }
  CHECK_THROWS_AS(f.agents.work("a-missing"), domain::ApiError);
  for (const json& bad :
       {json{{"os", 1}}, json{{"nope", "x"}}, json{{"ip_address", std::string(65, '1')}}}) {
    try {
      f.agents.heartbeat(id, bad);
      FAIL("accepted " << bad.dump());
    } catch (const domain::ApiError& e) {
      CHECK(e.kind() == domain::ErrorKind::BadRequest);
      CHECK_FALSE(e.field().empty());
    }
  }
  f.agents.flush();
  CHECK(f.agentStore.batches == 0);  // refused heartbeats left nothing to write

  f.repository.update(f.agentSpec(), id, {{"retired_at", "2026-01-01T00:00:00Z"}});
  CHECK_THROWS_AS(f.agents.heartbeat(id, json::object()), services::AgentGone);
  CHECK_THROWS_AS(f.agents.work(id), services::AgentGone);
}

TEST_CASE("agent service: the flusher writes on its own and on stop") {
  services::AgentServiceSettings settings;
  settings.heartbeatFlushInterval = std::chrono::milliseconds(50);
  Fixture f(settings);
  std::string id = f.newAgent("edge-3");
  f.agents.start();
  f.agents.heartbeat(id, {{"os", "freebsd"}});
  for (int i = 0; i < 100 && f.agentStore.batches == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(f.agentStore.batches >= 1);
  CHECK(f.stored(id)["os"] == "freebsd");
  f.agents.heartbeat(id, {{"version", "2.0"}});
  f.agents.stop();
  CHECK(f.stored(id)["version"] == "2.0");
}
