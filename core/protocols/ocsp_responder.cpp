#include "core/protocols/ocsp_responder.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <mutex>

#include "core/domain/errors.h"
#include "core/domain/timestamps.h"
#include "core/plugins/plugin_call_error.h"
#include "sdk/pki/ocsp_request.h"
#include "sdk/pki/ocsp_response_builder.h"

namespace certctl::protocols {

namespace {

namespace pki = sdk::pki;
using SysClock = std::chrono::system_clock;
using services::SerialStatus;

// Unsuccessful responses carry no body and no signature: the same bytes
// every time, made once.
const std::string& errorBytes(pki::OcspResponseStatus status) {
  static const std::string malformed =
      pki::OcspResponseBuilder::errorResponse(pki::OcspResponseStatus::malformedRequest);
  static const std::string internal =
      pki::OcspResponseBuilder::errorResponse(pki::OcspResponseStatus::internalError);
  static const std::string tryLater =
      pki::OcspResponseBuilder::errorResponse(pki::OcspResponseStatus::tryLater);
  static const std::string unauthorized =
      pki::OcspResponseBuilder::errorResponse(pki::OcspResponseStatus::unauthorized);
  switch (status) {
    case pki::OcspResponseStatus::malformedRequest:
      return malformed;
    case pki::OcspResponseStatus::tryLater:
      return tryLater;
    case pki::OcspResponseStatus::unauthorized:
      return unauthorized;
    default:
      return internal;
  }
}

constexpr std::chrono::seconds kNegativeRecheck{10};
constexpr std::size_t kMaxContexts = 1024;

OcspCachedStatus cachedStatus(const SerialStatus& s) {
  if (s.state == SerialStatus::State::Revoked)
    return {OcspCachedStatus::Kind::Revoked, s.revokedAt, s.reason};
  return {};
}

SerialStatus serialStatus(const OcspCachedStatus& s) {
  if (s.kind == OcspCachedStatus::Kind::Revoked)
    return {SerialStatus::State::Revoked, s.revokedAt, s.reason};
  return {SerialStatus::State::Good, {}, {}};
}

bool cacheable(const SerialStatus& s) {
  return s.state == SerialStatus::State::Good || s.state == SerialStatus::State::Revoked;
}

}  // namespace

OcspResponder::OcspResponder(services::RevocationStore& store,
                             services::RevocationIssuerGateway& issuers, Options options)
    : store_(store), issuers_(issuers), options_(options), cache_(options.maxCachedResponses) {}

std::optional<std::string> OcspResponder::canonicalSerial(std::string_view text) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    text.remove_prefix(2);
  if (text.empty() || text.size() > 128) return std::nullopt;
  std::string out;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    if (out.empty() && c == '0') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (out.size() > 40) return std::nullopt;
  return out.empty() ? std::string("0") : out;
}

std::shared_ptr<const OcspResponder::IssuerContext> OcspResponder::context(
    const std::string& issuerId) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::shared_lock lock(contextsMutex_);
    auto it = contexts_.find(issuerId);
    if (it != contexts_.end()) {
      const auto age = now - it->second->loadedAt;
      if (age < (it->second->authoritative ? options_.issuerRecheck : kNegativeRecheck))
        return it->second;
    }
  }
  auto loaded = loadContext(issuerId);
  if (!loaded) return nullptr;
  std::shared_ptr<const IssuerContext> previous;
  {
    std::unique_lock lock(contextsMutex_);
    if (contexts_.size() >= kMaxContexts) {
      // Unknown issuer ids from the network must not grow this map.
      for (auto it = contexts_.begin(); it != contexts_.end();)
        it = it->second->authoritative ? std::next(it) : contexts_.erase(it);
    }
    auto& slot = contexts_[issuerId];
    previous = slot;
    slot = loaded;
  }
  // A new CA key or certificate: every cached answer names the old one.
  if (previous && previous->caDer != loaded->caDer) cache_.clearIssuer(issuerId);
  return loaded;
}

std::shared_ptr<const OcspResponder::IssuerContext> OcspResponder::loadContext(
    const std::string& issuerId) {
  auto ctx = std::make_shared<IssuerContext>();
  ctx->loadedAt = std::chrono::steady_clock::now();
  try {
    if (issuers_.availability(issuerId, "sign_ocsp") !=
        services::RevocationIssuerGateway::Availability::Available)
      return ctx;
    std::string pem = issuers_.caCertificatePem(issuerId);
    if (pem.empty()) return ctx;
    pki::Certificate ca = pki::Certificate::fromPem(pem);
    auto sha1 = pki::OcspCertId::forSerial(ca, "1", "SHA1");
    auto sha256 = pki::OcspCertId::forSerial(ca, "1", "SHA256");
    ctx->sha1Name = sha1.issuerNameHash;
    ctx->sha1Key = sha1.issuerKeyHash;
    ctx->sha256Name = sha256.issuerNameHash;
    ctx->sha256Key = sha256.issuerKeyHash;
    ctx->caDer = ca.toDer();
    ctx->ca = std::move(ca);
    ctx->authoritative = true;
    return ctx;
  } catch (const std::exception& e) {
    spdlog::warn("OCSP: cannot load issuer {}: {}", issuerId, e.what());
    return nullptr;
  }
}

bool OcspResponder::issuedBy(const IssuerContext& ctx, const pki::OcspCertId& id) const {
  if (id.hashAlgorithm == "SHA1")
    return id.issuerNameHash == ctx.sha1Name && id.issuerKeyHash == ctx.sha1Key;
  if (id.hashAlgorithm == "SHA256")
    return id.issuerNameHash == ctx.sha256Name && id.issuerKeyHash == ctx.sha256Key;
  return ctx.ca && id.isIssuedBy(*ctx.ca);
}

std::string OcspResponder::respond(const std::string& issuerId, std::string_view requestDer) {
  auto ctx = context(issuerId);
  if (!ctx) {
    ++errors_;
    return errorBytes(pki::OcspResponseStatus::internalError);
  }
  if (!ctx->authoritative) return errorBytes(pki::OcspResponseStatus::unauthorized);
  std::optional<pki::OcspRequest> request;
  try {
    request = pki::OcspRequest::fromDer(requestDer);
  } catch (const std::exception&) {
    return errorBytes(pki::OcspResponseStatus::malformedRequest);
  }
  if (request->nonce() && request->nonce()->size() > options_.maxNonceBytes)
    return errorBytes(pki::OcspResponseStatus::malformedRequest);
  // One CertID per request is what every client sends; the plugin signs one
  // SingleResponse, so a multi-certificate request is answered for the first.
  const auto& id = request->certIds().front();
  if (!issuedBy(*ctx, id)) return errorBytes(pki::OcspResponseStatus::unauthorized);
  return answer(issuerId, id.serialHex, id.hashAlgorithm, request->nonce());
}

std::string OcspResponder::respondForSerial(const std::string& issuerId,
                                            std::string_view serialText) {
  auto ctx = context(issuerId);
  if (!ctx) {
    ++errors_;
    return errorBytes(pki::OcspResponseStatus::internalError);
  }
  if (!ctx->authoritative) return errorBytes(pki::OcspResponseStatus::unauthorized);
  auto serial = canonicalSerial(serialText);
  if (!serial) return errorBytes(pki::OcspResponseStatus::malformedRequest);
  return answer(issuerId, *serial, "SHA1", std::nullopt);
}

std::string OcspResponder::answer(const std::string& issuerId, const std::string& serial,
                                  const std::string& hashAlgorithm,
                                  const std::optional<std::string>& nonce) {
  const auto now = SysClock::now();
  if (!nonce) {
    if (auto der = cache_.find(issuerId, serial, hashAlgorithm, now)) return *der;
  }
  try {
    const std::uint64_t epoch = cache_.epoch(issuerId, serial);
    SerialStatus status;
    std::optional<OcspCachedStatus> known;
    if (nonce) known = cache_.status(issuerId, serial, now);
    if (known) {
      status = serialStatus(*known);
    } else {
      status = store_.serialStatus(issuerId, serial);
    }
    SysClock::time_point thisUpdate;
    std::string der =
        sign(issuerId, serial, hashAlgorithm, status, nonce.value_or(std::string()), thisUpdate);
    if (!nonce && cacheable(status)) {
      OcspResponseCache::Response cached;
      cached.der = std::make_shared<const std::string>(der);
      cached.hashAlgorithm = hashAlgorithm;
      cached.status = cachedStatus(status);
      cached.refreshAt = thisUpdate + options_.validity / 2;
      cached.staleAt = thisUpdate + options_.validity - options_.staleMargin;
      cache_.insert(issuerId, serial, std::move(cached), epoch);
    }
    return der;
  } catch (const std::exception& e) {
    return failure(e, issuerId);
  }
}

std::string OcspResponder::sign(const std::string& issuerId, const std::string& serial,
                                const std::string& hashAlgorithm, const SerialStatus& status,
                                const std::string& nonce, SysClock::time_point& thisUpdate) {
  const domain::TimePoint now = domain::nowSeconds();
  thisUpdate = now;
  services::RevocationIssuerGateway::OcspSignRequest request;
  request.serial = serial;
  switch (status.state) {
    case SerialStatus::State::Good:
      request.status = "good";
      break;
    case SerialStatus::State::Revoked:
      request.status = "revoked";
      break;
    default:
      request.status = "unknown";
      break;
  }
  request.revokedAt = status.revokedAt;
  request.reason = status.reason;
  request.thisUpdate = domain::formatRfc3339(now);
  request.nextUpdate = domain::formatRfc3339(now + options_.validity);
  request.nonce = nonce;
  request.hashAlgorithm = hashAlgorithm;
  std::string der = issuers_.signOcsp(issuerId, request);
  ++signatures_;
  return der;
}

std::string OcspResponder::failure(const std::exception& e, const std::string& issuerId) {
  ++errors_;
  spdlog::error("OCSP: issuer {}: {}", issuerId, e.what());
  if (auto* call = dynamic_cast<const plugins::PluginCallError*>(&e); call && call->retryable())
    return errorBytes(pki::OcspResponseStatus::tryLater);
  if (auto* api = dynamic_cast<const domain::ApiError*>(&e);
      api && api->kind() == domain::ErrorKind::Unavailable)
    return errorBytes(pki::OcspResponseStatus::tryLater);
  return errorBytes(pki::OcspResponseStatus::internalError);
}

void OcspResponder::invalidate(const std::string& issuerId,
                               const std::vector<std::string>& serials) {
  cache_.invalidate(issuerId, serials);
}

std::size_t OcspResponder::refreshDue() {
  std::size_t refreshed = 0;
  for (;;) {
    auto due = cache_.takeDue(SysClock::now(), 1000);
    if (due.empty()) break;
    for (const auto& item : due) {
      try {
        SerialStatus status = serialStatus(item.status);
        SysClock::time_point thisUpdate;
        std::string der =
            sign(item.issuerId, item.serial, item.hashAlgorithm, status, {}, thisUpdate);
        OcspResponseCache::Response cached;
        cached.der = std::make_shared<const std::string>(std::move(der));
        cached.hashAlgorithm = item.hashAlgorithm;
        cached.status = item.status;
        cached.refreshAt = thisUpdate + options_.validity / 2;
        cached.staleAt = thisUpdate + options_.validity - options_.staleMargin;
        if (cache_.insert(item.issuerId, item.serial, std::move(cached), item.epoch)) ++refreshed;
      } catch (const std::exception& e) {
        ++errors_;
        spdlog::warn("OCSP: refresh of {} {} failed: {}", item.issuerId, item.serial, e.what());
      }
    }
  }
  return refreshed;
}

OcspResponder::Stats OcspResponder::stats() const {
  return {cache_.hits(), cache_.misses(), signatures_.load(), errors_.load(), cache_.size()};
}

}  // namespace certctl::protocols
