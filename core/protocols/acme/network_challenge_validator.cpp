#include "core/protocols/acme/network_challenge_validator.h"

#include <arpa/inet.h>

#include <cstring>

#include "core/protocols/acme/challenge_checks.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/fingerprint.h"

namespace certctl::protocols::acme {

namespace {

ChallengeOutcome failure(std::string errorType, std::string detail) {
  return {false, std::move(errorType), std::move(detail)};
}

std::string dnsErrorType(DnsLookupError::Kind kind) {
  return kind == DnsLookupError::Kind::BadName ? "rejectedIdentifier" : "dns";
}

}  // namespace

std::string refusedTargetReason(const std::string& address, bool allowLoopback) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    const uint32_t ip = ntohl(v4.s_addr);
    if ((ip >> 24) == 0) return "is an unspecified address";
    if ((ip >> 24) == 127 && !allowLoopback) return "is a loopback address";
    if ((ip >> 16) == 0xA9FE) return "is a link-local address (cloud metadata lives there)";
    if ((ip >> 28) >= 0xE) return "is a multicast or reserved address";
    return {};
  }
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_UNSPECIFIED(&v6)) return "is an unspecified address";
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return allowLoopback ? "" : "is a loopback address";
    if (IN6_IS_ADDR_LINKLOCAL(&v6)) return "is a link-local address";
    if (IN6_IS_ADDR_MULTICAST(&v6)) return "is a multicast address";
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      char text[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &v6.s6_addr[12], text, sizeof text);
      return refusedTargetReason(text, allowLoopback);
    }
    return {};
  }
  return "is not an IP address";
}

NetworkChallengeValidator::NetworkChallengeValidator(ChallengeValidationSettings settings)
    : settings_(std::move(settings)), dns_(settings_.dnsServer, settings_.timeout) {}

ChallengeOutcome NetworkChallengeValidator::validate(const ChallengeCheck& check) {
  if (check.identifierType != "dns" && check.identifierType != "ip")
    return failure("unsupportedIdentifier", "identifier type '" + check.identifierType + "'");
  try {
    if (check.type == "http-01") return checkHttp01(check);
    if (check.type == "dns-01") return checkDns01(check);
    if (check.type == "tls-alpn-01") return checkTlsAlpn01(check);
    return failure("malformed", "unknown challenge type '" + check.type + "'");
  } catch (const DnsLookupError& e) {
    return failure(dnsErrorType(e.kind()), e.what());
  } catch (const std::exception& e) {
    return failure("connection", e.what());
  }
}

std::vector<std::string> NetworkChallengeValidator::targetAddresses(const ChallengeCheck& check) {
  std::vector<std::string> candidates = check.identifierType == "ip"
                                            ? std::vector<std::string>{check.identifier}
                                            : dns_.addresses(check.identifier);
  std::vector<std::string> usable;
  std::string refusal;
  for (const auto& address : candidates) {
    std::string reason = refusedTargetReason(address, settings_.allowLoopback);
    if (reason.empty())
      usable.push_back(address);
    else if (refusal.empty())
      refusal = address + " " + reason;
  }
  if (usable.empty())
    throw std::runtime_error("no address of " + check.identifier + " may be contacted: " + refusal);
  return usable;
}

ChallengeOutcome NetworkChallengeValidator::checkHttp01(const ChallengeCheck& check) {
  std::string lastError;
  for (const auto& address : targetAddresses(check)) {
    Http01Result result = fetchHttp01(address, settings_.http01Port, check.identifier, check.token,
                                      settings_.timeout);
    if (!result.connected) {
      lastError = result.detail;
      continue;  // another address of the name may answer
    }
    if (result.status != 200) return failure("unauthorized", "http-01: " + result.detail);
    if (trimTrailingWhitespace(result.body) != check.keyAuthorization)
      return failure("incorrectResponse",
                     "http-01: the response at " + result.url + " is not the key authorization");
    return {true, {}, {}};
  }
  return failure("connection", "http-01: " + lastError);
}

ChallengeOutcome NetworkChallengeValidator::checkDns01(const ChallengeCheck& check) {
  if (check.identifierType != "dns")
    return failure("malformed", "dns-01 cannot validate an IP address identifier");
  const std::string expected = sdk::pki::base64UrlEncode(sdk::pki::sha256(check.keyAuthorization));
  const std::string name = "_acme-challenge." + check.identifier;
  for (const auto& value : dns_.txt(name))
    if (value == expected) return {true, {}, {}};
  return failure("incorrectResponse",
                 "dns-01: no TXT record at " + name + " has the expected value");
}

ChallengeOutcome NetworkChallengeValidator::checkTlsAlpn01(const ChallengeCheck& check) {
  std::string lastError;
  for (const auto& address : targetAddresses(check)) {
    TlsAlpn01Result result = probeTlsAlpn01(address, settings_.tlsAlpn01Port, check.identifierType,
                                            check.identifier, settings_.timeout);
    if (!result.connected) {
      lastError = result.detail;
      continue;
    }
    std::string problem = tlsAlpn01CertificateProblem(result.certificateDer, check.identifierType,
                                                      check.identifier, check.keyAuthorization);
    if (!problem.empty()) return failure("incorrectResponse", "tls-alpn-01: " + problem);
    return {true, {}, {}};
  }
  return failure("tls", "tls-alpn-01: " + lastError);
}

}  // namespace certctl::protocols::acme
