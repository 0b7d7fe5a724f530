#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "acme_client.h"
#include "challenges.h"

namespace certctl::acme {

// An ACME identifier (RFC 8555 section 9.7.7; "ip" from RFC 8738).
struct Identifier {
  std::string type;  // "dns" or "ip"
  std::string value;
};

// The CSR's names: the subject CN and every DNS/IP subject alternative
// name, without duplicates. Throws PluginError(Rejected) for none.
std::vector<Identifier> identifiersOf(const std::string& csrPem);

struct OrderOptions {
  std::string profile;  // "" = the CA's default
  std::chrono::seconds timeout{300};
};

struct FinishedOrder {
  std::string orderUrl;
  std::string chainPem;  // as the CA sent it: the leaf first
};

// One whole order: newOrder, every pending authorization through `solver`,
// finalize with the CSR, the certificate download. Polls with bounded
// exponential backoff (honouring Retry-After) until `options.timeout`.
// Throws PluginError: Rejected for an invalid order or authorization (with
// the CA's reason), Retryable for a timeout or an unreachable CA.
FinishedOrder runOrder(AcmeClient& client, ChallengeSolver& solver,
                       const std::vector<Identifier>& identifiers, const std::string& csrDer,
                       const OrderOptions& options);

}  // namespace certctl::acme
