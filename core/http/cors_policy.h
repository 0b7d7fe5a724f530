#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace certctl::http {

// CORS for the web UI when it is served from another origin (seed:
// CERTCTL_CORS_ORIGINS). Deny by default: an empty allowlist allows nothing;
// "*" allows any origin. No Access-Control-Allow-Credentials is ever sent: the
// API authenticates with a Bearer header, not cookies, so echoing an origin is
// no more permissive than "*".
class CorsPolicy {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  // Entries are "scheme://host[:port]" (a trailing "/" is tolerated) or "*".
  // Malformed entries are ignored and listed by rejectedOrigins() for logging.
  explicit CorsPolicy(std::vector<std::string> allowedOrigins, int maxAgeSeconds = 600);

  // Exact match on scheme://host[:port]; scheme and host compare
  // case-insensitively and a default port (:80 for http, :443 for https)
  // equals its absence, as browsers serialize origins that way.
  bool isAllowed(std::string_view origin) const;

  // Headers for a normal response: empty if no/disallowed Origin.
  Headers responseHeaders(std::string_view origin) const;

  struct Preflight {
    int status;  // 204 allowed, 403 refused (then no headers)
    Headers headers;
  };
  // OPTIONS with Origin + Access-Control-Request-Method. A method outside the
  // allowed set is refused like a foreign origin.
  Preflight preflight(std::string_view origin, std::string_view requestMethod) const;

  bool allowsAnyOrigin() const { return wildcard_; }
  const std::vector<std::string>& rejectedOrigins() const { return rejected_; }

  // "scheme://host[:port]" in canonical form, or nullopt when malformed
  // (path, userinfo, bad port, control characters ...). Public for tests.
  static std::optional<std::string> normalizeOrigin(std::string_view origin);

 private:
  bool wildcard_ = false;
  std::unordered_set<std::string> allowed_;
  std::vector<std::string> rejected_;
  std::string maxAge_;
};

}  // namespace certctl::http
