#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sdk/pki/csr.h"

namespace certctl::protocols::acme {

// An order identifier (RFC 8555 §7.1.3, RFC 8738 for "ip"), normalized:
// DNS names lower-case, IP addresses in their canonical text form.
struct Identifier {
  std::string type;   // "dns" | "ip"
  std::string value;  // as ordered, "*.example.com" for a wildcard
  bool wildcard() const { return value.rfind("*.", 0) == 0; }
  std::string base() const { return wildcard() ? value.substr(2) : value; }
  nlohmann::json json() const { return {{"type", type}, {"value", value}}; }
};

// newOrder's "identifiers": 1..100 of them, duplicates removed. Throws
// AcmeProblem malformed / unsupportedIdentifier / rejectedIdentifier.
std::vector<Identifier> parseIdentifiers(const nlohmann::json& identifiers);

// The finalize rule (RFC 8555 §7.4): the CSR's SANs are exactly the
// order's identifiers and its CN, when set, is one of them; nothing else
// (e-mail, URI) is requested. Throws AcmeProblem badCSR.
void checkCsrNames(const sdk::pki::Csr& csr, const std::vector<Identifier>& identifiers);

}  // namespace certctl::protocols::acme
