#include "core/domain/agent_group_matcher.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>

namespace certctl::domain {

namespace {

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

struct ParsedAddress {
  int family = 0;  // AF_INET or AF_INET6
  std::array<unsigned char, 16> bytes{};
};

std::optional<ParsedAddress> parseAddress(const std::string& text) {
  ParsedAddress a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    return a;
  }
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    // An IPv4-mapped IPv6 address is compared as IPv4.
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(mapped, mapped + 12, a.bytes.begin())) {
      std::array<unsigned char, 16> v4{};
      std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.begin());
      a.bytes = v4;
      a.family = AF_INET;
    }
    return a;
  }
  return std::nullopt;
}

struct ParsedCidr {
  ParsedAddress network;
  int prefix = 0;
};

std::optional<ParsedCidr> parseCidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  auto address = parseAddress(cidr.substr(0, slash));
  if (!address) return std::nullopt;
  int maxPrefix = address->family == AF_INET ? 32 : 128;
  int prefix = maxPrefix;
  if (slash != std::string::npos) {
    std::string digits = cidr.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), ::isdigit))
      return std::nullopt;
    prefix = std::stoi(digits);
    if (prefix > maxPrefix) return std::nullopt;
  }
  return ParsedCidr{*address, prefix};
}

using Version = std::array<long, 3>;

std::optional<Version> parseVersion(std::string text) {
  if (!text.empty() && (text[0] == 'v' || text[0] == 'V')) text.erase(0, 1);
  // Ignore pre-release/build suffixes: "1.4.0-rc1" compares as 1.4.0.
  text = text.substr(0, text.find_first_of("-+"));
  Version v{0, 0, 0};
  std::stringstream ss(text);
  std::string part;
  int i = 0;
  while (std::getline(ss, part, '.')) {
    if (i >= 3 || part.empty() || part.size() > 9 ||
        !std::all_of(part.begin(), part.end(), ::isdigit))
      return std::nullopt;
    v[i++] = std::stol(part);
  }
  if (i == 0) return std::nullopt;
  return v;
}

struct Constraint {
  std::string op;
  Version version;
};

std::optional<std::vector<Constraint>> parseRange(const std::string& range) {
  std::vector<Constraint> out;
  std::stringstream ss(range);
  std::string token;
  while (ss >> token) {
    size_t opLength = 0;
    while (opLength < token.size() && std::string("<>=!").find(token[opLength]) != std::string::npos)
      ++opLength;
    std::string op = token.substr(0, opLength);
    if (op.empty()) op = "=";
    if (op != "=" && op != "==" && op != "!=" && op != "<" && op != "<=" && op != ">" && op != ">=")
      return std::nullopt;
    auto v = parseVersion(token.substr(opLength));
    if (!v) return std::nullopt;
    out.push_back({op, *v});
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

std::optional<std::string> validateCidr(const std::string& cidr) {
  if (!parseCidr(cidr)) return "must be an IPv4/IPv6 address or CIDR such as 10.0.0.0/8";
  return std::nullopt;
}

std::optional<std::string> validateVersionRange(const std::string& range) {
  if (!parseRange(range)) return "must be a version range such as \">=1.2.0 <2.0.0\"";
  return std::nullopt;
}

bool ipInCidr(const std::string& ip, const std::string& cidr) {
  auto address = parseAddress(ip);
  auto net = parseCidr(cidr);
  if (!address || !net || address->family != net->network.family) return false;
  int fullBytes = net->prefix / 8;
  int remainingBits = net->prefix % 8;
  if (!std::equal(address->bytes.begin(), address->bytes.begin() + fullBytes,
                  net->network.bytes.begin()))
    return false;
  if (remainingBits == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - remainingBits));
  return (address->bytes[fullBytes] & mask) == (net->network.bytes[fullBytes] & mask);
}

bool versionInRange(const std::string& version, const std::string& range) {
  auto v = parseVersion(version);
  auto constraints = parseRange(range);
  if (!v || !constraints) return false;
  for (const auto& c : *constraints) {
    bool ok = (c.op == "=" || c.op == "==")   ? *v == c.version
              : c.op == "!="                  ? *v != c.version
              : c.op == "<"                   ? *v < c.version
              : c.op == "<="                  ? *v <= c.version
              : c.op == ">"                   ? *v > c.version
                                              : *v >= c.version;
    if (!ok) return false;
  }
  return true;
}

bool matchesCriteria(const AgentFacts& agent, const GroupCriteria& criteria) {
  if (!criteria.hasCriteria()) return false;
  if (!criteria.os.empty() && !iequals(agent.os, criteria.os)) return false;
  if (!criteria.architecture.empty() && !iequals(agent.architecture, criteria.architecture))
    return false;
  if (!criteria.ipCidr.empty() && !ipInCidr(agent.ipAddress, criteria.ipCidr)) return false;
  if (!criteria.versionRange.empty() && !versionInRange(agent.version, criteria.versionRange))
    return false;
  return true;
}

}  // namespace certctl::domain
