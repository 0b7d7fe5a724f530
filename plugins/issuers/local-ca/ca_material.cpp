#include "ca_material.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <system_error>

#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/openssl_error.h"
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
using sdk::PluginError;

constexpr auto kSelfSignedCaValidity = std::chrono::days(3650);
constexpr auto kPublicFile =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

bool hasKeyUsage(const pki::Certificate& cert, const char* name) {
  const auto names = cert.keyUsageNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

pki::PrivateKey generateKey(const std::string& algorithm) {
  if (algorithm == "ECDSA-P256") return pki::PrivateKey::generateEcP256();
  if (algorithm == "ECDSA-P384") return pki::PrivateKey::generateEcP384();
  if (algorithm == "RSA-2048") return pki::PrivateKey::generateRsa(2048);
  if (algorithm == "RSA-3072") return pki::PrivateKey::generateRsa(3072);
  if (algorithm == "RSA-4096") return pki::PrivateKey::generateRsa(4096);
  throw PluginError::invalidConfig("ca_key_algorithm: unsupported " + algorithm);
}

// The file's content for a configured path; InvalidConfig naming `field`.
std::string readConfiguredFile(const std::string& path, const char* field) {
  try {
    auto data = readFileIfExists(path);
    if (!data)
      throw PluginError::invalidConfig(std::string(field) + ": " + path + " does not exist");
    return *data;
  } catch (const fs::filesystem_error& e) {
    throw PluginError::invalidConfig(std::string(field) + ": cannot read " + path + ": " +
                                     e.code().message());
  }
}

// The CA's signing key in the state dir must stay private; someone widened it.
void keepPrivate(const fs::path& keyFile) {
  std::error_code ec;
  const auto perms = fs::status(keyFile, ec).permissions();
  if (ec || (perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none) return;
  fs::permissions(keyFile, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace, ec);
  sdk::log(sdk::LogLevel::Warn,
           "local CA: " + keyFile.string() + " was readable by group or others; reset to 0600");
}

pki::Certificate createSelfSignedCert(const pki::PrivateKey& key, const std::string& commonName) {
  return pki::CertificateBuilder()
      .commonName(commonName)
      .ca(true, 0)  // issues end-entity certificates (and its OCSP responder) only
      .keyUsage(pki::KeyUsage::KeyCertSign | pki::KeyUsage::CrlSign)
      .validFor(kSelfSignedCaValidity)
      .selfSign(key);
}

}  // namespace

std::string_view modeName(CaMode mode) { return mode == CaMode::SubCa ? "sub-ca" : "self-signed"; }

std::string CaMaterial::chainPem() const {
  std::string pem = cert.toPem();
  for (const auto& c : upstream) pem += c.toPem();
  return pem;
}

CaMaterial loadSubCa(const LocalCaConfig& config) {
  const std::string certPem = readConfiguredFile(config.caCertPath, "ca_cert_path");
  std::vector<pki::Certificate> chain;
  try {
    chain = pki::Certificate::chainFromPem(certPem);
  } catch (const pki::PkiError& e) {
    throw PluginError::invalidConfig("ca_cert_path: " + config.caCertPath +
                                     " is not a PEM certificate file (" + e.what() + ")");
  }
  if (chain.empty())
    throw PluginError::invalidConfig("ca_cert_path: " + config.caCertPath +
                                     " holds no certificate");
  pki::Certificate cert = chain.front();
  const std::string subject = cert.subjectString();
  if (!cert.isCa()) {
    throw PluginError::invalidConfig("ca_cert_path: " + subject +
                                     " is not a CA certificate (basicConstraints CA=TRUE missing)");
  }
  if (!hasKeyUsage(cert, "keyCertSign")) {
    throw PluginError::invalidConfig("ca_cert_path: " + subject +
                                     " may not sign certificates (keyUsage lacks keyCertSign)");
  }
  if (cert.notAfter() <= std::chrono::system_clock::now()) {
    throw PluginError::invalidConfig("ca_cert_path: " + subject + " expired on " +
                                     formatRfc3339(cert.notAfter()));
  }

  const std::string keyPem = readConfiguredFile(config.caKeyPath, "ca_key_path");
  std::optional<pki::PrivateKey> key;
  try {
    key.emplace(pki::PrivateKey::fromPem(keyPem));
  } catch (const pki::PkiError&) {
    // The OpenSSL detail is left out on purpose: it is about secret material.
    throw PluginError::invalidConfig("ca_key_path: " + config.caKeyPath +
                                     " is not an unencrypted PEM private key (PKCS#8, or "
                                     "traditional RSA/EC)");
  }
  if (!cert.matchesKey(*key)) {
    throw PluginError::invalidConfig("ca_key_path: the key in " + config.caKeyPath +
                                     " does not match the certificate in ca_cert_path (" + subject +
                                     ")");
  }
  chain.erase(chain.begin());
  return CaMaterial{CaMode::SubCa, std::move(*key), std::move(cert), std::move(chain)};
}

CaMaterial loadOrCreateSelfSigned(const LocalCaConfig& config) {
  if (config.stateDir.empty()) {
    throw PluginError::invalidConfig(
        "host.state_dir: the self-signed CA needs a directory to keep its key in (the server "
        "sets it; set ca_cert_path and ca_key_path for sub-CA mode)");
  }
  const fs::path dir = config.stateDir;
  const fs::path keyFile = dir / kCaKeyFile;
  const fs::path certFile = dir / kCaCertFile;
  try {
    ensurePrivateDirectory(dir);
    StateDirLock lock(dir);
    const auto keyPem = readFileIfExists(keyFile);
    const auto certPem = readFileIfExists(certFile);
    if (certPem && !keyPem) {
      throw PluginError::internal("local CA: " + certFile.string() + " exists without " +
                                  kCaKeyFile + ": restore the key from a backup, or move " +
                                  kCaCertFile + " away to create a new CA");
    }

    std::optional<pki::PrivateKey> key;
    if (keyPem) {
      try {
        key.emplace(pki::PrivateKey::fromPem(*keyPem));
      } catch (const pki::PkiError&) {
        throw PluginError::internal("local CA: " + keyFile.string() +
                                    " is not a readable PEM private key");
      }
      keepPrivate(keyFile);
    }
    if (certPem) {
      std::optional<pki::Certificate> parsed;
      try {
        parsed.emplace(pki::Certificate::fromPem(*certPem));
      } catch (const pki::PkiError& e) {
        throw PluginError::internal("local CA: " + certFile.string() +
                                    " is not a readable PEM certificate (" + e.what() + ")");
      }
      pki::Certificate cert = std::move(*parsed);
      if (!cert.matchesKey(*key) || !cert.isCa()) {
        throw PluginError::internal("local CA: " + certFile.string() +
                                    " is not the CA certificate of " + keyFile.string());
      }
      if (cert.subjectCommonName() != config.caCommonName) {
        sdk::log(sdk::LogLevel::Info, "local CA: keeping the existing CA " + cert.subjectString() +
                                          " (ca_common_name applies when a CA is created)");
      }
      return CaMaterial{CaMode::SelfSigned, std::move(*key), std::move(cert), {}};
    }

    // First use, or a crash between writing the key and the certificate (then
    // the key is kept: nothing was issued under it yet).
    if (!key) {
      key.emplace(generateKey(config.caKeyAlgorithm));
      pki::writeFileAtomic(keyFile, key->toPkcs8Pem());
    }
    pki::Certificate cert = createSelfSignedCert(*key, config.caCommonName);
    pki::writeFileAtomic(certFile, cert.toPem(), kPublicFile);
    sdk::log(sdk::LogLevel::Info, "local CA: created self-signed CA " + cert.subjectString() +
                                      " (" + key->algorithm() + " " + std::to_string(key->bits()) +
                                      ", serial " + cert.serialHex() + ", valid until " +
                                      formatRfc3339(cert.notAfter()) + ") in " + dir.string());
    return CaMaterial{CaMode::SelfSigned, std::move(*key), std::move(cert), {}};
  } catch (const fs::filesystem_error& e) {
    throw PluginError::internal("local CA: state directory " + dir.string() + ": " + e.what());
  } catch (const pki::PkiError& e) {
    throw PluginError::internal(std::string("local CA: ") + e.what());
  }
}

CaMaterial loadCa(const LocalCaConfig& config) {
  return config.subCa() ? loadSubCa(config) : loadOrCreateSelfSigned(config);
}

std::vector<std::string> caWarnings(const CaMaterial& ca, const LocalCaConfig& config) {
  std::vector<std::string> warnings;
  if (!ca.cert.keyUsageNames().empty() && !hasKeyUsage(ca.cert, "cRLSign")) {
    warnings.push_back(
        "ca_cert_path: the CA certificate lacks the cRLSign key usage, so this "
        "issuer cannot sign CRLs");
  }
  const auto fullValidity =
      std::chrono::system_clock::now() + std::chrono::days(config.validityDays);
  if (ca.cert.notAfter() < fullValidity) {
    warnings.push_back("the CA certificate expires on " + formatRfc3339(ca.cert.notAfter()) +
                       ", before validity_days runs out: certificates are cut off at that date");
  }
  if (ca.mode == CaMode::SubCa) {
    std::error_code ec;
    const auto perms = fs::status(config.caKeyPath, ec).permissions();
    if (!ec && (perms & fs::perms::others_all) != fs::perms::none) {
      warnings.push_back("ca_key_path: " + config.caKeyPath +
                         " is readable by other users; make it 0600 or 0640");
    }
  }
  if (!ca.upstream.empty() && !ca.cert.isSignedBy(ca.upstream.front())) {
    warnings.push_back(
        "ca_cert_path: the second certificate in the file did not sign the first; "
        "chain_pem will not verify as given");
  }
  return warnings;
}

}  // namespace certctl::local_ca
