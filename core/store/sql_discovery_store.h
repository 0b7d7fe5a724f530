#pragma once

#include "core/services/discovery_store.h"
#include "core/store/database.h"
#include "core/store/group_commit.h"

namespace certctl::store {

// DiscoveryStore over SQLite or PostgreSQL. A scan report is one
// transaction (the server's group committer when given one, else its own):
// the scan row, then per finding an INSERT ... ON CONFLICT DO NOTHING on
// the dedup key and, when the key existed, an UPDATE of its sighting.
class SqlDiscoveryStore : public services::DiscoveryStore {
 public:
  explicit SqlDiscoveryStore(Database& db, GroupCommit* writer = nullptr)
      : db_(db), writer_(writer) {}

  long long recordScan(const nlohmann::json& scan,
                       const std::vector<nlohmann::json>& findings) override;
  bool transition(const std::string& id, const std::vector<std::string>& fromStatuses,
                  const nlohmann::json& changes) override;
  std::map<std::string, long long> countByStatus() override;

 private:
  Database& db_;
  GroupCommit* writer_;
};

}  // namespace certctl::store
