#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "ca_material.h"
#include "config.h"
#include "sdk/pki/certificate.h"

namespace certctl::local_ca {

// The responder certificate and key in host.state_dir.
inline constexpr const char* kResponderKeyFile = "ocsp-responder.key";   // PKCS#8 PEM, 0600
inline constexpr const char* kResponderCertFile = "ocsp-responder.crt";  // PEM, 0644

// Signs OCSP responses with a delegated responder (RFC 6960 4.2.2.2): a
// certificate issued by this CA with the OCSPSigning purpose and
// id-pkix-ocsp-nocheck, its own key, ocsp_responder_validity_days long.
//
// It is replaced (new key and certificate) once it expires within
// ocsp_responder_rotation_grace_seconds. The responder in use is an
// immutable snapshot behind an atomic shared_ptr: a signature takes it
// without a lock; only a rotation takes the mutex (and the state dir's
// file lock, to agree with other instances of the issuer on disk). Without
// a state dir (sub-CA mode may run without one) the responder lives in
// memory only.
class OcspResponder {
 public:
  // Loads the persisted responder, or makes one. `ca` must outlive this.
  OcspResponder(const CaMaterial& ca, const LocalCaConfig& config);
  ~OcspResponder();
  OcspResponder(const OcspResponder&) = delete;
  OcspResponder& operator=(const OcspResponder&) = delete;

  // sign_ocsp: {serial, status, revoked_at, reason, this_update,
  // next_update, nonce_base64, hash_algorithm} -> {response_der_base64}.
  // The CertID is over this CA's name and key with hash_algorithm, SHA-1
  // by default (what `openssl ocsp` sends). Throws
  // sdk::PluginError(Rejected) naming a bad field.
  nlohmann::json sign(const nlohmann::json& request);

 private:
  struct Responder;
  using Snapshot = std::shared_ptr<const Responder>;

  Snapshot current();
  Snapshot rotate(const Snapshot& seen);
  // The persisted responder if it is usable and not due, else a new one
  // (persisted when there is a state dir).
  Snapshot loadOrCreate();
  Snapshot create();

  const CaMaterial& ca_;
  const std::filesystem::path stateDir_;
  const std::chrono::seconds grace_;
  const std::chrono::days validity_;
  std::atomic<Snapshot> current_;
  std::mutex rotateMutex_;
  // After a failed rotation (disk full, ...), no new attempt before this
  // (seconds since the epoch) while the old responder is still valid.
  std::atomic<std::int64_t> retryAfter_{0};
};

}  // namespace certctl::local_ca
