#include "core/protocols/acme/dns_lookup.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace certctl::protocols::acme {

namespace {

constexpr std::size_t kMaxAnswerBytes = 65535;

bool isLdhLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  return std::all_of(label.begin(), label.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

// res_nclose on scope exit.
struct ResolverState {
  struct __res_state state {};
  bool initialised = false;
  ~ResolverState() {
    if (initialised) res_nclose(&state);
  }
};

}  // namespace

bool isValidDnsName(const std::string& name) {
  std::string_view rest = name;
  if (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
  if (rest.empty() || rest.size() > 253) return false;
  while (true) {
    auto dot = rest.find('.');
    if (!isLdhLabel(rest.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    rest.remove_prefix(dot + 1);
  }
}

DnsServer DnsServer::parse(const std::string& text) {
  DnsServer server;
  auto colon = text.find(':');
  server.address = text.substr(0, colon);
  in_addr probe{};
  if (inet_pton(AF_INET, server.address.c_str(), &probe) != 1)
    throw std::invalid_argument("'" + text + "' is not an IPv4 address[:port]");
  if (colon != std::string::npos) {
    const std::string port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
      throw std::invalid_argument("'" + text + "' has no valid port");
    server.port = std::stoi(port);
    if (server.port < 1 || server.port > 65535)
      throw std::invalid_argument("'" + text + "' has a port outside 1-65535");
  }
  return server;
}

std::vector<std::string> DnsLookup::query(const std::string& name, int type,
                                          bool emptyIsError) const {
  if (!isValidDnsName(name))
    throw DnsLookupError(DnsLookupError::Kind::BadName, "'" + name + "' is not a DNS name");
  ResolverState resolver;
  if (res_ninit(&resolver.state) != 0)
    throw DnsLookupError(DnsLookupError::Kind::ServerFailure, "the resolver could not start");
  resolver.initialised = true;
  // Fully qualified, no search list: "x.example.com" must not become
  // "x.example.com.corp.local".
  resolver.state.options &= ~(RES_DNSRCH | RES_DEFNAMES);
  const auto seconds = std::max<long long>(
      1, std::chrono::duration_cast<std::chrono::seconds>(timeout_).count() / 2);
  resolver.state.retrans = static_cast<int>(seconds);
  resolver.state.retry = 2;
  if (server_) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(server_->port));
    inet_pton(AF_INET, server_->address.c_str(), &address.sin_addr);
    resolver.state.nscount = 1;
    resolver.state.nsaddr_list[0] = address;
  }

  std::string fqdn = name.back() == '.' ? name : name + ".";
  auto answer = std::make_unique<unsigned char[]>(kMaxAnswerBytes);
  int length = res_nquery(&resolver.state, fqdn.c_str(), ns_c_in, type, answer.get(),
                          static_cast<int>(kMaxAnswerBytes));
  if (length < 0) {
    switch (resolver.state.res_h_errno) {
      case HOST_NOT_FOUND:
        throw DnsLookupError(DnsLookupError::Kind::NoSuchName, name + " does not exist (NXDOMAIN)");
      case NO_DATA:
        if (!emptyIsError) return {};
        throw DnsLookupError(DnsLookupError::Kind::NoRecords,
                             "no records of the asked type at " + name);
      case TRY_AGAIN:
        throw DnsLookupError(DnsLookupError::Kind::Timeout,
                             "no answer for " + name + " (timeout or SERVFAIL)");
      default:
        throw DnsLookupError(DnsLookupError::Kind::ServerFailure,
                             "DNS lookup of " + name + " failed");
    }
  }

  ns_msg message{};
  if (ns_initparse(answer.get(), length, &message) != 0)
    throw DnsLookupError(DnsLookupError::Kind::ServerFailure, "malformed DNS answer for " + name);
  std::vector<std::string> values;
  const int count = ns_msg_count(message, ns_s_an);
  for (int i = 0; i < count; ++i) {
    ns_rr record{};
    if (ns_parserr(&message, ns_s_an, i, &record) != 0) break;
    if (ns_rr_type(record) != type) continue;  // CNAMEs on the way
    const unsigned char* data = ns_rr_rdata(record);
    const int size = ns_rr_rdlen(record);
    if (type == ns_t_txt) {
      std::string joined;
      for (int at = 0; at < size;) {
        int part = data[at];
        if (at + 1 + part > size) break;
        joined.append(reinterpret_cast<const char*>(data + at + 1), part);
        at += 1 + part;
      }
      values.push_back(std::move(joined));
    } else {
      char text[INET6_ADDRSTRLEN] = {};
      int family = type == ns_t_a ? AF_INET : AF_INET6;
      if ((family == AF_INET && size == 4) || (family == AF_INET6 && size == 16))
        if (inet_ntop(family, data, text, sizeof text)) values.emplace_back(text);
    }
  }
  if (values.empty() && emptyIsError)
    throw DnsLookupError(DnsLookupError::Kind::NoRecords,
                         "no records of the asked type at " + name);
  return values;
}

std::vector<std::string> DnsLookup::txt(const std::string& name) const {
  return query(name, ns_t_txt, true);
}

std::vector<std::string> DnsLookup::addresses(const std::string& name) const {
  std::vector<std::string> all = query(name, ns_t_a, false);
  std::vector<std::string> v6;
  try {
    v6 = query(name, ns_t_aaaa, false);
  } catch (const DnsLookupError&) {
    if (all.empty()) throw;  // AAAA failures matter only when there is no A
  }
  all.insert(all.end(), v6.begin(), v6.end());
  if (all.empty())
    throw DnsLookupError(DnsLookupError::Kind::NoRecords, name + " has no A or AAAA record");
  return all;
}

}  // namespace certctl::protocols::acme
