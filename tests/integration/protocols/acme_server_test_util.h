#pragma once

// Shared by the ACME server integration tests: a server with the ACME
// server on, a trust_authenticated profile, and inventory look-ups.

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sdk/pki/certificate.h"
#include "tests/integration/protocols/protocol_test_util.h"
#include "tests/support/server_process.h"

namespace certctl::testing::protocols {

inline constexpr const char* kAcmeProfile = "prof-acme";

inline ServerProcessOptions acmeServerOptions(std::map<std::string, std::string> extra = {}) {
  ServerProcessOptions options;
  options.env = {{"CERTCTL_ACME_SERVER_ENABLED", "true"},
                 {"CERTCTL_ACME_SERVER_DEFAULT_PROFILE_ID", kAcmeProfile},
                 {"CERTCTL_ACME_SERVER_ISSUER_ID", "iss-local"}};
  for (auto& [k, v] : extra) options.env[k] = v;
  return options;
}

inline void createAcmeProfile(ServerProcess& server, const std::string& id,
                              const std::string& mode = "trust_authenticated") {
  auto r = server.post("/api/v1/profiles", {{"id", id}, {"name", id}, {"acme_auth_mode", mode}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  REQUIRE(r.json()["acme_auth_mode"] == mode);
}

inline std::vector<nlohmann::json> acmeCertificates(ServerProcess& server) {
  auto r = server.get("/api/v1/certificates?per_page=100");
  REQUIRE(r.status == 200);
  const nlohmann::json body = r.json();
  std::vector<nlohmann::json> out;
  for (const auto& c : body["data"])
    if (c["source"] == "acme") out.push_back(c);
  return out;
}

// The inventory certificate whose issued version has the serial of the PEM file.
inline nlohmann::json certificateBySerial(ServerProcess& server, const std::filesystem::path& pem) {
  std::string serial =
      sdk::pki::Certificate::fromPem(readFile(pem), sdk::pki::KeyDecoding::Deferred).serialHex();
  for (const auto& c : acmeCertificates(server)) {
    auto versions = server.get("/api/v1/certificates/" + c["id"].get<std::string>() + "/versions");
    if (versions.status != 200) continue;
    auto body = versions.json();
    const auto& list = body.is_array() ? body : body["data"];
    for (const auto& v : list)
      if (v.value("serial_number", std::string()) == serial) return c;
  }
  FAIL("no certificate with serial " << serial);
  return {};
}

}  // namespace certctl::testing::protocols
