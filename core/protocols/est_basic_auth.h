#pragma once

#include <string>
#include <string_view>

namespace certctl::protocols {

// The EST enrollment password (CERTCTL_EST_ENROLLMENT_PASSWORD) checked
// against an HTTP Basic Authorization header. The user name is not part of
// the secret: a shared password gates the endpoint, as in the seed's
// `basic` auth mode. An empty password means anonymous enrollment.
class EstBasicAuth {
 public:
  explicit EstBasicAuth(std::string password);

  bool required() const { return !passwordDigest_.empty(); }
  // True when no password is configured or the header carries it. The
  // comparison is over SHA-256 digests with CRYPTO_memcmp, so its time
  // depends on neither the password's length nor the first differing byte.
  bool allows(std::string_view authorizationHeader) const;

 private:
  std::string passwordDigest_;  // raw SHA-256 of the password, "" = anonymous
};

}  // namespace certctl::protocols
