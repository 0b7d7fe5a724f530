#include "plugins/targets/envoy/envoy_sds.h"

#include <nlohmann/json.hpp>

namespace certctl::targets::envoy {

std::string sdsDocument(const std::string& secretName, const std::filesystem::path& certFile,
                        const std::filesystem::path& keyFile) {
  const nlohmann::json secret = {
      {"@type", "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret"},
      {"name", secretName},
      {"tls_certificate",
       {{"certificate_chain", {{"filename", certFile.string()}}},
        {"private_key", {{"filename", keyFile.string()}}}}}};
  return nlohmann::json{{"resources", {secret}}}.dump(2) + "\n";
}

}  // namespace certctl::targets::envoy
