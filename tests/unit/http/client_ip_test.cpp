#include "core/http/client_ip.h"

#include <catch2/catch.hpp>

using certctl::http::canonicalIp;
using certctl::http::clientIp;

TEST_CASE("canonicalIp strips ports and normalizes spellings", "[http][client_ip]") {
  CHECK(canonicalIp("192.0.2.7") == "192.0.2.7");
  CHECK(canonicalIp("192.0.2.7:54321") == "192.0.2.7");
  CHECK(canonicalIp(" 192.0.2.7 ") == "192.0.2.7");
  CHECK(canonicalIp("[::1]:8443") == "::1");
  CHECK(canonicalIp("::1") == "::1");
  CHECK(canonicalIp("[2001:DB8:0:0:0:0:0:1]") == "2001:db8::1");
  CHECK(canonicalIp("2001:0db8::0001") == "2001:db8::1");
  CHECK(canonicalIp("::ffff:192.0.2.7") == "192.0.2.7");
  CHECK(canonicalIp("[::FFFF:192.0.2.7]:443") == "192.0.2.7");
  CHECK(canonicalIp("::ffff:c000:207") == "192.0.2.7");
  CHECK(canonicalIp("[fe80::1%eth0]:22") == "fe80::1");

  CHECK_FALSE(canonicalIp(""));
  CHECK_FALSE(canonicalIp("unknown"));
  CHECK_FALSE(canonicalIp("example.com:80"));
  CHECK_FALSE(canonicalIp("192.0.2.256"));
  CHECK_FALSE(canonicalIp("192.0.2.7:"));
  CHECK_FALSE(canonicalIp("192.0.2.7:http"));
  CHECK_FALSE(canonicalIp("[::1"));
  CHECK_FALSE(canonicalIp("[::1]x"));
}

TEST_CASE("clientIp uses the socket peer without trusted proxies", "[http][client_ip]") {
  CHECK(clientIp("198.51.100.9:40000", "", {}) == "198.51.100.9");
  // A forged header from an untrusted peer is ignored.
  CHECK(clientIp("198.51.100.9:40000", "1.1.1.1", {}) == "198.51.100.9");
  CHECK(clientIp("198.51.100.9:40000", "1.1.1.1", {"10.0.0.1"}) == "198.51.100.9");
  CHECK(clientIp("[::ffff:198.51.100.9]:40000", "", {}) == "198.51.100.9");
  CHECK(clientIp("[2001:db8::42]:40000", "", {}) == "2001:db8::42");
}

TEST_CASE("clientIp reads X-Forwarded-For behind a trusted proxy", "[http][client_ip]") {
  const std::vector<std::string> trusted = {"10.0.0.1", "10.0.0.2", "2001:db8::fe"};

  CHECK(clientIp("10.0.0.1:5555", "203.0.113.5", trusted) == "203.0.113.5");
  // The client prepended a forged hop; the proxy appended the real address.
  CHECK(clientIp("10.0.0.1:5555", "6.6.6.6, 203.0.113.5", trusted) == "203.0.113.5");
  // Two proxies in a chain: skip the trusted hop.
  CHECK(clientIp("10.0.0.1:5555", "6.6.6.6, 203.0.113.5, 10.0.0.2", trusted) == "203.0.113.5");
  // Spacing, empty elements and ports on hops.
  CHECK(clientIp("10.0.0.1:5555", " 203.0.113.5:1234 ,, ", trusted) == "203.0.113.5");
  CHECK(clientIp("10.0.0.1:5555", "[2001:db8::7]:443", trusted) == "2001:db8::7");
  CHECK(clientIp("10.0.0.1:5555", "::ffff:203.0.113.5", trusted) == "203.0.113.5");
  // Trusted proxy over IPv6, configured in another spelling.
  CHECK(clientIp("[2001:db8:0::fe]:9000", "203.0.113.5", {"2001:DB8::FE"}) == "203.0.113.5");
  // The peer matches a trusted proxy given as an IPv4-mapped address.
  CHECK(clientIp("[::ffff:10.0.0.1]:5555", "203.0.113.5", trusted) == "203.0.113.5");
}

TEST_CASE("clientIp falls back safely on odd X-Forwarded-For", "[http][client_ip]") {
  const std::vector<std::string> trusted = {"10.0.0.1", "10.0.0.2"};

  CHECK(clientIp("10.0.0.1:5555", "", trusted) == "10.0.0.1");
  CHECK(clientIp("10.0.0.1:5555", " , ", trusted) == "10.0.0.1");
  // Garbage where an address should be: stop at the nearest trusted hop
  // rather than key the limiter on a string the client chose.
  CHECK(clientIp("10.0.0.1:5555", "unknown", trusted) == "10.0.0.1");
  CHECK(clientIp("10.0.0.1:5555", "203.0.113.5, garbage, 10.0.0.2", trusted) == "10.0.0.2");
  // Every hop trusted: the left-most one originated the request.
  CHECK(clientIp("10.0.0.1:5555", "10.0.0.2", trusted) == "10.0.0.2");
}
