#include "core/protocols/acme/acme_nonces.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "sdk/pki/base64.h"

namespace certctl::protocols::acme {

namespace {
constexpr long long kPurgeEverySeconds = 60;
}

std::string randomToken() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return sdk::pki::base64UrlEncode({reinterpret_cast<const char*>(bytes), sizeof bytes});
}

long long unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string AcmeNonces::issue() {
  long long now = unixNow();
  long long due = nextPurge_.load();
  if (now >= due && nextPurge_.compare_exchange_strong(due, now + kPurgeEverySeconds))
    store_.purgeNonces(now);
  std::string nonce = randomToken();
  store_.addNonce(nonce, now + ttl_.count());
  return nonce;
}

bool AcmeNonces::consume(const std::string& nonce) {
  // Nonces are base64url of 16 bytes: anything else was never issued.
  if (nonce.size() != 22 || nonce.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
                                                    "rstuvwxyz0123456789-_") != std::string::npos)
    return false;
  return store_.consumeNonce(nonce, unixNow());
}

}  // namespace certctl::protocols::acme
