// CSR submissions from many concurrent connections, every CSR sent twice at
// the same time: each certificate gets exactly one version, each pair one
// 200 and one 409, and every request is audited once (the group committer
// shares transactions between requests; nothing may be lost or doubled).
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "sdk/pki/csr_builder.h"
#include "sdk/pki/private_key.h"
#include "tests/integration/lifecycle/lifecycle_test_util.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
namespace pki = certctl::sdk::pki;
using nlohmann::json;

namespace {

// One keep-alive HTTPS connection per thread (ServerProcess has one only).
class Connection {
 public:
  explicit Connection(ServerProcess& server) : key_(server.apiKey()) {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", server.caFile().string(),
                               Poco::Net::Context::VERIFY_STRICT, 9);
    session_ = std::make_unique<Poco::Net::HTTPSClientSession>(
        "127.0.0.1", static_cast<Poco::UInt16>(server.port()), context);
    session_->setKeepAlive(true);
    session_->setTimeout(Poco::Timespan(60, 0));
  }

  int post(const std::string& path, const std::string& body) {
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setKeepAlive(true);
    req.set("Authorization", "Bearer " + key_);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session_->sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::string out;
    Poco::StreamCopier::copyToString(session_->receiveResponse(resp), out);
    return resp.getStatus();
  }

 private:
  std::string key_;
  std::unique_ptr<Poco::Net::HTTPSClientSession> session_;
};

}  // namespace

TEST_CASE("concurrent CSR submissions: one version per certificate, every request audited",
          "[lifecycle][agents][concurrency]") {
  ServerProcess server(keygen("agent"));
  auto agent = server.post("/api/v1/agents", {{"name", "racer"}, {"hostname", "racer"}});
  REQUIRE(agent.status == 201);
  std::string agentId = agent.json()["id"];

  constexpr int kCertificates = 48;
  constexpr int kThreads = 16;
  std::vector<std::string> ids, csrs;
  for (int i = 0; i < kCertificates; ++i) {
    std::string cn = "race-" + std::to_string(i) + ".example.com";
    ids.push_back(createCertificate(server, "race-" + std::to_string(i), cn,
                                    {{"sans", {cn}}, {"agent_id", agentId}})["id"]);
    auto key = pki::PrivateKey::generateEcP256();
    csrs.push_back(pki::CsrBuilder().commonName(cn).subjectAltName(cn).sign(key).toPem());
  }
  for (const auto& id : ids) waitForJob(server, id, "AwaitingCSR");

  // Submission k sends CSR k / 2: both copies of a CSR are in flight at once
  // on two connections.
  std::string path = "/api/v1/agents/" + agentId + "/csr";
  std::atomic<int> next{0};
  std::mutex mutex;
  std::map<int, std::vector<int>> statuses;  // certificate index -> statuses
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      Connection connection(server);
      for (int k = next++; k < 2 * kCertificates; k = next++) {
        int i = k / 2;
        json body = {{"certificate_id", ids[i]}, {"csr_pem", csrs[i]}};
        int status = 0;
        try {
          status = connection.post(path, body.dump());
        } catch (const std::exception&) {
          status = -1;
        }
        std::lock_guard lock(mutex);
        statuses[i].push_back(status);
      }
    });
  for (auto& th : threads) th.join();

  for (int i = 0; i < kCertificates; ++i) {
    INFO("certificate " << ids[i]);
    auto& s = statuses[i];
    std::sort(s.begin(), s.end());
    CHECK(s == std::vector<int>{200, 409});
    json versions = versionsOf(server, ids[i]);
    CHECK(versions.size() == 1);
    CHECK(server.get("/api/v1/certificates/" + ids[i]).json()["status"] == "Active");
    auto jobs = jobsOf(server, ids[i]);
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0]["status"] == "Completed");
  }

  // Every submission is a durable api.request row, the successful ones also
  // a certificate.issued row (queued: flushed within ~250 ms).
  auto auditTotal = [&](const std::string& query) {
    return server.get("/api/v1/audit?per_page=1&" + query).json()["total"].get<int>();
  };
  CHECK(auditTotal("action=api.request&method=POST&resource_id=" + agentId) == 2 * kCertificates);
  CHECK(eventually([&] { return auditTotal("action=certificate.issued") == kCertificates; }));
}
