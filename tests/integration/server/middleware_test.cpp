// The middleware chain of the real certctl-server seen from a client:
// request ids and the access log, rate limiting, CORS, and the error
// envelope for unknown paths, wrong methods, oversized and malformed bodies.
#include <catch2/catch.hpp>

#include <regex>
#include <thread>

#include "tests/integration/server/server_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::server;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

bool isErrorEnvelope(const HttpResult& r, const std::string& code) {
  auto body = json::parse(r.body, nullptr, false);
  return body.is_object() && body.contains("error") && body["error"].value("code", "") == code &&
         body["error"].value("message", "") != "" && body.value("request_id", "") != "" &&
         body.value("request_id", "") == r.header("x-request-id");
}

// The access-log line of one request, or null.
json accessLogLine(const std::string& log, const std::string& requestId) {
  for (auto& line : jsonLogLines(log))
    if (line.value("request_id", "") == requestId && line.value("msg", "") == "http_request")
      return line;
  return nullptr;
}

}  // namespace

TEST_CASE("every response carries an X-Request-ID that the access log repeats",
          "[server][middleware]") {
  ServerProcess server;
  const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

  // Generated when absent: unique per request, on success and on error alike.
  auto a = server.get("/health");
  auto b = server.get("/api/v1/teams");
  auto c = server.request("GET", "/api/v1/teams", {}, {}, "-");
  auto d = server.get("/api/v1/teams/team-does-not-exist");
  for (const auto* r : {&a, &b, &c, &d}) {
    INFO(r->status << " " << r->header("x-request-id"));
    CHECK(std::regex_match(r->header("x-request-id"), uuid));
  }
  CHECK(a.header("x-request-id") != b.header("x-request-id"));
  CHECK(c.status == 401);
  CHECK(d.status == 404);
  CHECK(json::parse(d.body)["request_id"] == d.header("x-request-id"));

  // A well-formed client id is propagated.
  const std::string mine = "client-trace.0001:abc_XYZ";
  auto echoed = server.request("GET", "/api/v1/teams", {}, {{"X-Request-ID", mine}});
  CHECK(echoed.status == 200);
  CHECK(echoed.header("x-request-id") == mine);
  const std::string max(128, 'a');
  CHECK(server.request("GET", "/health", {}, {{"X-Request-ID", max}}).header("x-request-id") ==
        max);

  // Anything else is replaced, never echoed (it would land in logs and headers).
  for (const std::string& bad :
       {std::string(129, 'a'), std::string("has space"), std::string("<script>x</script>"),
        std::string("quote\"inside"), std::string("semi;colon"), std::string("new%0Aline")}) {
    INFO(bad);
    auto r = server.request("GET", "/api/v1/teams", {}, {{"X-Request-ID", bad}});
    CHECK(r.status == 200);
    CHECK(r.header("x-request-id") != bad);
    CHECK(std::regex_match(r.header("x-request-id"), uuid));
  }

  // The access log: one JSON object per request with the same id.
  auto deniedId = c.header("x-request-id");
  REQUIRE(eventually([&] {
    return !accessLogLine(server.log(), mine).is_null() &&
           !accessLogLine(server.log(), deniedId).is_null();
  }));
  auto line = accessLogLine(server.log(), mine);
  CHECK(line["method"] == "GET");
  CHECK(line["path"] == "/api/v1/teams");
  CHECK(line["status"] == 200);
  CHECK(line["actor"] == "key-1");
  CHECK(line["latency_ms"].is_number());
  CHECK(line["client_ip"] == "127.0.0.1");
  CHECK(line.contains("time"));
  CHECK(line.contains("level"));
  auto denied = accessLogLine(server.log(), deniedId);
  CHECK(denied["status"] == 401);
  CHECK(denied["actor"] == "anonymous");
}

TEST_CASE("a malformed request URI still gets a JSON error with a request id",
          "[server][middleware]") {
  ServerProcess server;
  auto r = server.request("GET", "/api/v1/teams?name=%zz", {}, {{"X-Request-ID", "bad-uri-1"}});
  INFO(r.status << " " << r.body);
  CHECK(r.status == 400);
  CHECK(r.header("x-request-id") == "bad-uri-1");
  CHECK(isErrorEnvelope(r, "invalid_request"));
  CHECK(server.get("/health").status == 200);
}

TEST_CASE("rate limit: the request after the burst gets 429 with Retry-After, probes never",
          "[server][middleware][ratelimit]") {
  ServerProcessOptions options;
  options.env = {{"CERTCTL_RATE_LIMIT_ENABLED", "true"},
                 {"CERTCTL_RATE_LIMIT_RPS", "1"},
                 {"CERTCTL_RATE_LIMIT_BURST", "3"}};
  ServerProcess server(options);

  for (int i = 0; i < 3; ++i) {
    INFO("request " << i + 1);
    CHECK(server.get("/api/v1/teams").status == 200);
  }
  auto limited = server.get("/api/v1/teams");
  INFO(limited.body);
  REQUIRE(limited.status == 429);
  CHECK(isErrorEnvelope(limited, "rate_limited"));
  const std::string retryAfter = limited.header("retry-after");
  REQUIRE(!retryAfter.empty());
  REQUIRE(std::all_of(retryAfter.begin(), retryAfter.end(), ::isdigit));
  CHECK(std::stoi(retryAfter) >= 1);
  CHECK(std::stoi(retryAfter) <= 4);

  // The limit is per client, not per credential: another key or none does not help.
  CHECK(server.request("GET", "/api/v1/teams", {}, {}, "-").status == 429);
  // A limited write is refused before it is handled.
  CHECK(server.request("POST", "/api/v1/teams", R"({"name":"limited"})").status == 429);

  // Probes are exempt, however often they are called.
  for (int i = 0; i < 20; ++i) {
    auto h = server.get("/health");
    if (h.status != 200) FAIL("/health got " << h.status << " on call " << i + 1);
  }
  CHECK(server.get("/ready").status == 200);

  // The bucket refills at 1 token per second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto after = server.get("/api/v1/teams");
  CHECK(after.status == 200);
  CHECK(after.json()["total"] == 0);  // the limited POST created nothing

  // Refused requests are in the audit trail (the limited GETs and the POST).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto audit = server.get("/api/v1/audit?status_code=429&resource=teams");
  REQUIRE(audit.status == 200);
  CHECK(audit.json()["total"] == 3);
}

TEST_CASE("CORS is deny-by-default", "[server][middleware][cors]") {
  ServerProcess server;
  // As a browser sends it: no Content-Length, no body. Answered at once.
  auto curl = runProcess(
      {"curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
       server.caFile().string(), "-X", "OPTIONS", "-H", "Origin: https://evil.example", "-H",
       "Access-Control-Request-Method: GET", server.baseUrl() + "/api/v1/teams"});
  INFO(curl.output);
  REQUIRE(curl.output == "403");

  auto preflight = server.request("OPTIONS", "/api/v1/teams", {},
                                  {{"Origin", "https://evil.example"},
                                   {"Access-Control-Request-Method", "GET"},
                                   {"Access-Control-Request-Headers", "authorization"}},
                                  "-");
  CHECK(preflight.status == 403);
  CHECK(preflight.header("access-control-allow-origin").empty());
  CHECK(preflight.header("access-control-allow-methods").empty());

  auto get = server.request("GET", "/api/v1/teams", {}, {{"Origin", "https://evil.example"}});
  CHECK(get.status == 200);
  CHECK(get.header("access-control-allow-origin").empty());
  CHECK(get.header("access-control-allow-credentials").empty());
}

TEST_CASE("CORS allowlist: preflight and simple requests from a listed origin",
          "[server][middleware][cors]") {
  ServerProcessOptions options;
  options.env["CERTCTL_CORS_ORIGINS"] = "https://ui.example, https://other.example:8444";
  ServerProcess server(options);

  // A browser's preflight has no Content-Length and no body; curl sends it the
  // same way. It must be answered at once, not after a read timeout.
  auto started = std::chrono::steady_clock::now();
  auto curl = runProcess(
      {"curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
       server.caFile().string(), "-X", "OPTIONS", "-H", "Origin: https://ui.example", "-H",
       "Access-Control-Request-Method: DELETE", server.baseUrl() + "/api/v1/teams"});
  INFO(curl.output);
  CHECK(curl.exitCode == 0);
  CHECK(curl.output == "204");
  REQUIRE(std::chrono::steady_clock::now() - started < 3s);  // else every preflight below hangs

  auto preflight =
      server.request("OPTIONS", "/api/v1/teams", {},
                     {{"Origin", "https://ui.example"},
                      {"Access-Control-Request-Method", "POST"},
                      {"Access-Control-Request-Headers", "authorization,content-type"}},
                     "-");
  INFO(preflight.body);
  CHECK(preflight.status == 204);
  CHECK(preflight.header("access-control-allow-origin") == "https://ui.example");
  auto methods = preflight.header("access-control-allow-methods");
  for (const char* m : {"GET", "POST", "PUT", "DELETE"})
    CHECK(methods.find(m) != std::string::npos);
  auto allowHeaders = preflight.header("access-control-allow-headers");
  CHECK(allowHeaders.find("Authorization") != std::string::npos);
  CHECK(allowHeaders.find("Content-Type") != std::string::npos);
  auto maxAge = preflight.header("access-control-max-age");
  REQUIRE(!maxAge.empty());
  CHECK(std::stoi(maxAge) > 0);
  CHECK(preflight.header("vary").find("Origin") != std::string::npos);
  CHECK(preflight.body.empty());

  auto get = server.request("GET", "/api/v1/teams", {}, {{"Origin", "https://ui.example"}});
  CHECK(get.status == 200);
  CHECK(get.header("access-control-allow-origin") == "https://ui.example");
  CHECK(get.header("vary").find("Origin") != std::string::npos);
  CHECK(get.header("access-control-expose-headers").find("X-Request-ID") != std::string::npos);
  // The browser must see the CORS headers on errors too, or it hides the status.
  auto unauthorized =
      server.request("GET", "/api/v1/teams", {}, {{"Origin", "https://ui.example"}}, "-");
  CHECK(unauthorized.status == 401);
  CHECK(unauthorized.header("access-control-allow-origin") == "https://ui.example");

  CHECK(server
            .request("OPTIONS", "/api/v1/teams", {},
                     {{"Origin", "https://other.example:8444"},
                      {"Access-Control-Request-Method", "GET"}},
                     "-")
            .status == 204);
  // Near misses are still strangers.
  for (const std::string origin :
       {"https://evil.example", "http://ui.example", "https://ui.example.evil.example",
        "https://ui.example:8443", "https://other.example", "null"}) {
    INFO(origin);
    auto r = server.request("OPTIONS", "/api/v1/teams", {},
                            {{"Origin", origin}, {"Access-Control-Request-Method", "GET"}}, "-");
    CHECK(r.status == 403);
    CHECK(r.header("access-control-allow-origin").empty());
    auto simple = server.request("GET", "/api/v1/teams", {}, {{"Origin", origin}});
    CHECK(simple.header("access-control-allow-origin").empty());
  }
  // A method outside the allowlist is refused even for a listed origin.
  CHECK(server
            .request("OPTIONS", "/api/v1/teams", {},
                     {{"Origin", "https://ui.example"}, {"Access-Control-Request-Method", "PATCH"}},
                     "-")
            .status == 403);
}

TEST_CASE("errors: unknown paths, wrong methods, oversized and malformed bodies",
          "[server][middleware][errors]") {
  ServerProcessOptions options;
  options.env["CERTCTL_MAX_BODY_BYTES"] = "2048";
  ServerProcess server(options);

  auto unknown = server.get("/api/v1/no-such-resource");
  CHECK(unknown.status == 404);
  CHECK(isErrorEnvelope(unknown, "not_found"));
  auto outside = server.get("/definitely/not/here");
  CHECK(outside.status == 404);
  CHECK(isErrorEnvelope(outside, "not_found"));

  auto patch = server.request("PATCH", "/api/v1/teams", R"({"name":"x"})");
  CHECK(patch.status == 405);
  CHECK(isErrorEnvelope(patch, "method_not_allowed"));
  auto allow = patch.header("allow");
  CHECK(allow.find("GET") != std::string::npos);
  CHECK(allow.find("POST") != std::string::npos);
  CHECK(allow.find("DELETE") == std::string::npos);
  auto deleteCollection = server.del("/api/v1/teams");
  CHECK(deleteCollection.status == 405);
  auto itemAllow =
      server.request("POST", "/api/v1/teams/team-x", R"({"name":"x"})").header("allow");
  CHECK(itemAllow.find("PUT") != std::string::npos);
  CHECK(itemAllow.find("DELETE") != std::string::npos);

  // Over the limit: refused before parsing, nothing created.
  std::string big = json{{"name", "too-big"}, {"description", std::string(4000, 'x')}}.dump();
  auto tooLarge = server.request("POST", "/api/v1/teams", big);
  INFO(tooLarge.body);
  CHECK(tooLarge.status == 413);
  CHECK(isErrorEnvelope(tooLarge, "payload_too_large"));
  CHECK(json::parse(tooLarge.body)["error"].value("field", "") == "body");
  // Just under the limit is fine.
  std::string fits = json{{"name", "fits"}, {"description", std::string(1900, 'y')}}.dump();
  REQUIRE(fits.size() < 2048);
  CHECK(server.request("POST", "/api/v1/teams", fits).status == 201);

  // The same limit holds for a chunked body, whose size is not announced.
  auto chunked = runProcess({"curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w",
                             "%{http_code}", "--cacert", server.caFile().string(), "-H",
                             "Authorization: Bearer " + server.apiKey(), "-H",
                             "Content-Type: application/json", "-H", "Transfer-Encoding: chunked",
                             "--data-binary", big, server.baseUrl() + "/api/v1/teams"});
  INFO(chunked.output);
  CHECK(chunked.output == "413");
  // A POST without any body is a 400 naming the body, answered at once.
  auto empty = runProcess({"curl", "-sS", "--max-time", "5", "--cacert", server.caFile().string(),
                           "-H", "Authorization: Bearer " + server.apiKey(), "-X", "POST",
                           server.baseUrl() + "/api/v1/teams"});
  INFO(empty.output);
  CHECK(empty.exitCode == 0);
  CHECK(json::parse(empty.output, nullptr, false)["error"].value("field", "") == "body");

  auto malformed = server.request("POST", "/api/v1/teams", R"({"name": "broken",)");
  CHECK(malformed.status == 400);
  CHECK(isErrorEnvelope(malformed, "invalid_request"));
  CHECK(json::parse(malformed.body)["error"].value("field", "") == "body");
  CHECK(server.request("POST", "/api/v1/teams", "[1,2]").status == 400);
  CHECK(server.request("POST", "/api/v1/teams", R"({"name":"t"})", {{"Content-Type", "text/plain"}})
            .status == 400);

  // Only the one that fit was stored.
  auto list = server.get("/api/v1/teams");
  REQUIRE(list.status == 200);
  CHECK(list.json()["total"] == 1);
  CHECK(list.json()["data"][0]["name"] == "fits");
  // No bad input ever produced a 500.
  CHECK(server.log().find("\"status\":500") == std::string::npos);
}
