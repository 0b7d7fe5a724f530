#include "sdk/deploy/deploy_result.h"

#include <openssl/rand.h>

#include <chrono>
#include <ctime>

#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/tls_probe.h"
#include "sdk/pki/fingerprint.h"

namespace certctl::sdk::deploy {

using nlohmann::json;

namespace {

std::string rfc3339Now() {
  std::time_t secs = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string newDeploymentId() {
  unsigned char bytes[12];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw DeployError(FailureKind::Internal, "no randomness for a deployment id");
  return "dep-" +
         pki::hexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace

json deploymentResult(const std::string& targetAddress, const std::string& message, json metadata) {
  return {
      {"success", true},    {"target_address", targetAddress}, {"deployment_id", newDeploymentId()},
      {"message", message}, {"deployed_at", rfc3339Now()},     {"metadata", std::move(metadata)}};
}

std::string requestedSerial(const json& request) {
  if (!request.is_object()) throw DeployError::rejected("the request must be a JSON object");
  std::string expected;
  if (auto it = request.find("serial"); it != request.end() && it->is_string())
    expected = it->get<std::string>();
  if (expected.empty()) throw DeployError::rejected("serial: the expected serial is missing");
  return expected;
}

json validationResult(const std::string& targetAddress, const std::string& where,
                      const std::string& served, const std::string& expected, json metadata) {
  const bool valid = normalizeSerial(served) == normalizeSerial(expected);
  return {{"target_address", targetAddress},
          {"validated_at", rfc3339Now()},
          {"valid", valid},
          {"serial", served},
          {"message", valid ? where + " serial " + served
                            : where + " serial " + served + ", expected " + expected},
          {"metadata", std::move(metadata)}};
}

json unreachableResult(const std::string& targetAddress, const std::string& why, json metadata) {
  return {{"target_address", targetAddress},
          {"validated_at", rfc3339Now()},
          {"valid", false},
          {"serial", ""},
          {"message", why},
          {"metadata", std::move(metadata)}};
}

json validateByTls(const VerifyEndpoint& e, const std::string& targetAddress,
                   const std::string& expected, json metadata) {
  metadata["method"] = "tls";
  TlsProbeResult r;
  try {
    r = probeTls({e.host, e.port, e.sni, e.timeout, e.startTls});
  } catch (const TlsProbeError& ex) {
    return unreachableResult(targetAddress, ex.what(), std::move(metadata));
  }
  metadata["fingerprint_sha256"] = r.fingerprintSha256;
  metadata["subject"] = r.subject;
  metadata["protocol"] = r.protocol;
  return validationResult(targetAddress, targetAddress + " presents", r.serial, expected,
                          std::move(metadata));
}

}  // namespace certctl::sdk::deploy
