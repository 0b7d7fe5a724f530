#include "sdk/deploy/config_fields.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "sdk/deploy/deploy_error.h"

namespace certctl::sdk::deploy {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void invalid(const std::string& path, const std::string& why) {
  throw DeployError::invalidConfig(path, why);
}

bool allDigits(const std::string& s) {
  return !s.empty() && s.size() <= 15 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const json* configMember(const json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string shownValue(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

std::optional<std::string> stringField(const json& object, const std::string& key,
                                       const std::string& path) {
  const json* value = configMember(object, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) invalid(path, "must be a string, got " + shownValue(*value));
  return value->get<std::string>();
}

std::optional<fs::path> filePathField(const json& object, const std::string& key,
                                      const std::string& path, bool directory) {
  auto text = stringField(object, key, path);
  if (directory && text)
    while (text->size() > 1 && text->back() == '/') text->pop_back();
  if (!text || text->empty()) return std::nullopt;
  if (text->find('\0') != std::string::npos) invalid(path, "contains a NUL byte");
  if (text->size() > 4096) invalid(path, "is longer than 4096 bytes");
  if (text->front() != '/') invalid(path, "must be an absolute path, got \"" + *text + "\"");
  if (text->back() == '/') invalid(path, "must name a file, not a directory: \"" + *text + "\"");
  fs::path p(*text);
  for (const auto& part : p) {
    if (part == "." || part == "..")
      invalid(path, "must not contain \".\" or \"..\" components: \"" + *text + "\"");
  }
  return p;
}

std::optional<long long> integerField(const json& object, const std::string& key, long long min,
                                      long long max, const std::string& path) {
  const json* value = configMember(object, key);
  if (value == nullptr) return std::nullopt;
  const std::string range =
      "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  long long n = 0;
  if (value->is_number_integer()) {
    n = value->get<long long>();
  } else if (value->is_number_unsigned()) {
    const auto u = value->get<unsigned long long>();
    n = u > static_cast<unsigned long long>(max) ? max + 1 : static_cast<long long>(u);
  } else if (value->is_number_float()) {
    const double d = value->get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 1e15)
      invalid(path, range + ", got " + shownValue(*value));
    n = static_cast<long long>(d);
  } else if (value->is_string() && allDigits(value->get<std::string>())) {
    n = std::stoll(value->get<std::string>());
  } else {
    invalid(path, range + ", got " + shownValue(*value));
  }
  if (n < min || n > max) invalid(path, range + ", got " + shownValue(*value));
  return n;
}

std::optional<bool> boolField(const json& object, const std::string& key, const std::string& path) {
  const json* value = configMember(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_string()) {
    const auto& s = value->get_ref<const std::string&>();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  invalid(path, "must be true or false, got " + shownValue(*value));
}

std::optional<std::chrono::milliseconds> durationField(const json& object, const std::string& key,
                                                       long long minMs, long long maxMs,
                                                       const std::string& path) {
  const json* value = configMember(object, key);
  if (value == nullptr) return std::nullopt;
  const std::string range = "must be a duration from " + std::to_string(minMs) + " ms to " +
                            std::to_string(maxMs / 1000) +
                            " s (a number of seconds, or \"30s\", \"500ms\", \"2m\")";
  long long ms = -1;
  if (value->is_number()) {
    const double seconds = value->get<double>();
    if (std::isfinite(seconds) && seconds >= 0 && seconds < 1e9)
      ms = static_cast<long long>(std::llround(seconds * 1000));
  } else if (value->is_string()) {
    std::string s = value->get<std::string>();
    long long unit = 1000;
    if (s.size() > 2 && s.compare(s.size() - 2, 2, "ms") == 0) {
      unit = 1;
      s.resize(s.size() - 2);
    } else if (!s.empty() && s.back() == 's') {
      s.pop_back();
    } else if (!s.empty() && s.back() == 'm') {
      unit = 60000;
      s.pop_back();
    }
    if (allDigits(s) && s.size() <= 9) ms = std::stoll(s) * unit;
  }
  if (ms < minMs || ms > maxMs) invalid(path, range + ", got " + shownValue(*value));
  return std::chrono::milliseconds(ms);
}

}  // namespace certctl::sdk::deploy
