#include "core/http/request_id.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <set>
#include <string>

using certctl::http::generateRequestId;
using certctl::http::isValidRequestId;
using certctl::http::requestIdFor;

TEST_CASE("generateRequestId makes time-ordered UUID v7 text", "[http][request_id]") {
  const std::regex uuidV7("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string previous;
  for (int i = 0; i < 100; ++i) {
    const auto id = generateRequestId();
    INFO(id);
    CHECK(std::regex_match(id, uuidV7));
    CHECK(isValidRequestId(id));
    // The first 48 bits are the creation time in ms.
    long long stamp = std::stoll(id.substr(0, 8) + id.substr(9, 4), nullptr, 16);
    CHECK(stamp >= before);
    CHECK(stamp <= before + 60000);
    // Ids of later milliseconds sort after earlier ones.
    if (!previous.empty() && id.substr(0, 13) != previous.substr(0, 13)) CHECK(id > previous);
    previous = id;
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
