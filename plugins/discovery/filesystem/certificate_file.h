#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sdk/pki/certificate.h"

namespace certctl::discovery::filesystem {

// The extensions certificate files go by: .pem .crt .cer .cert .der
// (case-insensitive).
bool hasCertificateExtension(const std::filesystem::path& path);

// privkey.pem, server-key.pem, tls.key.pem, private.pem ...: files that by
// their name hold a private key. They are skipped without being opened.
bool isKeyFileName(const std::filesystem::path& path);

// The certificates of one file. PEM: every CERTIFICATE block, in order, each
// one once; other blocks (private keys above all) are never decoded. DER:
// exactly one certificate.
struct CertificateFile {
  std::vector<certctl::sdk::pki::Certificate> certificates;
  std::string format;                 // "PEM" or "DER"
  bool containsPrivateKey = false;    // a "... PRIVATE KEY" PEM block was present
  std::vector<std::string> problems;  // blocks that could not be read ("block #2 is malformed")
};

// Throws std::runtime_error with a short reason when the bytes hold no
// certificate and no private key either ("not a PEM file and not a DER
// certificate", "no certificate in the PEM file").
CertificateFile parseCertificateFile(std::string_view bytes);

}  // namespace certctl::discovery::filesystem
