#pragma once

#include "core/api/health_routes.h"
#include "core/http/router.h"
#include "core/services/agent_group_service.h"
#include "core/services/agent_retirement.h"
#include "core/services/agent_service.h"
#include "core/services/certificate_export.h"
#include "core/services/certificate_lifecycle.h"
#include "core/services/crl_service.h"
#include "core/services/discovery_service.h"
#include "core/services/issuance.h"
#include "core/services/issuer_registry.h"
#include "core/services/job_control.h"
#include "core/services/resource_service.h"
#include "core/services/revocation_service.h"

namespace certctl::plugins {
class PluginHost;
}
namespace certctl::protocols {
class OcspResponder;
}

namespace certctl::app {

// Every route of the server, registered in one place so tests can walk the
// exact table the server uses (e.g. "every /api/v1 route refuses a missing key").
struct RouteDeps {
  services::ResourceService& resources;
  services::ResourceRepository& repository;
  services::AuditLog& auditLog;
  services::AgentGroupService& agentGroups;
  api::HealthDeps health;
  plugins::PluginHost& plugins;
  services::IssuerRegistry& issuers;
  services::CertificateLifecycle& lifecycle;
  services::IssuanceService& issuance;
  services::CertificateExport& exports;
  services::RevocationService& revocations;
  services::CrlService& crls;
  protocols::OcspResponder& ocsp;
  services::AgentService& agents;
  services::JobControl& jobs;
  services::DiscoveryService& discovery;
  services::AgentRetirement& retirement;
};

void registerAllRoutes(http::Router& router, RouteDeps deps);

}  // namespace certctl::app
