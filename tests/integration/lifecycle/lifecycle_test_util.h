#pragma once

// Helpers shared by the lifecycle tests: a server in either keygen mode,
// polling a certificate's jobs, and the openssl command line for CSRs and
// chain verification (argv lists through runProcess, never a shell).

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/server_process.h"

namespace certctl::testing::lifecycle {

// CERTCTL_KEYGEN_MODE=server|agent on a fresh server (the default local CA
// issuer iss-local is created on first start).
ServerProcessOptions keygen(const std::string& mode,
                            const std::map<std::string, std::string>& extraEnv = {});

// POST /api/v1/certificates on iss-local with `extra` fields; returns the record.
nlohmann::json createCertificate(ServerProcess& server, const std::string& name,
                                 const std::string& commonName, nlohmann::json extra = {});

// The jobs of a certificate (GET /api/v1/jobs?certificate_id=...), newest first.
std::vector<nlohmann::json> jobsOf(ServerProcess& server, const std::string& certificateId);

// Polls until `probe` is true (or the timeout passes) and returns its last value.
bool eventually(const std::function<bool()>& probe,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

// Waits until job `jobId` (or, when empty, the certificate's only
// issuance/renewal job) has `status` and returns it (REQUIREs it got there).
nlohmann::json waitForJob(ServerProcess& server, const std::string& certificateId,
                          const std::string& status, const std::string& jobId = {});

// Waits until the certificate's status is `status`; returns the record.
nlohmann::json waitForCertificate(ServerProcess& server, const std::string& certificateId,
                                  const std::string& status);

nlohmann::json versionsOf(ServerProcess& server, const std::string& certificateId);

// Waits for the certificate's issuance job to complete and the certificate
// to be Active; REQUIREs it has exactly one version, from `issuerId`, and
// returns that version.
nlohmann::json waitForFirstVersion(ServerProcess& server, const std::string& certificateId,
                                   const std::string& issuerId);

// The self-signed local CA certificate of iss-local, as the plugin keeps it.
std::filesystem::path localCaCert(const ServerProcess& server);

// `openssl verify -CAfile ca [-untrusted chain] leaf`: the command's output,
// "OK" in it on success. Writes the PEMs into `dir`.
struct Verify {
  int exitCode;
  std::string output;
};
Verify opensslVerify(const std::filesystem::path& dir, const std::filesystem::path& caFile,
                     const std::string& leafPem, const std::string& untrustedPem = {});

// A key and CSR made by `openssl req`: keyArgs e.g. {"-newkey", "ec",
// "-pkeyopt", "ec_paramgen_curve:P-256"} or {"-newkey", "rsa:2048"}.
std::string opensslCsr(const std::filesystem::path& dir, const std::string& commonName,
                       const std::vector<std::string>& sans,
                       const std::vector<std::string>& keyArgs = {"-newkey", "ec", "-pkeyopt",
                                                                  "ec_paramgen_curve:P-256"});

// `openssl x509 -noout -<what>` of a PEM certificate (e.g. "enddate", "serial").
std::string opensslX509(const std::filesystem::path& dir, const std::string& pem,
                        const std::vector<std::string>& args);

// The field an error envelope names ("" when none).
std::string errorField(const HttpResult& response);

}  // namespace certctl::testing::lifecycle
