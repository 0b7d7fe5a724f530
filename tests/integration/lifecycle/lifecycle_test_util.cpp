#include "tests/integration/lifecycle/lifecycle_test_util.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/process.h"

namespace certctl::testing::lifecycle {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

ServerProcessOptions keygen(const std::string& mode,
                            const std::map<std::string, std::string>& extraEnv) {
  ServerProcessOptions options;
  options.env["CERTCTL_KEYGEN_MODE"] = mode;
  for (const auto& [k, v] : extraEnv) options.env[k] = v;
  return options;
}

json createCertificate(ServerProcess& server, const std::string& name,
                       const std::string& commonName, json extra) {
  json body = {{"name", name}, {"common_name", commonName}, {"issuer_id", "iss-local"}};
  if (extra.is_object())
    for (const auto& [k, v] : extra.items()) body[k] = v;
  auto response = server.post("/api/v1/certificates", body);
  INFO(response.body);
  REQUIRE(response.status == 201);
  return response.json();
}

std::vector<json> jobsOf(ServerProcess& server, const std::string& certificateId) {
  auto response = server.get("/api/v1/jobs?certificate_id=" + certificateId + "&per_page=100");
  INFO(response.body);
  REQUIRE(response.status == 200);
  std::vector<json> jobs;
  json page = response.json();
  for (const auto& j : page["data"])
    if (j["type"] == "Issuance" || j["type"] == "Renewal") jobs.push_back(j);
  return jobs;
}

bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (probe()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

json waitForJob(ServerProcess& server, const std::string& certificateId, const std::string& status,
                const std::string& jobId) {
  json last;
  bool reached = eventually([&] {
    if (!jobId.empty()) {
      last = server.get("/api/v1/jobs/" + jobId).json();
    } else {
      auto jobs = jobsOf(server, certificateId);
      if (jobs.size() != 1) {
        last = jobs;
        return false;
      }
      last = jobs.front();
    }
    return last["status"] == status;
  });
  if (!reached)
    FAIL("certificate " << certificateId << ": job never reached " << status << "; last seen "
                        << last.dump() << "\nserver log:\n"
                        << server.log());
  return last;
}

json waitForCertificate(ServerProcess& server, const std::string& certificateId,
                        const std::string& status) {
  json record;
  bool reached = eventually([&] {
    record = server.get("/api/v1/certificates/" + certificateId).json();
    return record["status"] == status;
  });
  INFO("certificate " << record.dump());
  REQUIRE(reached);
  return record;
}

json versionsOf(ServerProcess& server, const std::string& certificateId) {
  auto response = server.get("/api/v1/certificates/" + certificateId + "/versions");
  INFO(response.body);
  REQUIRE(response.status == 200);
  return response.json()["data"];
}

json waitForFirstVersion(ServerProcess& server, const std::string& certificateId,
                         const std::string& issuerId) {
  waitForJob(server, certificateId, "Completed");
  waitForCertificate(server, certificateId, "Active");
  json versions = versionsOf(server, certificateId);
  REQUIRE(versions.size() == 1);
  CHECK(versions[0]["issuer_id"] == issuerId);
  return versions[0];
}

fs::path localCaCert(const ServerProcess& server) {
  return server.dataDir() / "issuers" / "iss-local" / "ca.crt";
}

Verify opensslVerify(const fs::path& dir, const fs::path& caFile, const std::string& leafPem,
                     const std::string& untrustedPem) {
  writeText(dir / "leaf.pem", leafPem);
  std::vector<std::string> argv = {"openssl", "verify", "-CAfile", caFile.string()};
  if (!untrustedPem.empty()) {
    writeText(dir / "untrusted.pem", untrustedPem);
    argv.insert(argv.end(), {"-untrusted", (dir / "untrusted.pem").string()});
  }
  argv.push_back((dir / "leaf.pem").string());
  auto result = runProcess(argv);
  return {result.exitCode, result.output};
}

std::string opensslCsr(const fs::path& dir, const std::string& commonName,
                       const std::vector<std::string>& sans,
                       const std::vector<std::string>& keyArgs) {
  std::vector<std::string> argv = {"openssl", "req", "-new", "-nodes"};
  argv.insert(argv.end(), keyArgs.begin(), keyArgs.end());
  argv.insert(argv.end(), {"-keyout", (dir / "agent.key").string(), "-out",
                           (dir / "agent.csr").string(), "-subj", "/CN=" + commonName});
  if (!sans.empty()) {
    std::string ext = "subjectAltName=";
    for (size_t i = 0; i < sans.size(); ++i) ext += (i ? ",DNS:" : "DNS:") + sans[i];
    argv.insert(argv.end(), {"-addext", ext});
  }
  auto result = runProcess(argv);
  INFO(result.output);
  REQUIRE(result.exitCode == 0);
  return readText(dir / "agent.csr");
}

std::string opensslX509(const fs::path& dir, const std::string& pem,
                        const std::vector<std::string>& args) {
  writeText(dir / "inspect.pem", pem);
  std::vector<std::string> argv = {"openssl", "x509", "-noout", "-in",
                                   (dir / "inspect.pem").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = runProcess(argv);
  INFO(result.output);
  REQUIRE(result.exitCode == 0);
  return result.output;
}

std::string errorField(const HttpResult& response) {
  auto doc = json::parse(response.body, nullptr, false);
  if (doc.is_discarded() || !doc.contains("error")) return "<no error envelope>";
  return doc["error"].value("field", std::string());
}

}  // namespace certctl::testing::lifecycle
