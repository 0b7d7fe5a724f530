#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/services/audit_log.h"
#include "core/services/discovery_store.h"
#include "core/services/resource_service.h"

namespace certctl::services {

// Certificate discovery (seed 001 "Certificate Discovery"): agents submit
// what their scans found; the server keeps one record per (fingerprint,
// agent, path) and operators triage them: claim (link to a managed
// certificate) or dismiss. Every change is audited: discovery_scan_completed,
// discovery_cert_claimed, discovery_cert_dismissed.
class DiscoveryService {
 public:
  DiscoveryService(ResourceService& resources, DiscoveryStore& store, AuditLog& audit)
      : resources_(resources), store_(store), audit_(audit) {}

  // POST /agents/{id}/discoveries: the stored scan record. 404 unknown
  // agent, AgentGone retired, 400 bad report (nothing written).
  nlohmann::json submit(const std::string& agentId, const nlohmann::json& body,
                        const std::string& actor);
  // GET /discovered-certificates/{id}; 404 when unknown.
  nlohmann::json get(const std::string& id);
  // POST /discovered-certificates/{id}/claim {"managed_certificate_id"}.
  nlohmann::json claim(const std::string& id, const nlohmann::json& body, const std::string& actor);
  // POST /discovered-certificates/{id}/dismiss {"reason"?}.
  nlohmann::json dismiss(const std::string& id, const nlohmann::json& body,
                         const std::string& actor);
  // GET /discovery-summary: {"Unmanaged", "Managed", "Dismissed", "total"}.
  nlohmann::json summary();

 private:
  void requireActiveAgent(const std::string& agentId);

  ResourceService& resources_;
  DiscoveryStore& store_;
  AuditLog& audit_;
};

}  // namespace certctl::services
