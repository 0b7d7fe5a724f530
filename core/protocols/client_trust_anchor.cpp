#include "core/protocols/client_trust_anchor.h"

#include <optional>

#include "core/domain/timestamps.h"

namespace certctl::protocols {

ClientTrustAnchor::ClientTrustAnchor(std::string path)
    : path_(std::move(path)),
      store_(
          std::make_shared<const sdk::pki::TrustStore>(sdk::pki::TrustStore::fromPemFile(path_))) {}

std::shared_ptr<const sdk::pki::TrustStore> ClientTrustAnchor::current() const {
  std::lock_guard lock(mutex_);
  return store_;
}

std::string ClientTrustAnchor::reload() {
  try {
    auto fresh =
        std::make_shared<const sdk::pki::TrustStore>(sdk::pki::TrustStore::fromPemFile(path_));
    std::lock_guard lock(mutex_);
    store_ = std::move(fresh);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string ClientTrustAnchor::verify(const std::string& certificateDer,
                                      const std::string& issuerId,
                                      services::RevocationStore* revocations) const {
  if (certificateDer.empty()) return "no client certificate was presented";
  std::optional<sdk::pki::Certificate> leaf;
  try {
    leaf.emplace(sdk::pki::Certificate::fromDer(certificateDer));  // Eager: verified below
  } catch (const std::exception& e) {
    return std::string("unreadable client certificate: ") + e.what();
  }
  if (std::string why = current()->verify(*leaf); !why.empty()) return why;
  if (revocations && revocations->serialStatus(issuerId, leaf->serialHex()).state ==
                         services::SerialStatus::State::Revoked)
    return "the client certificate has been revoked";
  return {};
}

nlohmann::json ClientTrustAnchor::anchorsJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& anchor : current()->anchors())
    out.push_back({{"subject", anchor.subjectString()},
                   {"not_after", domain::formatRfc3339(std::chrono::floor<std::chrono::seconds>(
                                     anchor.notAfter()))}});
  return out;
}

}  // namespace certctl::protocols
