#pragma once

#include <functional>
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

// Renders the pipeline's own errors (unknown path, method, body too large,
// rate limit, an exception from a handler) for the paths under `pathPrefix`
// in a protocol's error format instead of the REST error envelope (the ACME
// server's RFC 8555 problem documents).
struct ErrorFormat {
  std::string pathPrefix;
  std::function<Response(const Request& request, int status, const std::string& code,
                         const std::string& message)>
      render;
};

struct PipelineOptions {
  const ApiKeyAuth* auth = nullptr;    // nullptr: CERTCTL_AUTH_TYPE=none
  RateLimiter* rateLimiter = nullptr;  // nullptr: rate limiting disabled
  CorsPolicy cors{{}};
  services::AuditLog* audit = nullptr;
  std::vector<std::string> trustedProxies;
  std::size_t maxBodyBytes = 1 << 20;
  bool jsonAccessLog = true;  // CERTCTL_LOG_FORMAT=json
  std::vector<ErrorFormat> errorFormats;
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
  // errorResponse, or a protocol's own format for its paths.
  Response error(const Request& request, int status, const std::string& code,
                 const std::string& message, const std::string& field = {}) const;
  void audit(const Request& request, const Response& response, double latencyMs);
  void accessLog(const Request& request, const Response& response, double latencyMs);

  const Router& router_;
  PipelineOptions options_;
};

}  // namespace certctl::http
