#include "certificate_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <stdexcept>

namespace certctl::discovery::filesystem {

namespace pki = certctl::sdk::pki;

namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "-----BEGIN PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----", "-----BEGIN
// ENCRYPTED PRIVATE KEY-----", "-----BEGIN OPENSSH PRIVATE KEY-----" ...
bool hasPrivateKeyBlock(std::string_view bytes) {
  for (std::size_t at = bytes.find("-----BEGIN "); at != std::string_view::npos;
       at = bytes.find("-----BEGIN ", at + 1)) {
    auto close = bytes.find("-----", at + 11);
    if (close == std::string_view::npos) return false;
    if (bytes.substr(at, close - at).find("PRIVATE KEY") != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

bool hasCertificateExtension(const std::filesystem::path& path) {
  static const std::array<std::string_view, 5> kExtensions = {".pem", ".crt", ".cer", ".cert",
                                                              ".der"};
  std::string ext = lower(path.extension().string());
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

bool isKeyFileName(const std::filesystem::path& path) {
  std::string name = lower(path.filename().string());
  std::string stem = lower(path.stem().string());
  return name.find("privkey") != std::string::npos || name.find("private") != std::string::npos ||
         stem == "key" || endsWith(stem, ".key") || endsWith(stem, "-key") ||
         endsWith(stem, "_key");
}

CertificateFile parseCertificateFile(std::string_view bytes) {
  CertificateFile file;
  file.containsPrivateKey = hasPrivateKeyBlock(bytes);
  if (bytes.find("-----BEGIN ") == std::string_view::npos) {
    file.format = "DER";
    try {
      file.certificates.push_back(pki::Certificate::fromDer(bytes, pki::KeyDecoding::Deferred));
    } catch (const std::exception&) {
      throw std::runtime_error("not a PEM file and not a DER certificate");
    }
    return file;
  }
  file.format = "PEM";
  std::set<std::string> seen;
  int block = 0;
  for (std::size_t at = bytes.find(kBegin); at != std::string_view::npos;
       at = bytes.find(kBegin, at + kBegin.size())) {
    ++block;
    auto end = bytes.find(kEnd, at);
    if (end == std::string_view::npos) {
      file.problems.push_back("certificate block #" + std::to_string(block) + " is not closed");
      break;
    }
    try {
      auto cert = pki::Certificate::fromPem(bytes.substr(at, end + kEnd.size() - at),
                                            pki::KeyDecoding::Deferred);
      if (seen.insert(cert.sha256FingerprintHex()).second) file.certificates.push_back(cert);
    } catch (const std::exception&) {
      file.problems.push_back("certificate block #" + std::to_string(block) + " is malformed");
    }
  }
  if (file.certificates.empty() && file.problems.empty() && !file.containsPrivateKey)
    throw std::runtime_error("no certificate in the PEM file");
  return file;
}

}  // namespace certctl::discovery::filesystem
