#include "sdk/deploy/certificate_material.h"

#include <openssl/crypto.h>

#include <vector>

#include "sdk/deploy/deploy_error.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/private_key.h"

namespace certctl::sdk::deploy {

using nlohmann::json;

namespace {

std::string stringMember(const json& request, const char* key) {
  auto it = request.find(key);
  if (it == request.end() || it->is_null()) return {};
  if (!it->is_string()) throw DeployError::rejected(std::string(key) + ": must be a string");
  return it->get<std::string>();
}

}  // namespace

CertificateMaterial CertificateMaterial::fromRequest(const json& request, bool keyRequired) {
  if (!request.is_object()) throw DeployError::rejected("the deploy request must be a JSON object");
  CertificateMaterial m;
  const std::string certText = stringMember(request, "cert_pem");
  const std::string chainText = stringMember(request, "chain_pem");
  std::string keyText = stringMember(request, "key_pem");

  if (certText.find_first_not_of(" \t\r\n") == std::string::npos)
    throw DeployError::rejected("cert_pem: the certificate is missing");
  std::vector<pki::Certificate> certs;
  try {
    certs = pki::Certificate::chainFromPem(certText);
  } catch (const std::exception& e) {
    throw DeployError::rejected(std::string("cert_pem: not a PEM certificate: ") + e.what());
  }
  std::vector<pki::Certificate> chain(certs.begin() + 1, certs.end());
  try {
    for (auto& c : pki::Certificate::chainFromPem(chainText)) chain.push_back(std::move(c));
  } catch (const std::exception& e) {
    throw DeployError::rejected(std::string("chain_pem: not PEM certificates: ") + e.what());
  }

  const pki::Certificate& leaf = certs.front();
  // Re-encoded: one canonical form, so an identical redeploy is byte-identical.
  m.certPem = leaf.toPem();
  for (const auto& c : chain) m.chainPem += c.toPem();
  m.fingerprintSha256 = leaf.sha256FingerprintHex();
  m.serial = leaf.serialHex();
  m.subject = leaf.subjectString();
  m.notAfter = leaf.notAfter();

  if (keyText.find_first_not_of(" \t\r\n") == std::string::npos) {
    OPENSSL_cleanse(keyText.data(), keyText.size());
    if (keyRequired)
      throw DeployError::rejected(
          "key_pem: the private key is missing (the agent adds it from its key store)");
    return m;
  }
  try {
    pki::PrivateKey key = pki::PrivateKey::fromPem(keyText);
    if (!leaf.matchesKey(key))
      throw DeployError::rejected("key_pem: the private key does not belong to the certificate " +
                                  m.subject + " (serial " + m.serial + ")");
    m.keyPem = key.toPkcs8Pem();
  } catch (const DeployError&) {
    OPENSSL_cleanse(keyText.data(), keyText.size());
    throw;
  } catch (const std::exception&) {
    OPENSSL_cleanse(keyText.data(), keyText.size());
    throw DeployError::rejected(
        "key_pem: not an unencrypted PEM private key (PKCS#8 or traditional RSA/EC)");
  }
  OPENSSL_cleanse(keyText.data(), keyText.size());
  return m;
}

void wipe(CertificateMaterial& material) {
  if (!material.keyPem.empty()) OPENSSL_cleanse(material.keyPem.data(), material.keyPem.size());
  material.keyPem.clear();
}

}  // namespace certctl::sdk::deploy
