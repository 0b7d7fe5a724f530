#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "core/protocols/acme/acme_store.h"

namespace certctl::protocols::acme {

// Replay-Nonce values (RFC 8555 §6.5): 128 random bits, base64url, kept in
// the database so that any replica accepts a nonce another one issued;
// single use, expired after `ttl` and purged now and then.
class AcmeNonces {
 public:
  AcmeNonces(AcmeStore& store, std::chrono::seconds ttl) : store_(store), ttl_(ttl) {}

  std::string issue();
  // True once for a nonce issued within its ttl.
  bool consume(const std::string& nonce);

 private:
  AcmeStore& store_;
  std::chrono::seconds ttl_;
  std::atomic<long long> nextPurge_{0};
};

// 128 random bits, base64url (nonces, challenge tokens).
std::string randomToken();
long long unixNow();

}  // namespace certctl::protocols::acme
