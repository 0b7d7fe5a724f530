#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "sdk/pki/certificate.h"
#include "sdk/pki/openssl_ptr.h"

namespace certctl::sdk::pki {

// A set of trust anchors (a PEM bundle) that verifies client certificates:
// chain, validity period and signatures, with no purpose or host check (a
// bootstrap or previously issued certificate may carry any EKU).
class TrustStore {
 public:
  // Every certificate of the PEM file; throws PkiError for an unreadable
  // file, a bundle without certificates, a malformed block or an expired
  // certificate (a half-rotated bundle).
  static TrustStore fromPemFile(const std::filesystem::path& path);
  // The same from PEM text; `what` names it in the errors.
  static TrustStore fromPem(const std::string& pem, const std::string& what);

  // `leaf` must be Eager-decoded (KeyDecoding::Eager).
  // "" when `leaf` chains to an anchor and is valid now, else OpenSSL's reason.
  std::string verify(const Certificate& leaf) const;

  const std::vector<Certificate>& anchors() const { return anchors_; }

 private:
  explicit TrustStore(std::vector<Certificate> anchors);

  std::vector<Certificate> anchors_;
  std::shared_ptr<X509_STORE> store_;
};

}  // namespace certctl::sdk::pki
