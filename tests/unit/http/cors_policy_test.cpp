#include "core/http/cors_policy.h"

#include <catch2/catch.hpp>

#include <string>

using certctl::http::CorsPolicy;

namespace {

std::string header(const CorsPolicy::Headers& headers, const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

}  // namespace

TEST_CASE("CorsPolicy denies everything by default", "[http][cors]") {
  const CorsPolicy policy({});
  CHECK_FALSE(policy.isAllowed("http://localhost:3000"));
  CHECK_FALSE(policy.isAllowed("null"));
  CHECK(policy.responseHeaders("http://localhost:3000").empty());
  const auto pre = policy.preflight("http://localhost:3000", "GET");
  CHECK(pre.status == 403);
  CHECK(pre.headers.empty());

  const CorsPolicy blanks({"", "  "});
  CHECK_FALSE(blanks.isAllowed("http://localhost:3000"));
  CHECK_FALSE(blanks.allowsAnyOrigin());
}

TEST_CASE("CorsPolicy matches configured origins exactly", "[http][cors]") {
  const CorsPolicy policy({"http://localhost:3000", " https://App.Example.com/ "});

  CHECK(policy.isAllowed("http://localhost:3000"));
  CHECK(policy.isAllowed("https://app.example.com"));
  CHECK(policy.isAllowed("https://APP.example.COM"));      // host is case-insensitive
  CHECK(policy.isAllowed("HTTPS://app.example.com"));      // so is the scheme
  CHECK(policy.isAllowed("https://app.example.com:443"));  // default port == no port

  CHECK_FALSE(policy.isAllowed("http://localhost:3001"));   // other port
  CHECK_FALSE(policy.isAllowed("https://localhost:3000"));  // other scheme
  CHECK_FALSE(policy.isAllowed("http://localhost"));        // missing port
  CHECK_FALSE(policy.isAllowed("http://app.example.com"));  // http vs https
  CHECK_FALSE(policy.isAllowed("https://evil.app.example.com"));
  CHECK_FALSE(policy.isAllowed("https://app.example.com.evil.io"));
  CHECK_FALSE(policy.isAllowed("https://app.example.comx"));
  CHECK_FALSE(policy.isAllowed("https://app.example.com/path"));
  CHECK_FALSE(policy.isAllowed("https://user@app.example.com"));
  CHECK_FALSE(policy.isAllowed("https://app.example.com\r\nSet-Cookie: x=1"));
  CHECK_FALSE(policy.isAllowed("app.example.com"));
  CHECK_FALSE(policy.isAllowed("null"));
  CHECK_FALSE(policy.isAllowed(""));
}

TEST_CASE("CorsPolicy reports malformed configuration entries", "[http][cors]") {
  const CorsPolicy policy(
      {"localhost:3000", "http://ok.test", "https://x.test/path", "http://bad:99999"});
  CHECK(policy.isAllowed("http://ok.test"));
  CHECK(policy.rejectedOrigins() ==
        std::vector<std::string>{"localhost:3000", "https://x.test/path", "http://bad:99999"});
}

TEST_CASE("CorsPolicy normalizes origins", "[http][cors]") {
  CHECK(CorsPolicy::normalizeOrigin("HTTP://Example.COM:80") == "http://example.com");
  CHECK(CorsPolicy::normalizeOrigin("https://example.com:8443") == "https://example.com:8443");
  CHECK(CorsPolicy::normalizeOrigin("http://example.com:080") == "http://example.com");
  CHECK(CorsPolicy::normalizeOrigin("http://[::1]:3000") == "http://[::1]:3000");
  CHECK(CorsPolicy::normalizeOrigin("http://[2001:DB8::1]") == "http://[2001:db8::1]");
  CHECK_FALSE(CorsPolicy::normalizeOrigin("http://"));
  CHECK_FALSE(CorsPolicy::normalizeOrigin("http://host:"));
  CHECK_FALSE(CorsPolicy::normalizeOrigin("http://[::1"));
  CHECK_FALSE(CorsPolicy::normalizeOrigin("http://[::1]x"));
  CHECK_FALSE(CorsPolicy::normalizeOrigin("http://host:65536"));
  CHECK_FALSE(CorsPolicy::normalizeOrigin("1http://host"));
  CHECK_FALSE(CorsPolicy::normalizeOrigin("http://ho st"));
}

TEST_CASE("CorsPolicy wildcard allows any well-formed origin", "[http][cors]") {
  const CorsPolicy policy({"*"});
  CHECK(policy.allowsAnyOrigin());
  CHECK(policy.isAllowed("https://anything.example"));
  CHECK(policy.isAllowed("http://localhost:5173"));
  CHECK(policy.isAllowed("null"));
  CHECK_FALSE(policy.isAllowed(""));
  CHECK_FALSE(policy.isAllowed("https://x.test\r\nX-Injected: 1"));  // never echoed

  const auto headers = policy.responseHeaders("https://Anything.example");
  CHECK(header(headers, "Access-Control-Allow-Origin") == "https://Anything.example");
  CHECK(header(headers, "Vary") == "Origin");
}

TEST_CASE("CorsPolicy response headers", "[http][cors]") {
  const CorsPolicy policy({"https://ui.example"});
  CHECK(policy.responseHeaders("").empty());
  CHECK(policy.responseHeaders("https://other.example").empty());

  const auto headers = policy.responseHeaders("https://ui.example");
  CHECK(headers.size() == 3);
  CHECK(header(headers, "Access-Control-Allow-Origin") == "https://ui.example");
  CHECK(header(headers, "Vary") == "Origin");
  CHECK(header(headers, "Access-Control-Expose-Headers") == "X-Request-ID, Retry-After");
  CHECK(header(headers, "Access-Control-Allow-Credentials") == "<absent>");
}

TEST_CASE("CorsPolicy preflight", "[http][cors]") {
  const CorsPolicy policy({"https://ui.example"}, 1200);

  SECTION("allowed origin and method") {
    const auto pre = policy.preflight("https://ui.example", "DELETE");
    CHECK(pre.status == 204);
    CHECK(header(pre.headers, "Access-Control-Allow-Origin") == "https://ui.example");
    CHECK(header(pre.headers, "Access-Control-Allow-Methods") == "GET, POST, PUT, DELETE, OPTIONS");
    CHECK(header(pre.headers, "Access-Control-Allow-Headers") ==
          "Authorization, Content-Type, X-Request-ID");
    CHECK(header(pre.headers, "Access-Control-Max-Age") == "1200");
    CHECK(header(pre.headers, "Vary") == "Origin");
  }
  SECTION("foreign origin") {
    const auto pre = policy.preflight("https://evil.example", "GET");
    CHECK(pre.status == 403);
    CHECK(pre.headers.empty());
  }
  SECTION("method outside the allowed set") {
    CHECK(policy.preflight("https://ui.example", "PATCH").status == 403);
    CHECK(policy.preflight("https://ui.example", "get").status == 403);
    CHECK(policy.preflight("https://ui.example", "").status == 403);
    CHECK(policy.preflight("https://ui.example", "GET").status == 204);
    CHECK(policy.preflight("https://ui.example", "OPTIONS").status == 204);
  }
  SECTION("negative max age is clamped") {
    const CorsPolicy p({"https://ui.example"}, -5);
    CHECK(header(p.preflight("https://ui.example", "GET").headers, "Access-Control-Max-Age") ==
          "0");
  }
}
