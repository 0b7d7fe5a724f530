#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace certctl::services {

// What the discovery service needs from storage beyond the generic
// repository (which serves the lists and single reads).
class DiscoveryStore {
 public:
  virtual ~DiscoveryStore() = default;

  // In one transaction: inserts the discovery_scans row `scan` (columns by
  // name), then upserts each row of `findings` into discovered_certificates
  // keyed by (fingerprint_sha256, agent_id, source_path): a new key is
  // inserted as is, a known one only gets last_seen_at, discovery_scan_id
  // and updated_at (its triage status stays). Sets the scan's
  // certificates_new and returns it. Nothing is written when it throws.
  virtual long long recordScan(const nlohmann::json& scan,
                               const std::vector<nlohmann::json>& findings) = 0;

  // Applies `changes` (discovered_certificates columns) to the record when
  // its status is one of `fromStatuses`; false when it is not (or is gone).
  virtual bool transition(const std::string& id, const std::vector<std::string>& fromStatuses,
                          const nlohmann::json& changes) = 0;

  // Number of discovered certificates per status.
  virtual std::map<std::string, long long> countByStatus() = 0;
};

}  // namespace certctl::services
