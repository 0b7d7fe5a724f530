#pragma once

#include <string>

#include "core/domain/errors.h"
#include "core/http/http_types.h"

namespace certctl::http {

// Admin-only operations (/api/v1/admin/*, bulk revocation): 403 for a caller
// whose API key has another role (CERTCTL_API_KEYS_NAMED without :admin).
inline void requireAdmin(const Request& request, const std::string& what) {
  if (request.actorRole != "admin")
    throw domain::ApiError(domain::ErrorKind::Forbidden, "forbidden",
                           what + " needs an API key with the admin role");
}

}  // namespace certctl::http
