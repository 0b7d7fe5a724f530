#include "core/protocols/est/est_channel_binding.h"

#include <openssl/crypto.h>

#include "sdk/pki/base64.h"
#include "sdk/pki/csr_challenge_password.h"

namespace certctl::protocols::est {

ChannelBinding checkChannelBinding(const http::Request& request, const sdk::pki::Csr& csr) {
  if (request.tlsVersion != "TLSv1.3" || request.tlsExporter.size() != 32)
    return ChannelBinding::NotTls13;
  std::optional<std::string> presented;
  try {
    presented = sdk::pki::csrChallengePassword(csr);
  } catch (const std::exception&) {
    return ChannelBinding::Mismatch;
  }
  if (!presented || presented->empty()) return ChannelBinding::Missing;
  std::string decoded;
  try {
    decoded = sdk::pki::base64Decode(*presented, "challengePassword");
  } catch (const std::exception&) {
    return ChannelBinding::Mismatch;
  }
  if (decoded.size() != request.tlsExporter.size() ||
      CRYPTO_memcmp(decoded.data(), request.tlsExporter.data(), decoded.size()) != 0)
    return ChannelBinding::Mismatch;
  return ChannelBinding::Ok;
}

}  // namespace certctl::protocols::est
