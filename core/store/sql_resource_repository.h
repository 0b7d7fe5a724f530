#pragma once

#include <string>
#include <vector>

#include "core/services/resource_repository.h"
#include "core/store/database.h"

namespace certctl::store {

// ResourceRepository over SQLite or PostgreSQL, generating SQL from the
// resource descriptors. Only descriptor column names reach the SQL text;
// every value travels as a bound parameter.
class SqlResourceRepository : public services::ResourceRepository {
 public:
  explicit SqlResourceRepository(Database& db) : db_(db) {}

  services::ListResult list(const domain::ResourceSpec& spec,
                            const domain::ListQuery& query) override;
  std::optional<nlohmann::json> get(const domain::ResourceSpec& spec,
                                    const std::string& id) override;
  bool exists(const domain::ResourceSpec& spec, const std::string& id) override;
  void insert(const domain::ResourceSpec& spec, const nlohmann::json& row) override;
  bool update(const domain::ResourceSpec& spec, const std::string& id,
              const nlohmann::json& changes) override;
  bool remove(const domain::ResourceSpec& spec, const std::string& id) override;

  // The records whose row matches `where` (SQL over the table's columns;
  // `params` bind to placeholders 1..N in order), as get() returns them:
  // one query where ids first and get() each would be 1 + N.
  std::vector<nlohmann::json> select(const domain::ResourceSpec& spec, const std::string& where,
                                     const std::vector<std::string>& params);

 private:
  Database& db_;
};

}  // namespace certctl::store
