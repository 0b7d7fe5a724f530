// Every registered route, walked from the server's own route table: those
// that need a key refuse a missing, wrong or malformed Authorization header
// before any handler runs.
#include <catch2/catch.hpp>

#include <set>

#include "core/app/routes.h"
#include "core/http/pipeline.h"
#include "core/plugins/plugin_host.h"
#include "core/protocols/ocsp_responder.h"
#include "core/services/revocation_issuer_gateway.h"

using namespace certctl;

namespace {

// Handlers must never be reached in these tests; reaching one is a failure.
class UnreachableRepository : public services::ResourceRepository {
 public:
  services::ListResult list(const domain::ResourceSpec&, const domain::ListQuery&) override {
    FAIL("handler reached without authentication");
    return {};
  }
  std::optional<nlohmann::json> get(const domain::ResourceSpec&, const std::string&) override {
    FAIL("handler reached without authentication");
    return {};
  }
  bool exists(const domain::ResourceSpec&, const std::string&) override {
    FAIL("handler reached without authentication");
    return false;
  }
  void insert(const domain::ResourceSpec&, const nlohmann::json&) override {
    FAIL("handler reached without authentication");
  }
  bool update(const domain::ResourceSpec&, const std::string&, const nlohmann::json&) override {
    FAIL("handler reached without authentication");
    return false;
  }
  bool remove(const domain::ResourceSpec&, const std::string&) override {
    FAIL("handler reached without authentication");
    return false;
  }
};

class NoMemberships : public services::AgentGroupMembershipRepository {
 public:
  std::vector<std::pair<std::string, std::string>> entries(const std::string&) override {
    FAIL("handler reached without authentication");
    return {};
  }
  void set(const std::string&, const std::string&, const std::string&) override {
    FAIL("handler reached without authentication");
  }
  bool remove(const std::string&, const std::string&) override {
    FAIL("handler reached without authentication");
    return false;
  }
};

// The lifecycle services' store and audit log, equally unreachable.
class UnreachableLifecycleStore : public services::LifecycleStore {
 public:
  void createJob(const nlohmann::json&, const std::string&) override { reached(); }
  void createCertificateWithJob(const nlohmann::json&, const nlohmann::json&) override {
    reached();
  }
  void createIssuedCertificate(const nlohmann::json&, const nlohmann::json&, const nlohmann::json&,
                               std::vector<services::AuditEvent>) override {
    reached();
  }
  bool transitionJob(const std::string&, const std::vector<std::string>&,
                     const nlohmann::json&) override {
    return reached(), false;
  }
  std::optional<nlohmann::json> job(const std::string&) override { return reached(), std::nullopt; }
  std::optional<nlohmann::json> inFlightJob(const std::string&) override {
    return reached(), std::nullopt;
  }
  std::vector<nlohmann::json> awaitingCsrJobs(const std::string&, const std::string&,
                                              const std::string&) override {
    return reached(), std::vector<nlohmann::json>{};
  }
  void completeIssuance(const nlohmann::json&, const std::string&, const nlohmann::json&,
                        const nlohmann::json&, std::vector<services::AuditEvent>) override {
    reached();
  }
  void failJob(const std::string&, const std::string&, const std::string&,
               const std::string&) override {
    reached();
  }
  void recordViolations(const std::vector<nlohmann::json>&) override { reached(); }
  std::vector<nlohmann::json> enabledPolicyRules() override {
    return reached(), std::vector<nlohmann::json>{};
  }
  std::optional<nlohmann::json> latestVersion(const std::string&) override {
    return reached(), std::nullopt;
  }

 private:
  static void reached() { FAIL("handler reached without authentication"); }
};

class UnreachableRevocationStore : public services::RevocationStore {
 public:
  std::optional<services::CertificateForRevocation> certificate(const std::string&) override {
    return reached(), std::nullopt;
  }
  std::vector<services::IssuedSerial> revocableSerials(const std::string&,
                                                       const std::string&) override {
    return reached(), std::vector<services::IssuedSerial>{};
  }
  bool recordRevocation(const services::CertificateForRevocation&,
                        const std::vector<services::IssuedSerial>&, const std::string&,
                        const std::string&, const std::string&) override {
    return reached(), false;
  }
  std::vector<services::RevocationRecord> revocations(const std::string&) override {
    return reached(), std::vector<services::RevocationRecord>{};
  }
  void markIssuerNotified(const std::string&) override { reached(); }
  std::vector<std::string> matchCertificates(const services::BulkRevokeCriteria&) override {
    return reached(), std::vector<std::string>{};
  }
  std::vector<services::RevokedSerial> crlEntries(const std::string&) override {
    return reached(), std::vector<services::RevokedSerial>{};
  }
  services::SerialStatus serialStatus(const std::string&, const std::string&) override {
    return reached(), services::SerialStatus{};
  }
  std::vector<std::string> enabledIssuerIds() override {
    return reached(), std::vector<std::string>{};
  }
  std::optional<long long> crlNumber(const std::string&) override {
    return reached(), std::nullopt;
  }
  std::optional<services::CrlCacheRow> crl(const std::string&) override {
    return reached(), std::nullopt;
  }
  std::vector<services::CrlCacheRow> crlCache() override {
    return reached(), std::vector<services::CrlCacheRow>{};
  }
  void storeCrl(const services::CrlCacheRow&) override { reached(); }
  void withCrlLock(const std::string&, const std::function<void()>&) override { reached(); }

 private:
  static void reached() { FAIL("handler reached without authentication"); }
};

class UnreachableDiscoveryStore : public services::DiscoveryStore {
 public:
  long long recordScan(const nlohmann::json&, const std::vector<nlohmann::json>&) override {
    return reached(), 0;
  }
  bool transition(const std::string&, const std::vector<std::string>&,
                  const nlohmann::json&) override {
    return reached(), false;
  }
  std::map<std::string, long long> countByStatus() override {
    return reached(), std::map<std::string, long long>{};
  }

 private:
  static void reached() { FAIL("handler reached without authentication"); }
};

class UnreachableRetirementStore : public services::AgentRetirementStore {
 public:
  services::RetirementOutcome retire(const std::string&, const std::string&, const std::string&,
                                     bool) override {
    FAIL("handler reached without authentication");
    return {};
  }
};

class UnreachableAgentStore : public services::AgentStore {
 public:
  void recordHeartbeats(const std::vector<services::AgentHeartbeat>&) override { reached(); }
  std::vector<nlohmann::json> openJobs(const std::string&, int) override {
    return reached(), std::vector<nlohmann::json>{};
  }
  std::vector<std::string> mappedTargetIds(const std::string&) override {
    return reached(), std::vector<std::string>{};
  }
  bool addMapping(const std::string&, const std::string&) override { return reached(), false; }
  bool removeMapping(const std::string&, const std::string&) override { return reached(), false; }
  std::optional<std::string> pendingDeployment(const std::string&, const std::string&) override {
    return reached(), std::nullopt;
  }
  void insertJob(const nlohmann::json&) override { reached(); }
  bool updateJob(const std::string&, const std::vector<std::string>&,
                 const nlohmann::json&) override {
    return reached(), false;
  }
  nlohmann::json verification(const std::string&) override { return reached(), nullptr; }

 private:
  static void reached() { FAIL("handler reached without authentication"); }
};

class DiscardingAuditLog : public services::AuditLog {
 public:
  void record(services::AuditEvent, bool) override {}
  void flush() override {}
};

std::string concretePath(const std::string& pattern) {
  std::string out;
  for (const auto& segment : http::splitPath(pattern))
    out += "/" + (segment.front() == '{' ? std::string("x-1") : segment);
  return out;
}

// The server's real route table over repositories that must not be reached.
struct RouteTable {
  UnreachableRepository repository;
  NoMemberships memberships;
  services::ResourceService resources{repository};
  services::AgentGroupService groups{resources, memberships};
  plugins::PluginHost plugins;  // no search dirs: nothing loaded
  services::IssuerRegistry issuers{plugins, resources, {}};
  UnreachableLifecycleStore lifecycleStore;
  DiscardingAuditLog auditLog;
  services::IssuanceService issuance{resources, lifecycleStore, issuers, auditLog, {}};
  services::CertificateLifecycle lifecycle{resources, lifecycleStore, issuance};
  services::CertificateExport exports{resources, lifecycleStore, auditLog};
  UnreachableRevocationStore revocationStore;
  services::RegistryIssuerGateway revocationIssuers{issuers};
  services::RevocationService revocations{revocationStore, revocationIssuers, auditLog, &groups};
  services::CrlService crls{revocationStore, revocationIssuers};
  protocols::OcspResponder ocsp{revocationStore, revocationIssuers};
  UnreachableAgentStore agentStore;
  services::AgentService agents{resources, lifecycleStore, agentStore, auditLog};
  services::JobControl jobs{resources, lifecycleStore, auditLog,
                            [](const std::string&) { FAIL("handler reached"); }};
  UnreachableDiscoveryStore discoveryStore;
  services::DiscoveryService discovery{resources, discoveryStore, auditLog};
  UnreachableRetirementStore retirementStore;
  services::AgentRetirement retirement{resources, retirementStore, auditLog};
  http::Router router;

  RouteTable() {
    app::registerAllRoutes(router, {resources,
                                    repository,
                                    auditLog,
                                    groups,
                                    {[] { return true; }, [] { return true; }, "api-key"},
                                    plugins,
                                    issuers,
                                    lifecycle,
                                    issuance,
                                    exports,
                                    revocations,
                                    crls,
                                    ocsp,
                                    agents,
                                    jobs,
                                    discovery,
                                    retirement});
  }

  http::Pipeline pipeline(const http::ApiKeyAuth& auth) {
    http::PipelineOptions options;
    options.auth = &auth;
    return http::Pipeline(router, options);
  }
};

}  // namespace

TEST_CASE("every authenticated route refuses requests without a valid API key") {
  RouteTable table;
  http::ApiKeyAuth auth({"correct-horse-battery-staple-1"});
  auto pipeline = table.pipeline(auth);

  std::set<std::string> open;
  int checked = 0;
  for (const auto& route : table.router.routes()) {
    if (!route.requiresAuth) {
      open.insert(route.method + " " + route.pattern);
      continue;
    }
    for (const std::string header :
         {"", "Bearer wrong-key-wrong-key-wrong", "Basic Y29ycmVjdDpob3JzZQ==", "Bearer ",
          "correct-horse-battery-staple-1"}) {
      http::Request request;
      request.method = route.method;
      request.path = concretePath(route.pattern);
      request.peerAddress = "127.0.0.1";
      if (!header.empty()) request.headers["authorization"] = header;
      if (route.method == "POST" || route.method == "PUT") request.body = "{}";
      auto response = pipeline.handle(request);
      INFO(route.method << " " << request.path << " with '" << header << "'");
      CHECK(response.status == 401);
      CHECK(response.body.find("\"unauthorized\"") != std::string::npos);
    }
    ++checked;
  }
  // The resource CRUD alone is ~45 routes; a shrinking table means routes went missing.
  CHECK(checked >= 45);
  // The job actions of seed 001 are among them.
  std::set<std::string> all;
  for (const auto& route : table.router.routes()) all.insert(route.method + " " + route.pattern);
  for (const char* action : {"cancel", "approve", "reject"})
    CHECK(all.count(std::string("POST /api/v1/jobs/{id}/") + action) == 1);
  // Relying parties fetch CRLs and OCSP answers without a key (seed 003).
  std::set<std::string> expectedOpen = {"GET /health", "GET /ready", "GET /api/v1/auth/info",
                                        "GET /.well-known/pki/crl/{issuer_id}",
                                        "POST /.well-known/pki/ocsp/{issuer_id}"};
  std::string ocspGet = "GET /.well-known/pki/ocsp/{issuer_id}/{serial}";
  expectedOpen.insert(ocspGet);
  for (int i = 1; i < 12; ++i) expectedOpen.insert(ocspGet += "/{p" + std::to_string(i) + "}");
  CHECK(open == expectedOpen);
}

TEST_CASE("the right key passes authentication and the actor is recorded") {
  RouteTable table;
  http::ApiKeyAuth auth({"old-key-old-key-old-key", "new-key-new-key-new-key"});
  auto pipeline = table.pipeline(auth);
  for (const std::string key : {"old-key-old-key-old-key", "new-key-new-key-new-key"}) {
    http::Request request;
    request.method = "GET";
    request.path = "/api/v1/auth/check";
    request.headers["authorization"] = "Bearer " + key;
    auto response = pipeline.handle(request);
    CHECK(response.status == 200);
    auto body = nlohmann::json::parse(response.body);
    CHECK(body["authenticated"] == true);
    CHECK(body["actor"].get<std::string>().rfind("key-", 0) == 0);
  }
}

TEST_CASE("unknown /api paths answer 401 without a key, so they reveal nothing") {
  RouteTable table;
  http::ApiKeyAuth auth({"correct-horse-battery-staple-1"});
  auto pipeline = table.pipeline(auth);
  http::Request request;
  request.method = "GET";
  request.path = "/api/v1/no-such-thing";
  CHECK(pipeline.handle(request).status == 401);
  request.headers["authorization"] = "Bearer correct-horse-battery-staple-1";
  CHECK(pipeline.handle(request).status == 404);
}
