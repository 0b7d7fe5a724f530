#include "ocsp_responder.h"

#include <cctype>
#include <optional>
#include <string>

#include "revocation_fields.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/ocsp_cert_id.h"
#include "sdk/pki/ocsp_response_builder.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"
#include "sdk/pki/secure_file.h"
#include "sdk/pki/state_dir.h"
#include "sdk/plugin/host.h"
#include "sdk/plugin/plugin_error.h"
#include "time_format.h"

namespace certctl::local_ca {

using sdk::pki::ensurePrivateDirectory;
using sdk::pki::readFileIfExists;
using sdk::pki::StateDirLock;

namespace {

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using nlohmann::json;
using sdk::PluginError;
using Clock = std::chrono::system_clock;

constexpr auto kRetryAfterFailure = std::chrono::seconds(60);
constexpr auto kPublicFile =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

std::int64_t epochSeconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string responderCommonName(const pki::Certificate& ca) {
  std::string cn = ca.subjectCommonName() + " OCSP Responder";
  return ca.subjectCommonName().empty() || cn.size() > 64 ? "OCSP Responder" : cn;
}

pki::OcspCertStatus certStatus(const json& request, ReasonCache& reasons) {
  auto it = request.find("status");
  const std::string status = it != request.end() && it->is_string() ? it->get<std::string>() : "";
  if (status == "good") return pki::OcspCertStatus::good();
  if (status == "unknown") return pki::OcspCertStatus::unknown();
  if (status == "revoked") {
    const auto at = timeField(request, "revoked_at");
    if (!at) throw PluginError::rejected("revoked_at: required when status is revoked");
    const auto reason = reasons.parse(request, "reason");
    if (reason == pki::RevocationReason::removeFromCRL)
      throw PluginError::rejected("reason: removeFromCRL is not a revocation reason in OCSP");
    return pki::OcspCertStatus::revoked(*at, reason);
  }
  throw PluginError::rejected("status: must be good, revoked or unknown");
}

// request.hash_algorithm: the CertID digest the client used, which the
// answer must repeat. "SHA1" (what `openssl ocsp` and most clients send)
// when absent; "SHA256", "sha-256" and the like are accepted.
std::string hashAlgorithm(const json& request) {
  auto it = request.find("hash_algorithm");
  if (it == request.end() || it->is_null()) return "SHA1";
  std::string name;
  if (it->is_string()) {
    for (char c : it->get_ref<const std::string&>())
      if (c != '-' && c != '_')
        name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  static const char* const kKnown[] = {"SHA1", "SHA224", "SHA256", "SHA384", "SHA512"};
  for (const char* known : kKnown)
    if (name == known) return name;
  throw PluginError::rejected("hash_algorithm: must be SHA1, SHA224, SHA256, SHA384 or SHA512");
}

}  // namespace

// One responder: key, certificate and a configured response builder. Never
// changed after construction; `base` borrows `key`, so it is never moved.
struct OcspResponder::Responder {
  Responder(pki::PrivateKey k, pki::Certificate c, const pki::Certificate& issuer,
            std::chrono::seconds grace)
      : key(std::move(k)),
        cert(std::move(c)),
        base(issuer, cert, key),
        rotateAt(cert.notAfter() - grace) {}
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  const pki::PrivateKey key;
  const pki::Certificate cert;
  const pki::OcspResponseBuilder base;  // validated once: issued by the CA, OCSPSigning
  const Clock::time_point rotateAt;
};

OcspResponder::OcspResponder(const CaMaterial& ca, const LocalCaConfig& config)
    : ca_(ca),
      stateDir_(config.stateDir),
      grace_(config.ocspRotationGrace),
      validity_(config.ocspResponderValidityDays) {
  try {
    current_.store(loadOrCreate());
  } catch (const fs::filesystem_error& e) {
    throw PluginError::internal(std::string("local CA: OCSP responder: ") + e.what());
  } catch (const pki::PkiError& e) {
    throw PluginError::internal(std::string("local CA: OCSP responder: ") + e.what());
  }
}

OcspResponder::~OcspResponder() = default;

OcspResponder::Snapshot OcspResponder::create() {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  const auto now = Clock::now();
  pki::Certificate cert = pki::CertificateBuilder()
                              .commonName(responderCommonName(ca_.cert))
                              .notBefore(now - std::chrono::minutes(5))
                              .notAfter(std::min(now + validity_, ca_.cert.notAfter()))
                              .keyUsage(pki::KeyUsage::DigitalSignature)
                              .extendedKeyUsage({"OCSPSigning"})
                              .ocspNoCheck()
                              .signWith(ca_.cert, ca_.key, key);
  if (!stateDir_.empty()) {
    // Key first: a crash in between leaves a key that matches no certificate,
    // which the next load replaces.
    pki::writeFileAtomic(stateDir_ / kResponderKeyFile, key.toPkcs8Pem());
    pki::writeFileAtomic(stateDir_ / kResponderCertFile, cert.toPem(), kPublicFile);
  }
  sdk::log(sdk::LogLevel::Info, "local CA: new OCSP responder certificate, serial " +
                                    cert.serialHex() + ", valid until " +
                                    formatRfc3339(cert.notAfter()) +
                                    (stateDir_.empty() ? " (in memory)" : ""));
  return std::make_shared<const Responder>(std::move(key), std::move(cert), ca_.cert, grace_);
}

OcspResponder::Snapshot OcspResponder::loadOrCreate() {
  if (stateDir_.empty()) return create();
  ensurePrivateDirectory(stateDir_);
  StateDirLock lock(stateDir_);
  const auto keyPem = readFileIfExists(stateDir_ / kResponderKeyFile);
  const auto certPem = readFileIfExists(stateDir_ / kResponderCertFile);
  if (keyPem && certPem) {
    try {
      auto persisted = std::make_shared<const Responder>(
          pki::PrivateKey::fromPem(*keyPem), pki::Certificate::fromPem(*certPem), ca_.cert, grace_);
      if (persisted->cert.hasOcspNoCheck() && Clock::now() < persisted->rotateAt) return persisted;
    } catch (const pki::PkiError&) {
      // Damaged, or issued by another CA: replaced below.
    }
  }
  return create();
}

OcspResponder::Snapshot OcspResponder::rotate(const Snapshot& seen) {
  std::lock_guard guard(rotateMutex_);
  Snapshot now = current_.load();
  if (now != seen) return now;  // another thread rotated while this one waited
  try {
    Snapshot fresh = loadOrCreate();
    current_.store(fresh);
    return fresh;
  } catch (const std::exception& e) {
    const auto t = Clock::now();
    retryAfter_.store(epochSeconds(t + kRetryAfterFailure));
    if (t < seen->cert.notAfter()) {
      sdk::log(sdk::LogLevel::Warn,
               std::string("local CA: OCSP responder rotation failed, the current responder "
                           "stays in use until it expires: ") +
                   e.what());
      return seen;
    }
    throw PluginError::retryable(std::string("OCSP responder certificate expired and could "
                                             "not be replaced: ") +
                                 e.what());
  }
}

OcspResponder::Snapshot OcspResponder::current() {
  Snapshot snapshot = current_.load();
  const auto now = Clock::now();
  if (now < snapshot->rotateAt) return snapshot;
  if (epochSeconds(now) < retryAfter_.load() && now < snapshot->cert.notAfter()) return snapshot;
  return rotate(snapshot);
}

json OcspResponder::sign(const json& request) {
  ReasonCache reasons;
  const std::string serial = serialMember(request, "serial");
  const pki::OcspCertStatus status = certStatus(request, reasons);
  const auto thisUpdate = timeField(request, "this_update");
  const auto nextUpdate = timeField(request, "next_update");
  if (nextUpdate && *nextUpdate <= thisUpdate.value_or(Clock::now()))
    throw PluginError::rejected("next_update: must be after this_update");
  std::optional<std::string> nonce;
  if (auto it = request.find("nonce_base64"); it != request.end() && !it->is_null()) {
    if (!it->is_string()) throw PluginError::rejected("nonce_base64: must be a string");
    try {
      nonce = pki::base64Decode(it->get_ref<const std::string&>(), "nonce_base64");
    } catch (const pki::PkiError& e) {
      throw PluginError::rejected(e.what());
    }
  }
  const std::string hash = hashAlgorithm(request);
  pki::OcspCertId id;
  try {
    id = pki::OcspCertId::forSerial(ca_.cert, serial, hash);
  } catch (const pki::PkiError& e) {
    throw PluginError::rejected(std::string("serial: ") + e.what());
  }

  const Snapshot responder = current();
  pki::OcspResponseBuilder builder = responder->base;  // a copy: this call's own state
  if (thisUpdate) builder.thisUpdate(*thisUpdate);
  if (nextUpdate) builder.nextUpdate(*nextUpdate);
  if (nonce && !nonce->empty()) builder.nonce(std::move(*nonce));
  builder.add(std::move(id), status);
  return {{"response_der_base64", pki::base64Encode(builder.sign())}};
}

}  // namespace certctl::local_ca
