#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sdk/deploy/file_target.h"

namespace certctl::sdk::deploy {

// The result documents of target_v1.h, shared by every target plugin built
// on sdk/deploy (file targets and admin-API targets alike).

// {"success": true, "target_address", "deployment_id" ("dep-..."), "message",
// "deployed_at" (RFC 3339, UTC), "metadata"}.
nlohmann::json deploymentResult(const std::string& targetAddress, const std::string& message,
                                nlohmann::json metadata);

// The "serial" a validate_deployment request expects. Throws
// DeployError(Rejected) when it is missing.
std::string requestedSerial(const nlohmann::json& request);

// The validate_deployment answer: valid when `served` equals `expected`
// (serials compared with normalizeSerial). `where` starts the message
// ("127.0.0.1:443 presents"). Fills {"target_address", "validated_at",
// "valid", "serial", "message", "metadata"}.
nlohmann::json validationResult(const std::string& targetAddress, const std::string& where,
                                const std::string& served, const std::string& expected,
                                nlohmann::json metadata);

// The same answer when the deployment could not be looked at (the endpoint
// is down, the file is missing): not valid, with `why` as the message. That
// is an answer, not a plugin failure.
nlohmann::json unreachableResult(const std::string& targetAddress, const std::string& why,
                                 nlohmann::json metadata);

// validate_deployment through the live endpoint: a TLS handshake, the
// presented leaf's serial against the request's. Sets metadata "method": "tls".
nlohmann::json validateByTls(const VerifyEndpoint& endpoint, const std::string& targetAddress,
                             const std::string& expected, nlohmann::json metadata);

}  // namespace certctl::sdk::deploy
