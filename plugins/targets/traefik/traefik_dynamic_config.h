#pragma once

#include <filesystem>
#include <string>

namespace certctl::targets::traefik {

// The formats of Traefik's dynamic configuration; Traefik's file provider
// tells them apart by the file's extension.
enum class DynamicConfigFormat { Yaml, Toml };

// From the file name: .yml / .yaml or .toml. Throws DeployError(InvalidConfig)
// naming `field` for any other extension.
DynamicConfigFormat formatOf(const std::string& fileName, const std::string& field);

// The dynamic configuration that tells Traefik to use the certificate:
// `tls.certificates: [{certFile, keyFile}]` with absolute paths.
std::string dynamicConfig(DynamicConfigFormat format, const std::filesystem::path& certFile,
                          const std::filesystem::path& keyFile);

}  // namespace certctl::targets::traefik
