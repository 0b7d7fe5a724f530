#include "core/store/short_lived_sql.h"

#include "core/services/revocation_store.h"

namespace certctl::store {

std::string shortLivedCondition(const std::string& profile) {
  const std::string limit = std::to_string(services::kShortLivedTtlSeconds);
  return "((" + profile + ".max_ttl_seconds IS NOT NULL AND " + profile + ".max_ttl_seconds < " +
         limit + ") OR (" + profile + ".max_ttl_hours IS NOT NULL AND " + profile +
         ".max_ttl_hours * 3600 < " + limit + "))";
}

}  // namespace certctl::store
