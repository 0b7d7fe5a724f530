#pragma once

#include <string>

#include "core/domain/resource_spec.h"

namespace certctl::domain {

// Building blocks of the resources only services write (history,
// discovery): server-managed fields and a spec sorted and range-filtered
// by created_at.
FieldSpec readOnly(std::string name, FieldType type = FieldType::String, bool filterable = false);
ResourceSpec readOnlyResource(std::string name, std::string table, std::string prefix,
                              std::string singular);

}  // namespace certctl::domain
