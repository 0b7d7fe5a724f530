#pragma once

#include <string>
#include <vector>

#include "core/domain/resource_spec.h"

namespace certctl::domain {

// Discovery records (seed 001 "Certificate Discovery"): what agents, the
// network scanner and cloud sources found, and the scans that found it.
// Written only by the discovery service; read through the generic lists.
const ResourceSpec& discoveredCertificateSpec();  // /discovered-certificates, ids dc-...
const ResourceSpec& discoveryScanSpec();          // /discovery-scans, ids ds-...

// The triage states: Unmanaged -> Managed (claimed) | Dismissed.
const std::vector<std::string>& discoveryStatuses();

}  // namespace certctl::domain
