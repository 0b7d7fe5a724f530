#pragma once

#include <filesystem>
#include <string>

namespace certctl::targets::envoy {

// The file Envoy's file-based SDS (path_config_source) reads: one
// envoy.extensions.transport_sockets.tls.v3.Secret named `secretName` whose
// tls_certificate points at the certificate chain and key files:
//   {"resources": [{"@type": ".../envoy.extensions.transport_sockets.tls.v3.Secret",
//     "name": ..., "tls_certificate": {"certificate_chain": {"filename": ...},
//                                      "private_key": {"filename": ...}}}]}
// Envoy reloads the secret when this file is moved into place, and reads the
// files it names at that moment.
std::string sdsDocument(const std::string& secretName, const std::filesystem::path& certFile,
                        const std::filesystem::path& keyFile);

}  // namespace certctl::targets::envoy
