#pragma once

// A target plugin made of a FileTargetSpec: the class every file-based
// target plugin is (header-only, compiled into each plugin; needs
// certctl::sdk_plugin besides certctl::deploy). A plugin writes its spec and
// schema and exports SpecFileTarget over its spec function:
//
//   const FileTargetSpec& spec();  // typeName, layout, default commands...
//   CERTCTL_EXPORT_TARGET(certctl::sdk::deploy::SpecFileTarget<&spec>, "NGINX", "1.0.0", kSchema)

#include <nlohmann/json.hpp>
#include <string>

#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/file_target.h"
#include "sdk/plugin/host.h"
#include "sdk/plugin/plugin_error.h"
#include "sdk/plugin/target.h"
#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::sdk::deploy {

// DeployError as the plugin status the host understands.
inline PluginError toPluginError(const DeployError& e) {
  switch (e.kind()) {
    case FailureKind::InvalidConfig:
      return PluginError::invalidConfig(e.what());
    case FailureKind::Rejected:
      return PluginError::rejected(e.what());
    case FailureKind::Retryable:
      return PluginError::retryable(e.what());
    case FailureKind::Internal:
      break;
  }
  return PluginError::internal(e.what());
}

class FileTargetPlugin : public Target {
 public:
  FileTargetPlugin(const FileTargetSpec& spec, const nlohmann::json& config)
      : spec_(spec), config_(parseOrThrow(spec, config)) {}

  // For a plugin's static validateConfig: {} or {"warnings": [...]}.
  static nlohmann::json checkConfig(const FileTargetSpec& spec, const nlohmann::json& config) {
    FileTargetConfig parsed = parseOrThrow(spec, config);
    if (parsed.warnings.empty()) return nlohmann::json::object();
    return {{"warnings", parsed.warnings}};
  }

  nlohmann::json deploy(const nlohmann::json& request) override {
    try {
      return deployFileTarget(spec_, config_, request, [this](const std::string& line) {
        sdk::log(LogLevel::Info, spec_.typeName + " target: " + line);
      });
    } catch (const DeployError& e) {
      sdk::log(LogLevel::Warn, spec_.typeName + " target: deploy failed: " + e.what());
      throw toPluginError(e);
    }
  }

  nlohmann::json validateDeployment(const nlohmann::json& request) override {
    try {
      return validateFileTargetDeployment(spec_, config_, request);
    } catch (const DeployError& e) {
      throw toPluginError(e);
    }
  }

  const FileTargetConfig& config() const { return config_; }

 private:
  static FileTargetConfig parseOrThrow(const FileTargetSpec& spec, const nlohmann::json& config) {
    try {
      return FileTargetConfig::parse(spec, config);
    } catch (const DeployError& e) {
      throw toPluginError(e);
    }
  }

  const FileTargetSpec& spec_;
  FileTargetConfig config_;
};

// The plugin class of a target that is its FileTargetSpec and nothing more:
// `SpecFn` returns the spec (a static, built once).
template <const FileTargetSpec& (*SpecFn)()>
class SpecFileTarget : public FileTargetPlugin {
 public:
  explicit SpecFileTarget(const nlohmann::json& config) : FileTargetPlugin(SpecFn(), config) {}
  static nlohmann::json validateConfig(const nlohmann::json& config) {
    return checkConfig(SpecFn(), config);
  }
};

}  // namespace certctl::sdk::deploy

CERTCTL_SDK_END_HIDDEN
