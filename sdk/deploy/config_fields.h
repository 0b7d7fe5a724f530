#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace certctl::sdk::deploy {

// Reading a target config (a JSON object) field by field. Each helper throws
// DeployError(InvalidConfig) whose message starts with the field name. A
// null member counts as absent (forms send null for "unset").

// The member, or nullptr when absent or null.
const nlohmann::json* configMember(const nlohmann::json& object, const std::string& key);

// A short rendering of a bad value for a message.
std::string shownValue(const nlohmann::json& value);

std::optional<std::string> stringField(const nlohmann::json& object, const std::string& key,
                                       const std::string& path);

// An absolute path: no NUL, no "." or ".." components, at most 4096
// bytes; no trailing '/' unless `directory` (then it is dropped).
std::optional<std::filesystem::path> filePathField(const nlohmann::json& object,
                                                   const std::string& key, const std::string& path,
                                                   bool directory = false);

// An integer within [min, max]; an integral float or a decimal string is accepted too.
std::optional<long long> integerField(const nlohmann::json& object, const std::string& key,
                                      long long min, long long max, const std::string& path);

std::optional<bool> boolField(const nlohmann::json& object, const std::string& key,
                              const std::string& path);

// A duration in seconds within [minSeconds, maxSeconds]: a number of seconds,
// or a string "30", "30s", "1500ms", "2m".
std::optional<std::chrono::milliseconds> durationField(const nlohmann::json& object,
                                                       const std::string& key, long long minMs,
                                                       long long maxMs, const std::string& path);

}  // namespace certctl::sdk::deploy
