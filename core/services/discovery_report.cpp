#include "core/services/discovery_report.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "core/domain/errors.h"
#include "core/domain/timestamps.h"
#include "sdk/pki/certificate.h"

namespace certctl::services {

using nlohmann::json;
namespace pki = certctl::sdk::pki;

namespace {

constexpr std::size_t kMaxCertificates = 10000;
constexpr std::size_t kMaxDirectories = 64;
constexpr std::size_t kMaxPath = 4096;
constexpr std::size_t kMaxErrors = 100000;

const json* member(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string text(const json& object, const char* key, const std::string& field, bool required,
                 std::size_t maxLength) {
  const json* value = member(object, key);
  if (value == nullptr) {
    if (required) throw domain::badRequest(field, field + " is required");
    return {};
  }
  if (!value->is_string()) throw domain::badRequest(field, field + " must be a string");
  auto s = value->get<std::string>();
  if (required && s.empty()) throw domain::badRequest(field, field + " must not be empty");
  if (s.size() > maxLength)
    throw domain::badRequest(field,
                             field + " is longer than " + std::to_string(maxLength) + " bytes");
  if (s.find('\0') != std::string::npos)
    throw domain::badRequest(field, field + " contains a NUL byte");
  return s;
}

long long nonNegative(const json& object, const char* key) {
  const json* value = member(object, key);
  if (value == nullptr) return 0;
  if (!value->is_number_integer() || value->get<long long>() < 0)
    throw domain::badRequest(key, std::string(key) + " must be a non-negative integer");
  return value->get<long long>();
}

DiscoveredCertificate parseEntry(const json& entry, const std::string& field) {
  if (!entry.is_object()) throw domain::badRequest(field, field + " must be an object");
  DiscoveredCertificate d;
  d.pem = text(entry, "pem_data", field + ".pem_data", true, 64 * 1024);
  pki::Certificate cert = [&] {
    try {
      return pki::Certificate::fromPem(d.pem, pki::KeyDecoding::Deferred);
    } catch (const std::exception&) {
      throw domain::badRequest(field + ".pem_data", field + ".pem_data is not a PEM certificate");
    }
  }();
  d.pem = cert.toPem();  // one certificate, re-encoded: nothing else the client sent is kept
  d.summary = pki::summarize(cert);
  auto claimed = text(entry, "fingerprint_sha256", field + ".fingerprint_sha256", false, 128);
  std::transform(claimed.begin(), claimed.end(), claimed.begin(), ::tolower);
  claimed.erase(std::remove(claimed.begin(), claimed.end(), ':'), claimed.end());
  if (!claimed.empty() && claimed != d.summary.fingerprintSha256)
    throw domain::badRequest(field + ".fingerprint_sha256",
                             field + ".fingerprint_sha256 does not match the certificate");
  d.sourcePath = text(entry, "source_path", field + ".source_path", true, kMaxPath);
  d.sourceFormat = text(entry, "source_format", field + ".source_format", false, 16);
  return d;
}

}  // namespace

DiscoveryReport parseDiscoveryReport(const json& body) {
  DiscoveryReport r;
  if (const json* source = member(body, "source")) {
    r.source = text(body, "source", "source", true, 32);
    bool token = std::all_of(r.source.begin(), r.source.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
    if (!token || !source->is_string())
      throw domain::badRequest("source", "source must be lowercase letters, digits, '-', '_'");
  }
  if (const json* dirs = member(body, "directories")) {
    if (!dirs->is_array() || dirs->size() > kMaxDirectories)
      throw domain::badRequest("directories", "directories must be an array of at most " +
                                                  std::to_string(kMaxDirectories) + " strings");
    for (std::size_t i = 0; i < dirs->size(); ++i) {
      std::string field = "directories[" + std::to_string(i) + "]";
      json holder = {{"d", (*dirs)[i]}};
      r.directories.push_back(text(holder, "d", field, true, kMaxPath));
    }
  }
  const json* certs = member(body, "certificates");
  if (certs == nullptr || !certs->is_array())
    throw domain::badRequest("certificates", "certificates must be an array");
  if (certs->size() > kMaxCertificates)
    throw domain::badRequest(
        "certificates",
        "a report holds at most " + std::to_string(kMaxCertificates) + " certificates");
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < certs->size(); ++i) {
    auto entry = parseEntry((*certs)[i], "certificates[" + std::to_string(i) + "]");
    if (seen.insert({entry.summary.fingerprintSha256, entry.sourcePath}).second)
      r.certificates.push_back(std::move(entry));
  }
  if (const json* errors = member(body, "errors")) {
    if (!errors->is_array() || errors->size() > kMaxErrors)
      throw domain::badRequest("errors", "errors must be an array");
    r.errorsCount = static_cast<long long>(errors->size());
  }
  r.scanDurationMs = nonNegative(body, "scan_duration_ms");
  if (const json* started = member(body, "started_at")) {
    auto t =
        started->is_string() ? domain::parseRfc3339(started->get<std::string>()) : std::nullopt;
    if (!t) throw domain::badRequest("started_at", "started_at must be an RFC 3339 timestamp");
    r.startedAt = domain::formatRfc3339(*t);
  }
  return r;
}

}  // namespace certctl::services
