#pragma once

#include <string>
#include <string_view>
#include <vector>

// The per-profile variable families of the enrollment protocols
// (CERTCTL_EST_PROFILE_<NAME>_*, CERTCTL_SCEP_PROFILE_<NAME>_*): how a
// listed profile name becomes a URL segment and a variable-name infix.
namespace certctl::config::profile_names {

std::string trimmed(std::string_view s);
// "a, b,,c" -> {"a", "b", "c"}.
std::vector<std::string> splitComma(std::string_view value);
// [a-z0-9-]{1,63}, no leading or trailing '-', not `reserved`; a
// ConfigError for `listVariable` otherwise.
void checkPathId(const std::string& pathId, const std::string& listed,
                 std::string_view listVariable, std::string_view reserved);
// The upper-cased variable infix of a path id ("iot-a" -> "IOT_A").
std::string variableName(const std::string& pathId);
// A profile's on/off setting: true/1/yes, false/0/no or empty (off); a
// ConfigError for `variable` otherwise.
bool parseFlag(const std::string& variable, std::string_view value);

struct ListedProfile {
  std::string pathId;  // "iot-a"
  std::string name;    // "IOT_A"
};
// The profiles of a CERTCTL_<PROTOCOL>_PROFILES list, each checked by
// checkPathId and listed once; a ConfigError for `listVariable` otherwise.
std::vector<ListedProfile> listedProfiles(std::string_view profileList,
                                          std::string_view listVariable, std::string_view reserved);

}  // namespace certctl::config::profile_names
