#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/http/http_types.h"
#include "core/services/audit_log.h"

namespace certctl::protocols::est {

// The typed audit actions of docs/est.md "Troubleshooting matrix".
namespace action {
inline constexpr const char* kSimpleEnrollSuccess = "est_simple_enroll_success";
inline constexpr const char* kSimpleEnrollFailed = "est_simple_enroll_failed";
inline constexpr const char* kSimpleReenrollSuccess = "est_simple_reenroll_success";
inline constexpr const char* kSimpleReenrollFailed = "est_simple_reenroll_failed";
inline constexpr const char* kServerKeygenSuccess = "est_server_keygen_success";
inline constexpr const char* kServerKeygenFailed = "est_server_keygen_failed";
inline constexpr const char* kAuthFailedBasic = "est_auth_failed_basic";
inline constexpr const char* kAuthFailedMtls = "est_auth_failed_mtls";
inline constexpr const char* kAuthFailedChannelBinding = "est_auth_failed_channel_binding";
inline constexpr const char* kRateLimited = "est_rate_limited";
inline constexpr const char* kCsrPolicyViolation = "est_csr_policy_violation";
inline constexpr const char* kTrustAnchorReloaded = "est_trust_anchor_reloaded";
}  // namespace action

// Writes one EST audit row (durable: these are security events). `details`
// gets path_id and source_ip; it never carries secrets or key material.
void recordEstEvent(services::AuditLog* audit, const http::Request& request,
                    const std::string& action, const std::string& pathId,
                    nlohmann::json details = nlohmann::json::object(), int status = 0);

}  // namespace certctl::protocols::est
