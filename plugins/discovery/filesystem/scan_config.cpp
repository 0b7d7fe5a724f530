#include "scan_config.h"

#include "sdk/deploy/config_fields.h"
#include "sdk/deploy/deploy_error.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::discovery::filesystem {

namespace deploy = certctl::sdk::deploy;
using certctl::sdk::PluginError;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxPaths = 64;
constexpr long long kMaxFileBytesLimit = 16LL * 1024 * 1024;

PluginError failure(bool invalidConfig, const std::string& message) {
  return invalidConfig ? PluginError::invalidConfig(message) : PluginError::rejected(message);
}

}  // namespace

std::vector<std::filesystem::path> parsePathList(const json& value, const std::string& field,
                                                 bool invalidConfig) {
  if (!value.is_array() || value.empty() || value.size() > kMaxPaths)
    throw failure(invalidConfig, field + ": must be an array of 1 to " + std::to_string(kMaxPaths) +
                                     " absolute paths");
  std::vector<std::filesystem::path> paths;
  for (std::size_t i = 0; i < value.size(); ++i) {
    std::string name = field + "[" + std::to_string(i) + "]";
    if (!value[i].is_string()) throw failure(invalidConfig, name + ": must be a string");
    try {
      auto path = deploy::filePathField(json{{"path", value[i]}}, "path", name, true);
      if (!path) throw failure(invalidConfig, name + ": must not be empty");
      paths.push_back(*path);
    } catch (const deploy::DeployError& e) {
      throw failure(invalidConfig, e.what());
    }
  }
  return paths;
}

ScanConfig parseScanConfig(const json& config) {
  ScanConfig c;
  const json* paths = deploy::configMember(config, "paths");
  if (paths == nullptr) throw PluginError::invalidConfig("paths: is required");
  c.paths = parsePathList(*paths, "paths", true);
  try {
    if (auto n =
            deploy::integerField(config, "max_file_bytes", 1, kMaxFileBytesLimit, "max_file_bytes"))
      c.maxFileBytes = static_cast<std::uintmax_t>(*n);
    if (auto n = deploy::integerField(config, "max_depth", 0, 256, "max_depth"))
      c.maxDepth = static_cast<int>(*n);
    if (auto b = deploy::boolField(config, "follow_symlinks", "follow_symlinks"))
      c.followSymlinks = *b;
  } catch (const deploy::DeployError& e) {
    throw PluginError::invalidConfig(e.what());
  }
  return c;
}

}  // namespace certctl::discovery::filesystem
