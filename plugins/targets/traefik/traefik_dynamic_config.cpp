#include "plugins/targets/traefik/traefik_dynamic_config.h"

#include <nlohmann/json.hpp>

#include "sdk/deploy/deploy_error.h"

namespace certctl::targets::traefik {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A double-quoted string both formats read: JSON's escapes (\" \\ \n \uXXXX
// ...) are a subset of YAML's and of TOML basic strings'.
std::string quoted(const std::filesystem::path& path) {
  return nlohmann::json(path.string()).dump();
}

}  // namespace

DynamicConfigFormat formatOf(const std::string& fileName, const std::string& field) {
  if (endsWith(fileName, ".yml") || endsWith(fileName, ".yaml")) return DynamicConfigFormat::Yaml;
  if (endsWith(fileName, ".toml")) return DynamicConfigFormat::Toml;
  throw sdk::deploy::DeployError::invalidConfig(
      field, "\"" + fileName +
                 "\" must end in .yml, .yaml or .toml (Traefik reads the format from the "
                 "extension)");
}

std::string dynamicConfig(DynamicConfigFormat format, const std::filesystem::path& certFile,
                          const std::filesystem::path& keyFile) {
  const std::string header =
      "# Written by certctl: the certificate it deploys, for Traefik's file provider.\n"
      "# Replaced on every deployment; edits are lost.\n";
  if (format == DynamicConfigFormat::Yaml)
    return header + "tls:\n  certificates:\n    - certFile: " + quoted(certFile) +
           "\n      keyFile: " + quoted(keyFile) + "\n";
  return header + "[[tls.certificates]]\n  certFile = " + quoted(certFile) +
         "\n  keyFile = " + quoted(keyFile) + "\n";
}

}  // namespace certctl::targets::traefik
