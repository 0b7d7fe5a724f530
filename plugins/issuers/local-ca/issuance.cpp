#include "issuance.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>

#include "leaf_profile.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/fingerprint.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/plugin/host.h"
#include "sdk/plugin/plugin_error.h"
#include "time_format.h"

namespace certctl::local_ca {

namespace {

namespace pki = certctl::sdk::pki;
using nlohmann::json;
using sdk::PluginError;
using std::chrono::seconds;

constexpr auto kClockSkew = seconds(60);
constexpr std::size_t kMaxCommonName = 64;  // RFC 5280 ub-common-name
constexpr int kMinRsaBits = 2048;

std::string stringMember(const json& request, const char* field) {
  auto it = request.find(field);
  if (it == request.end() || it->is_null()) return {};
  if (!it->is_string()) throw PluginError::rejected(std::string(field) + ": must be a string");
  return it->get<std::string>();
}

// A positive number of seconds, or nullopt when absent.
std::optional<seconds> secondsMember(const json& request, const char* field) {
  auto it = request.find(field);
  if (it == request.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() || it->get<long long>() <= 0)
    throw PluginError::rejected(std::string(field) + ": must be a positive integer (seconds)");
  return seconds(it->get<long long>());
}

pki::Csr parseCsr(const json& request) {
  const std::string pem = stringMember(request, "csr_pem");
  if (pem.empty()) throw PluginError::rejected("csr_pem: required");
  std::optional<pki::Csr> csr;
  try {
    csr.emplace(pki::Csr::fromPem(pem));
  } catch (const pki::PkiError& e) {
    throw PluginError::rejected(std::string("csr_pem: not a PEM certificate request (") + e.what() +
                                ")");
  }
  // The host verifies before it calls (a P-256 check is ~45 us, a large
  // share of an issuance); anyone else's request is checked here.
  const auto flag = request.find("csr_verified");
  const bool verifiedByHost = flag != request.end() && flag->is_boolean() && flag->get<bool>();
  if (!verifiedByHost && !csr->verifySignature()) {
    throw PluginError::rejected(
        "csr_pem: the CSR signature does not verify (no proof of possession of the key)");
  }
  if (csr->keyAlgorithm() == "RSA" && csr->keyBits() < kMinRsaBits) {
    throw PluginError::rejected("csr_pem: RSA keys below 2048 bits are refused (" +
                                std::to_string(csr->keyBits()) + " bits)");
  }
  return std::move(*csr);
}

}  // namespace

std::string randomSerialHex() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw pki::PkiError("RAND_bytes failed");
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x3F) | 0x40);
  return pki::hexEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                        true);
}

json issueCertificate(const CaMaterial& ca, const std::string& chainPem,
                      const LocalCaConfig& config, const json& request) {
  const pki::Csr csr = parseCsr(request);

  std::string commonName = stringMember(request, "common_name");
  if (commonName.empty()) commonName = csr.subjectCommonName();
  if (commonName.size() > kMaxCommonName)
    throw PluginError::rejected("common_name: longer than 64 characters");

  // The request's names win; the CSR's count only when the request has none.
  pki::SubjectAltNames sans = parseSans(request.contains("sans") ? request["sans"] : json());
  if (sans.empty()) {
    try {
      sans.merge(csr.subjectAltNames());
    } catch (const pki::PkiError& e) {
      throw PluginError::rejected(std::string("csr_pem: subjectAltName: ") + e.what());
    }
  }
  const std::vector<std::string> ekus = parseEkus(request);
  // A TLS server certificate without SANs does not verify in current clients:
  // a host name (or IP) in the CN becomes the SAN.
  if (sans.empty() && !commonName.empty() &&
      std::find(ekus.begin(), ekus.end(), "serverAuth") != ekus.end()) {
    try {
      sans.add(commonName);
    } catch (const pki::PkiError&) {
      // Not a host name: the certificate carries the CN alone.
    }
  }
  if (commonName.empty() && sans.empty())
    throw PluginError::rejected("common_name: required when there are no SANs");

  // Validity: the shortest of validity_days, ttl_seconds, max_ttl_seconds,
  // and never past the CA's own notAfter.
  seconds lifetime = std::chrono::days(config.validityDays);
  if (auto ttl = secondsMember(request, "ttl_seconds")) lifetime = std::min(lifetime, *ttl);
  if (auto cap = secondsMember(request, "max_ttl_seconds")) lifetime = std::min(lifetime, *cap);
  const auto now = std::chrono::system_clock::now();
  const auto notAfter = std::min(now + lifetime, ca.cert.notAfter());
  if (notAfter <= now) {
    throw PluginError::internal("the CA certificate expired on " +
                                formatRfc3339(ca.cert.notAfter()) + ": nothing can be issued");
  }

  pki::CertificateBuilder builder;
  try {
    if (!commonName.empty()) builder.commonName(commonName);
    builder.serialHex(randomSerialHex())
        .notBefore(now - kClockSkew)
        .notAfter(notAfter)
        .subjectAltNames(sans)
        .keyUsage(keyUsageFor(ekus, csr.keyAlgorithm() == "RSA"))
        .extendedKeyUsage(ekus)
        // RFC 3161 2.3: a time-stamping certificate's EKU is critical.
        .extendedKeyUsageCritical(ekus == std::vector<std::string>{"timeStamping"});
    if (const auto url = config.ocspUrl(); !url.empty()) builder.authorityInfoAccess(url);
    if (const auto url = config.crlUrl(); !url.empty()) builder.crlDistributionPoint(url);
  } catch (const pki::PkiError& e) {
    throw PluginError::rejected(e.what());
  }
  const pki::Certificate cert = builder.signWith(ca.cert, ca.key, csr);

  sdk::log(sdk::LogLevel::Debug, "local CA: issued serial " + cert.serialHex() + " for '" +
                                     commonName + "' until " + formatRfc3339(cert.notAfter()));
  return {{"cert_pem", cert.toPem()},
          {"chain_pem", chainPem},
          {"serial", cert.serialHex()},
          {"not_before", formatRfc3339(cert.notBefore())},
          {"not_after", formatRfc3339(cert.notAfter())}};
}

}  // namespace certctl::local_ca
