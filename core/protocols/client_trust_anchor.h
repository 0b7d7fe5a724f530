#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <string>

#include "core/services/revocation_store.h"
#include "sdk/pki/trust_store.h"

namespace certctl::protocols {

// The client-CA trust bundle of an mTLS enrollment route: an EST profile's
// (CERTCTL_EST_PROFILE_<NAME>_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH) or a SCEP
// profile's (CERTCTL_SCEP_PROFILE_<NAME>_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH),
// reloadable while requests are served. A reload that cannot read or parse
// the file keeps the pool in place and reports why (docs/est.md threat model).
class ClientTrustAnchor {
 public:
  // Loads the bundle; throws sdk::pki::PkiError when it is unusable (boot refusal).
  explicit ClientTrustAnchor(std::string path);

  // "" on success, else the reason the old pool stays.
  std::string reload();
  // "" when the DER client certificate chains to this bundle, is valid now
  // and is not revoked at `issuerId` (the route's issuer: a device whose
  // certificate was revoked after a compromise must not use it); else why
  // not. Without `revocations` the revocation check is skipped.
  std::string verify(const std::string& certificateDer, const std::string& issuerId,
                     services::RevocationStore* revocations) const;

  const std::string& path() const { return path_; }
  // [{"subject", "not_after"}] of the anchors in use.
  nlohmann::json anchorsJson() const;

 private:
  std::shared_ptr<const sdk::pki::TrustStore> current() const;

  std::string path_;
  mutable std::mutex mutex_;
  std::shared_ptr<const sdk::pki::TrustStore> store_;
};

}  // namespace certctl::protocols
