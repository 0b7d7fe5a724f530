#include "acme_issuer.h"

#include <ctime>

#include "order.h"
#include "renewal_info.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/revocation_reason.h"
#include "sdk/pki/secure_file.h"
#include "sdk/pki/state_dir.h"
#include "sdk/plugin/host.h"

namespace certctl::acme {

namespace {

using nlohmann::json;
using sdk::PluginError;
namespace pki = sdk::pki;

std::string utc(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

sdk::net::HttpsClient makeHttpClient(const AcmeConfig& config) {
  try {
    return sdk::net::HttpsClient({config.caBundlePath, std::chrono::seconds(30)});
  } catch (const sdk::net::HttpError& e) {
    throw PluginError::invalidConfig(std::string("ca_bundle_path: ") + e.what());
  }
}

AccountKey accountKey(const AcmeConfig& config) {
  try {
    return loadOrCreateAccountKey(config.stateDir);
  } catch (const std::filesystem::filesystem_error& e) {
    throw PluginError::internal(std::string("ACME account key: ") + e.what());
  } catch (const pki::PkiError& e) {
    throw PluginError::internal(std::string("ACME account key unreadable: ") + e.what());
  }
}

bool hexSerial(const std::string& s) {
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

std::string lowerHex(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The leaf of a certificate the host stores (lookup_certificate_by_serial).
std::string storedPem(const json& found) {
  const json cert = found.value("certificate", json::object());
  for (const char* key : {"cert_pem", "pem", "pem_chain", "certificate_pem"})
    if (cert.is_object() && cert.value(key, json()).is_string()) return cert[key];
  return {};
}

}  // namespace

AcmeIssuer::AcmeIssuer(const json& config)
    : AcmeIssuer(config, [](const std::string& hook, const std::string& function,
                            const json& args) { return sdk::runLuaHook(hook, function, args); }) {}

AcmeIssuer::AcmeIssuer(const json& config, HookRunner hooks)
    : config_(AcmeConfig::parse(config)),
      hooks_(std::move(hooks)),
      http_(makeHttpClient(config_)),
      key_(accountKey(config_)),
      client_(http_, config_.directoryUrl, key_) {}

json AcmeIssuer::validateConfig(const json& config) {
  const AcmeConfig parsed = AcmeConfig::parse(config);
  makeHttpClient(parsed);  // the CA bundle loads
  json warnings = json::array();
  if (parsed.challengeType == ChallengeType::Dns01 && parsed.dnsCleanupHook.empty())
    warnings.push_back("dns_cleanup_script is not set: _acme-challenge TXT records stay behind");
  if (parsed.challengeType == ChallengeType::Http01 && parsed.httpPort != 80)
    warnings.push_back("http_port is not 80: the CA validates on port 80, forward it to " +
                       std::to_string(parsed.httpPort));
  return warnings.empty() ? json::object() : json{{"warnings", warnings}};
}

json AcmeIssuer::issue(const json& request) {
  if (!request.is_object() || !request.value("csr_pem", json()).is_string())
    throw PluginError::rejected("csr_pem is required: an ACME CA signs a CSR");
  const std::string csrPem = request["csr_pem"];
  const auto identifiers = identifiersOf(csrPem);
  std::string csrDer;
  try {
    csrDer = pki::Csr::fromPem(csrPem).toDer();
  } catch (const pki::PkiError& e) {
    throw PluginError::rejected(std::string("csr_pem: ") + e.what());
  }
  client_.ensureAccount(config_.email, config_.eab);
  const auto solver = makeSolver(config_, hooks_);
  const FinishedOrder order =
      runOrder(client_, *solver, identifiers, csrDer, {config_.profile, config_.pollTimeout});

  std::vector<pki::Certificate> chain;
  try {
    chain = pki::Certificate::chainFromPem(order.chainPem);
  } catch (const pki::PkiError& e) {
    throw PluginError::retryable(std::string("the CA's certificate download is malformed: ") +
                                 e.what());
  }
  if (chain.empty()) throw PluginError::retryable("the CA's certificate download is empty");
  const pki::Certificate& leaf = chain.front();
  std::string chainPem;
  for (std::size_t i = 1; i < chain.size(); ++i) chainPem += chain[i].toPem();
  const std::string certPem = leaf.toPem();
  const std::string serial = lowerHex(leaf.serialHex());
  if (!config_.stateDir.empty()) {
    // Kept for revoke: the host's revoke request carries only the serial.
    try {
      pki::ensurePrivateDirectory(config_.stateDir / "certs");
      pki::writeFileAtomic(config_.stateDir / "certs" / (serial + ".pem"), certPem);
    } catch (const std::filesystem::filesystem_error& e) {
      sdk::log(sdk::LogLevel::Warn,
               std::string("cannot keep the certificate for revocation: ") + e.what());
    }
  }
  json result = {{"cert_pem", certPem},
                 {"chain_pem", chainPem},
                 {"serial", serial},
                 {"not_before", utc(leaf.notBefore())},
                 {"not_after", utc(leaf.notAfter())},
                 {"order_id", order.orderUrl}};
  if (config_.ariEnabled) result["renewal_info"] = fetchRenewalInfo(client_, certPem);
  return result;
}

std::string AcmeIssuer::certificateFor(const std::string& serial, const json& request) {
  if (request.value("cert_pem", json()).is_string()) return request["cert_pem"];
  if (!config_.stateDir.empty()) {
    if (auto pem = pki::readFileIfExists(config_.stateDir / "certs" / (serial + ".pem")))
      return *pem;
  }
  try {
    const std::string pem = storedPem(sdk::lookupCertificateBySerial(serial));
    if (!pem.empty()) return pem;
  } catch (const PluginError& e) {
    sdk::log(sdk::LogLevel::Debug, std::string("certificate lookup: ") + e.what());
  }
  throw PluginError::rejected("serial " + serial +
                              ": no certificate issued through this ACME issuer has it (ACME "
                              "revocation needs the certificate itself)");
}

json AcmeIssuer::revoke(const json& request) {
  const std::string serial = lowerHex(request.value("serial", std::string()));
  if (!hexSerial(serial)) throw PluginError::rejected("serial must be hex digits");
  int reason = 0;
  const json r = request.value("reason", json());
  if (r.is_string() && !r.get<std::string>().empty()) {
    const auto parsed = pki::parseRevocationReason(r.get<std::string>());
    if (!parsed) throw PluginError::rejected("reason: unknown revocation reason " + r.dump());
    reason = static_cast<int>(*parsed);
  } else if (r.is_number_integer()) {
    if (!pki::revocationReasonFromCode(r.get<int>()))
      throw PluginError::rejected("reason: unknown revocation reason code " + r.dump());
    reason = r.get<int>();
  }
  std::string der;
  try {
    const auto cert =
        pki::Certificate::fromPem(certificateFor(serial, request), pki::KeyDecoding::Deferred);
    if (lowerHex(cert.serialHex()) != serial)
      throw PluginError::rejected("cert_pem does not have serial " + serial);
    der = cert.toDer();
  } catch (const pki::PkiError& e) {
    throw PluginError::rejected(std::string("the stored certificate is unreadable: ") + e.what());
  }
  client_.ensureAccount(config_.email, config_.eab);
  json payload = {{"certificate", pki::base64UrlEncode(der)}};
  if (reason != 0) payload["reason"] = reason;  // some CAs refuse an explicit "unspecified"
  client_.post(client_.resource("revokeCert"), payload);
  return json::object();
}

json AcmeIssuer::testConnection(const json&) {
  const json& directory = client_.directory();
  json meta = directory.value("meta", json::object());
  std::string message = "ACME directory " + config_.directoryUrl + " reachable";
  if (meta.is_object() && meta.value("externalAccountRequired", false))
    message += "; the CA requires External Account Binding" +
               std::string(config_.eab ? " (configured)" : " (eab_kid/eab_hmac NOT set)");
  return {{"ok", true}, {"message", message}};
}

}  // namespace certctl::acme
