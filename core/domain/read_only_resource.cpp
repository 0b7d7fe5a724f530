#include "core/domain/read_only_resource.h"

namespace certctl::domain {

FieldSpec readOnly(std::string name, FieldType type, bool filterable) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  f.writable = false;
  f.filterable = filterable;
  return f;
}

ResourceSpec readOnlyResource(std::string name, std::string table, std::string prefix,
                              std::string singular) {
  ResourceSpec s;
  s.name = std::move(name);
  s.table = std::move(table);
  s.idPrefix = std::move(prefix);
  s.singular = std::move(singular);
  s.sortKeys = {{"createdAt", "created_at"}, {"created_at", "created_at"}};
  s.timeFilters = {{"created_after", "created_at", false}, {"created_before", "created_at", true}};
  return s;
}

}  // namespace certctl::domain
