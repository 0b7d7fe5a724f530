// Small readers for records held as JSON (rows, request bodies).
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/domain/resources.h"

namespace certctl::domain {

// The string at `key`, or "" when absent or not a string.
inline std::string stringField(const nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The registered spec of a built-in resource; a missing one is a programming error.
inline const ResourceSpec& requireResource(const char* name) {
  const auto* spec = findResource(name);
  if (!spec) throw std::logic_error(std::string("resource not registered: ") + name);
  return *spec;
}

}  // namespace certctl::domain
