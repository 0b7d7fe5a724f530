#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/domain/list_query.h"
#include "core/domain/resource_spec.h"

namespace certctl::services {

struct ListResult {
  std::vector<nlohmann::json> items;
  std::optional<long long> total;                     // page mode only
  std::optional<domain::ListQuery::Cursor> next;      // keyset mode, when more rows exist
};

// Storage of descriptor-defined records. Rows are JSON objects whose keys
// are the descriptor's field names plus id, created_at, updated_at; values
// are already validated and typed by the service.
class ResourceRepository {
 public:
  virtual ~ResourceRepository() = default;
  virtual ListResult list(const domain::ResourceSpec& spec, const domain::ListQuery& query) = 0;
  virtual std::optional<nlohmann::json> get(const domain::ResourceSpec& spec,
                                            const std::string& id) = 0;
  virtual bool exists(const domain::ResourceSpec& spec, const std::string& id) = 0;
  // Throws domain::ApiError(Conflict) on a unique or foreign-key violation.
  virtual void insert(const domain::ResourceSpec& spec, const nlohmann::json& row) = 0;
  // Returns false when no row has this id.
  virtual bool update(const domain::ResourceSpec& spec, const std::string& id,
                      const nlohmann::json& changes) = 0;
  // Returns false when no row has this id; Conflict when other rows still reference it.
  virtual bool remove(const domain::ResourceSpec& spec, const std::string& id) = 0;
};

}  // namespace certctl::services
