#include "core/config/duration.h"

#include <catch2/catch.hpp>

#include <stdexcept>

using certctl::config::formatDuration;
using certctl::config::parseDuration;
using std::chrono::milliseconds;

TEST_CASE("parseDuration reads single Go-style units", "[config][duration]") {
  CHECK(parseDuration("1h") == milliseconds(3600000));
  CHECK(parseDuration("2m") == milliseconds(120000));
  CHECK(parseDuration("90s") == milliseconds(90000));
  CHECK(parseDuration("500ms") == milliseconds(500));
  CHECK(parseDuration("2000us") == milliseconds(2));
  CHECK(parseDuration("3000000ns") == milliseconds(3));
  CHECK(parseDuration("1500\u00b5s") == milliseconds(1));
}

TEST_CASE("parseDuration reads sequences and fractions", "[config][duration]") {
  CHECK(parseDuration("1h30m") == milliseconds(5400000));
  CHECK(parseDuration("1m30s") == milliseconds(90000));
  CHECK(parseDuration("1h0m30s") == milliseconds(3630000));
  CHECK(parseDuration("1s500ms") == milliseconds(1500));
  CHECK(parseDuration("1.5h") == milliseconds(5400000));
  CHECK(parseDuration("0.5s") == milliseconds(500));
  CHECK(parseDuration(".25s") == milliseconds(250));
  // Exact integer arithmetic: 1.1s is 1100ms, not 1099.
  CHECK(parseDuration("1.1s") == milliseconds(1100));
  CHECK(parseDuration("2.3s") == milliseconds(2300));
  CHECK(parseDuration("+5s") == milliseconds(5000));
  CHECK(parseDuration("  45s ") == milliseconds(45000));
}

TEST_CASE("parseDuration treats a bare integer as seconds", "[config][duration]") {
  CHECK(parseDuration("90") == milliseconds(90000));
  CHECK(parseDuration("1") == milliseconds(1000));
  CHECK(parseDuration("3600") == milliseconds(3600000));
}

TEST_CASE("parseDuration rejects garbage, zero and negatives", "[config][duration]") {
  for (const char* bad : {"",
                          "   ",
                          "abc",
                          "h",
                          "5x",
                          "5d",
                          "1H",
                          "1.5",
                          "1h 30m",
                          "1h-30m",
                          ".",
                          "s5",
                          "5s!",
                          "-5s",
                          "-90",
                          "0",
                          "0s",
                          "0h0m",
                          "500us",
                          "999999ns",
                          "99999999999999999999h",
                          "9999999999999999999"}) {
    INFO("input: \"" << bad << "\"");
    CHECK_THROWS_AS(parseDuration(bad), std::invalid_argument);
  }
}

TEST_CASE("parseDuration errors say what is wrong", "[config][duration]") {
  CHECK_THROWS_WITH(parseDuration("5d"), Catch::Contains("unknown unit \"d\""));
  CHECK_THROWS_WITH(parseDuration("-5s"), Catch::Contains("positive"));
  CHECK_THROWS_WITH(parseDuration("1.5"), Catch::Contains("missing unit"));
}

TEST_CASE("formatDuration prints the compact form", "[config][duration]") {
  CHECK(formatDuration(milliseconds(3600000)) == "1h");
  CHECK(formatDuration(milliseconds(30000)) == "30s");
  CHECK(formatDuration(milliseconds(90000)) == "1m30s");
  CHECK(formatDuration(milliseconds(5400000)) == "1h30m");
  CHECK(formatDuration(milliseconds(3630000)) == "1h30s");
  CHECK(formatDuration(milliseconds(1500)) == "1s500ms");
  CHECK(formatDuration(milliseconds(500)) == "500ms");
  CHECK(formatDuration(milliseconds(86400000)) == "24h");
  CHECK(formatDuration(milliseconds(0)) == "0s");
  CHECK(formatDuration(milliseconds(-90000)) == "-1m30s");
}

TEST_CASE("formatDuration output parses back to the same value", "[config][duration]") {
  for (long long ms : {1LL, 999LL, 1000LL, 61001LL, 3599999LL, 3600000LL, 90061001LL}) {
    INFO("ms = " << ms);
    CHECK(parseDuration(formatDuration(milliseconds(ms))) == milliseconds(ms));
  }
}
