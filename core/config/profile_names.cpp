#include "core/config/profile_names.h"

#include <algorithm>
#include <set>

#include "core/config/config.h"
#include "core/domain/ascii_case.h"

namespace certctl::config::profile_names {

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

std::vector<std::string> splitComma(std::string_view value) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    std::string item = trimmed(value.substr(start, comma - start));
    if (!item.empty()) items.push_back(item);
    start = comma + 1;
  }
  return items;
}

void checkPathId(const std::string& pathId, const std::string& listed,
                 std::string_view listVariable, std::string_view reserved) {
  auto bad = [&](const std::string& why) {
    return ConfigError(std::string(listVariable), "profile \"" + listed + "\": " + why);
  };
  if (pathId.empty() || pathId.size() > 63) throw bad("a name is 1-63 characters");
  if (!std::all_of(pathId.begin(), pathId.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      }))
    throw bad("a name is ASCII letters, digits and '-' only");
  if (pathId.front() == '-' || pathId.back() == '-')
    throw bad("a name neither starts nor ends with '-'");
  if (pathId == reserved)
    throw bad("\"" + std::string(reserved) +
              "\" is reserved (it would collide with the legacy root)");
}

std::string variableName(const std::string& pathId) {
  std::string name = domain::asciiUpper(pathId);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

std::vector<ListedProfile> listedProfiles(std::string_view profileList,
                                          std::string_view listVariable,
                                          std::string_view reserved) {
  std::vector<ListedProfile> profiles;
  std::set<std::string> seen;
  for (const std::string& listed : splitComma(profileList)) {
    ListedProfile p{domain::asciiLower(listed), {}};
    checkPathId(p.pathId, listed, listVariable, reserved);
    if (!seen.insert(p.pathId).second)
      throw ConfigError(std::string(listVariable), "profile \"" + p.pathId + "\" is listed twice");
    p.name = variableName(p.pathId);
    profiles.push_back(std::move(p));
  }
  return profiles;
}

bool parseFlag(const std::string& variable, std::string_view value) {
  std::string v = domain::asciiLower(trimmed(value));
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no" || v.empty()) return false;
  throw ConfigError(variable, "must be true or false (got \"" + std::string(value) + "\")");
}

}  // namespace certctl::config::profile_names
