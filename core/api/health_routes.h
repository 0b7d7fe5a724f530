#pragma once

#include <functional>
#include <string>

#include "core/http/router.h"

namespace certctl::api {

struct HealthDeps {
  std::function<bool()> databaseReachable;
  std::function<bool()> migrationsApplied;
  std::string authType;  // "api-key" | "none"
};

// /health (liveness), /ready (database + migrations), /api/v1/auth/info
// (no auth, for the login page), /api/v1/auth/check, /api/v1/version.
void registerHealthRoutes(http::Router& router, HealthDeps deps);

}  // namespace certctl::api
