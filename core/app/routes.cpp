#include "core/app/routes.h"

#include "core/api/agent_retirement_routes.h"
#include "core/api/agent_routes.h"
#include "core/api/audit_routes.h"
#include "core/api/discovery_routes.h"
#include "core/api/export_routes.h"
#include "core/api/issuer_routes.h"
#include "core/api/job_routes.h"
#include "core/api/lifecycle_routes.h"
#include "core/api/relation_routes.h"
#include "core/api/resource_routes.h"
#include "core/api/revocation_routes.h"
#include "core/plugins/plugin_routes.h"
#include "core/protocols/crl_routes.h"
#include "core/protocols/ocsp_routes.h"

namespace certctl::app {

void registerAllRoutes(http::Router& router, RouteDeps deps) {
  api::registerHealthRoutes(router, deps.health);
  api::registerResourceRoutes(router, deps.resources);
  api::registerRelationRoutes(router, deps.resources, deps.agentGroups);
  api::registerAuditRoutes(router, deps.repository, deps.auditLog);
  plugins::registerPluginRoutes(router, deps.plugins);
  api::registerIssuerRoutes(router, deps.issuers);
  api::registerLifecycleRoutes(router, deps.resources, deps.lifecycle, deps.issuance);
  api::registerExportRoutes(router, deps.exports);
  api::registerRevocationRoutes(router, deps.revocations, deps.crls);
  protocols::registerCrlRoutes(router, deps.crls);
  protocols::registerOcspRoutes(router, deps.ocsp);
  api::registerAgentRoutes(router, deps.agents);
  api::registerJobRoutes(router, deps.jobs);
  api::registerDiscoveryRoutes(router, deps.resources, deps.discovery);
  api::registerAgentRetirementRoutes(router, deps.resources, deps.retirement);
}

}  // namespace certctl::app
