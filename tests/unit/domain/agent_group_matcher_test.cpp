#include <catch2/catch.hpp>

#include "core/domain/agent_group_matcher.h"

using namespace certctl::domain;

TEST_CASE("CIDR matching for IPv4, IPv6 and mapped addresses", "[agent-groups]") {
  CHECK(ipInCidr("10.1.2.3", "10.0.0.0/8"));
  CHECK_FALSE(ipInCidr("11.1.2.3", "10.0.0.0/8"));
  CHECK(ipInCidr("192.168.1.130", "192.168.1.128/25"));
  CHECK_FALSE(ipInCidr("192.168.1.127", "192.168.1.128/25"));
  CHECK(ipInCidr("::ffff:10.0.0.1", "10.0.0.0/24"));
  CHECK(ipInCidr("2001:db8::1", "2001:db8::/32"));
  CHECK_FALSE(ipInCidr("2001:db9::1", "2001:db8::/32"));
  CHECK_FALSE(ipInCidr("10.0.0.1", "2001:db8::/32"));
  CHECK(ipInCidr("10.0.0.7", "10.0.0.7"));
  CHECK(ipInCidr("8.8.8.8", "0.0.0.0/0"));
  CHECK_FALSE(ipInCidr("not-an-ip", "10.0.0.0/8"));
  CHECK(validateCidr("10.0.0.0/33").has_value());
  CHECK(validateCidr("10.0.0/8").has_value());
  CHECK(validateCidr("10.0.0.0/x").has_value());
  CHECK_FALSE(validateCidr("fd00::/8").has_value());
}

TEST_CASE("version ranges", "[agent-groups]") {
  CHECK(versionInRange("1.4.1", ">=1.2.0 <2.0.0"));
  CHECK_FALSE(versionInRange("2.0.0", ">=1.2.0 <2.0.0"));
  CHECK_FALSE(versionInRange("1.1.9", ">=1.2.0 <2.0.0"));
  CHECK(versionInRange("v1.10.0", ">1.9"));  // numeric, not lexical, comparison
  CHECK(versionInRange("1.4.1", "1.4.1"));
  CHECK_FALSE(versionInRange("1.4.2", "=1.4.1"));
  CHECK(versionInRange("1.4.0-rc1", "<=1.4.0"));
  CHECK(validateVersionRange("~1.2").has_value());
  CHECK(validateVersionRange(">=a.b").has_value());
  CHECK(validateVersionRange("").has_value());
  CHECK_FALSE(validateVersionRange(">=1.2.0 <2").has_value());
}

TEST_CASE("all criteria must hold; no criteria matches nobody", "[agent-groups]") {
  AgentFacts linux{"a-1", "linux", "amd64", "10.0.0.5", "1.3.0"};
  CHECK(matchesCriteria(linux, {"Linux", "", "10.0.0.0/16", ">=1.0.0"}));
  CHECK_FALSE(matchesCriteria(linux, {"linux", "arm64", "", ""}));
  CHECK_FALSE(matchesCriteria(linux, {"linux", "", "", ">=2.0.0"}));
  CHECK_FALSE(matchesCriteria(linux, {}));
}
