#pragma once

#include <string>
#include <string_view>

#include "core/protocols/shared_secret.h"

namespace certctl::protocols {

// The EST enrollment password (CERTCTL_EST_ENROLLMENT_PASSWORD) checked
// against an HTTP Basic Authorization header. The user name is not part of
// the secret: a shared password gates the endpoint, as in the seed's
// `basic` auth mode. An empty password means anonymous enrollment.
class EstBasicAuth {
 public:
  explicit EstBasicAuth(std::string password);

  bool required() const { return !password_.empty(); }
  // True when no password is configured or the header carries it (compared
  // in constant time, see SharedSecret).
  bool allows(std::string_view authorizationHeader) const;

 private:
  SharedSecret password_;  // empty = anonymous
};

}  // namespace certctl::protocols
