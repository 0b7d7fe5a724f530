#include "core/http/request_id.h"

#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>

using certctl::http::generateRequestId;
using certctl::http::isValidRequestId;
using certctl::http::requestIdFor;

TEST_CASE("generateRequestId makes UUID v4 text", "[http][request_id]") {
  const std::regex uuidV4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 100; ++i) {
    const auto id = generateRequestId();
    INFO(id);
    CHECK(std::regex_match(id, uuidV4));
    CHECK(isValidRequestId(id));
  }
}

TEST_CASE("generateRequestId is unique", "[http][request_id]") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(generateRequestId());
  CHECK(seen.size() == 10000);
}

TEST_CASE("isValidRequestId accepts only safe, bounded ids", "[http][request_id]") {
  CHECK(isValidRequestId("a"));
  CHECK(isValidRequestId("req-123_abc.DEF:9"));
  CHECK(isValidRequestId(std::string(128, 'x')));

  CHECK_FALSE(isValidRequestId(""));
  CHECK_FALSE(isValidRequestId(std::string(129, 'x')));
  CHECK_FALSE(isValidRequestId("has space"));
  CHECK_FALSE(isValidRequestId("line\r\nX-Evil: 1"));
  CHECK_FALSE(isValidRequestId("quote\"d"));
  CHECK_FALSE(isValidRequestId("slash/path"));
  CHECK_FALSE(isValidRequestId("caf\xc3\xa9"));
  CHECK_FALSE(isValidRequestId(std::string("nul\0byte", 8)));
}

TEST_CASE("requestIdFor propagates valid ids and replaces the rest", "[http][request_id]") {
  CHECK(requestIdFor("client-req-42") == "client-req-42");

  const auto replaced = requestIdFor("bad id");
  CHECK(replaced != "bad id");
  CHECK(replaced.size() == 36);
  CHECK(isValidRequestId(replaced));

  const auto generated = requestIdFor("");
  CHECK(generated.size() == 36);
  CHECK(generated != requestIdFor(""));
}
