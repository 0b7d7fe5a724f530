#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace certctl::protocols::acme {

// A DNS failure while validating: `kind` is what RFC 8555 problem to report.
class DnsLookupError : public std::runtime_error {
 public:
  enum class Kind { NoSuchName, NoRecords, ServerFailure, Timeout, BadName };
  DnsLookupError(Kind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// An IPv4 resolver to ask instead of /etc/resolv.conf (host "127.0.0.1",
// port 53 unless given): lets a private PKI validate against its internal
// DNS, and tests against pebble-challtestsrv.
struct DnsServer {
  std::string address;  // IPv4 literal
  int port = 53;
  // "IP" or "IP:PORT"; throws std::invalid_argument on anything else.
  static DnsServer parse(const std::string& text);
};

// Blocking stub-resolver queries through glibc's libresolv with a private
// resolver state per call, so concurrent validations do not share state.
class DnsLookup {
 public:
  DnsLookup(std::optional<DnsServer> server, std::chrono::milliseconds timeout)
      : server_(std::move(server)), timeout_(timeout) {}

  // The strings of every TXT record at `name` (each record's character
  // strings joined, as RFC 8555 §8.4 compares them).
  std::vector<std::string> txt(const std::string& name) const;
  // The IPv4 and IPv6 addresses of `name` (A, then AAAA), as text.
  std::vector<std::string> addresses(const std::string& name) const;

 private:
  std::vector<std::string> query(const std::string& name, int type, bool emptyIsError) const;

  std::optional<DnsServer> server_;
  std::chrono::milliseconds timeout_;
};

// True for a syntactically valid DNS host name (LDH labels, ≤ 253 octets).
bool isValidDnsName(const std::string& name);

}  // namespace certctl::protocols::acme
