#pragma once

#include "core/http/router.h"
#include "core/protocols/est/est_server.h"

namespace certctl::protocols {

// EST (RFC 7030, docs/est.md) as the server wires it:
//  * every profile's /.well-known/est[-mtls]/ endpoint group (EstServer), and
//  * the admin API, API key with the admin role:
//    GET  /api/v1/admin/est/profiles       the profiles, without secrets;
//    POST /api/v1/admin/est/reload-trust   {"path_id"?}: re-reads the mTLS
//         trust bundles (all when no path_id); 200 when every reload worked,
//         422 with the per-profile errors otherwise (the old pools stay).
void registerEstRoutes(http::Router& router, est::EstServer& server);

}  // namespace certctl::protocols
