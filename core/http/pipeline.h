#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/http/api_key_auth.h"
#include "core/http/cors_policy.h"
#include "core/http/rate_limiter.h"
#include "core/http/router.h"
#include "core/services/audit_log.h"

namespace certctl::http {

struct PipelineOptions {
  const ApiKeyAuth* auth = nullptr;    // nullptr: CERTCTL_AUTH_TYPE=none
  RateLimiter* rateLimiter = nullptr;  // nullptr: rate limiting disabled
  CorsPolicy cors{{}};
  services::AuditLog* audit = nullptr;
  std::vector<std::string> trustedProxies;
  std::size_t maxBodyBytes = 1 << 20;
  bool jsonAccessLog = true;  // CERTCTL_LOG_FORMAT=json
};

// The middleware chain, in order: request id → recover → CORS → rate limit
// → route → body limit → auth → handler → audit → access log. Each stage is
// a small function in pipeline.cpp; the order is the security contract.
class Pipeline {
 public:
  Pipeline(const Router& router, PipelineOptions options);
  Response handle(Request& request);

 private:
  Response dispatch(Request& request);
  // Sets the actor from the API key, or returns the 401 to send.
  std::optional<Response> authenticate(Request& request) const;
  void audit(const Request& request, const Response& response, double latencyMs);
  void accessLog(const Request& request, const Response& response, double latencyMs);

  const Router& router_;
  PipelineOptions options_;
};

}  // namespace certctl::http
