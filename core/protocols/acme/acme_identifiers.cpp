#include "core/protocols/acme/acme_identifiers.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "core/domain/ascii_case.h"
#include "core/protocols/acme/acme_problem.h"

namespace certctl::protocols::acme {

namespace {

constexpr std::size_t kMaxIdentifiers = 100;

AcmeProblem rejected(const std::string& detail) { return {"rejectedIdentifier", 400, detail}; }
AcmeProblem badCsr(const std::string& detail) { return {"badCSR", 400, detail}; }

bool validLabel(const std::string& label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  return std::all_of(label.begin(), label.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-'; });
}

bool validDnsName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    auto dot = name.find('.', start);
    if (!validLabel(name.substr(start, dot == std::string::npos ? dot : dot - start))) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// The canonical text of an IPv4/IPv6 address, "" when it is not one.
std::string canonicalIp(const std::string& text) {
  unsigned char buffer[16];
  char out[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, text.c_str(), buffer) == 1)
    return inet_ntop(AF_INET, buffer, out, sizeof out) ? out : "";
  if (inet_pton(AF_INET6, text.c_str(), buffer) == 1)
    return inet_ntop(AF_INET6, buffer, out, sizeof out) ? out : "";
  return {};
}

Identifier parseOne(const nlohmann::json& item) {
  if (!item.is_object() || !item.contains("type") || !item["type"].is_string() ||
      !item.contains("value") || !item["value"].is_string())
    throw malformed("each identifier needs a \"type\" and a \"value\" string");
  Identifier id{item["type"].get<std::string>(), item["value"].get<std::string>()};
  if (id.type == "ip") {
    std::string ip = canonicalIp(id.value);
    if (ip.empty()) throw malformed("\"" + id.value + "\" is not an IP address");
    id.value = ip;
    return id;
  }
  if (id.type != "dns")
    throw AcmeProblem("unsupportedIdentifier", 400,
                      "identifier type \"" + id.type + "\" is not supported (dns, ip)");
  id.value = domain::asciiLower(id.value);
  if (id.base().find('*') != std::string::npos)
    throw rejected("\"" + id.value + "\": a wildcard is allowed only as a leading \"*.\"");
  if (!validDnsName(id.base())) throw rejected("\"" + id.value + "\" is not a valid DNS name");
  if (!canonicalIp(id.base()).empty())
    throw rejected("\"" + id.value + "\" is an IP address: order it as type \"ip\"");
  return id;
}

}  // namespace

std::vector<Identifier> parseIdentifiers(const nlohmann::json& identifiers) {
  if (!identifiers.is_array() || identifiers.empty())
    throw malformed("\"identifiers\" must be a non-empty array");
  if (identifiers.size() > kMaxIdentifiers)
    throw rejected("an order may name at most " + std::to_string(kMaxIdentifiers) + " identifiers");
  std::vector<Identifier> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& item : identifiers) {
    Identifier id = parseOne(item);
    if (seen.emplace(id.type, id.value).second) out.push_back(std::move(id));
  }
  return out;
}

void checkCsrNames(const sdk::pki::Csr& csr, const std::vector<Identifier>& identifiers) {
  std::set<std::string> expected;
  for (const auto& id : identifiers) expected.insert(id.type + ":" + id.value);

  auto sans = csr.subjectAltNames();
  if (!sans.emailAddresses().empty() || !sans.uris().empty())
    throw badCsr("the CSR asks for e-mail or URI names, which this order does not cover");
  std::set<std::string> requested;
  for (const auto& name : sans.dnsNames()) requested.insert("dns:" + domain::asciiLower(name));
  for (const auto& ip : sans.ipAddresses()) {
    std::string canonical = canonicalIp(ip);
    requested.insert("ip:" + (canonical.empty() ? ip : canonical));
  }
  std::string cn = csr.subjectCommonName();
  if (!cn.empty()) {
    std::string ip = canonicalIp(cn);
    std::string key = ip.empty() ? "dns:" + domain::asciiLower(cn) : "ip:" + ip;
    if (!expected.count(key))
      throw badCsr("the CSR's common name \"" + cn + "\" is not an identifier of the order");
    requested.insert(key);  // a CN-only name still has to be ordered
  }
  for (const auto& name : requested)
    if (!expected.count(name))
      throw badCsr("the CSR names " + name.substr(name.find(':') + 1) +
                   ", which is not an identifier of the order");
  for (const auto& name : expected)
    if (!requested.count(name))
      throw badCsr("the CSR does not name " + name.substr(name.find(':') + 1) +
                   ", an identifier of the order");
}

}  // namespace certctl::protocols::acme
