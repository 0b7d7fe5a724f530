// HelloCA: the smallest useful certctl issuer. It keeps an in-memory
// self-signed ECDSA P-256 CA per configured issuer and signs CSRs with it.
// Demo only: the CA is lost on restart and nothing is revoked.
#include <chrono>
#include <string>

#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/private_key.h"
#include "sdk/plugin/plugin.h"

using nlohmann::json;
namespace sdk = certctl::sdk;
namespace pki = certctl::sdk::pki;

class HelloIssuer : public sdk::Issuer {
 public:
  explicit HelloIssuer(const json& config)
      : caKey_(pki::PrivateKey::generateEcP256()),
        caCert_(pki::CertificateBuilder()
                    .commonName(config.value("ca_name", std::string("Hello CA")))
                    .ca(true, 0)
                    .keyUsage(pki::KeyUsage::KeyCertSign | pki::KeyUsage::CrlSign)
                    .validFor(std::chrono::hours(24 * 365))
                    .selfSign(caKey_)) {}

  json issue(const json& request) override {
    const auto csr = pki::Csr::fromPem(request.at("csr_pem").get<std::string>());
    if (!csr.verifySignature()) throw sdk::PluginError::rejected("CSR signature does not verify");
    const auto cn = request.value("common_name", csr.subjectCommonName());
    sdk::log(sdk::LogLevel::Info, "HelloCA issuing for " + cn);

    pki::CertificateBuilder builder;
    builder.commonName(cn).validFor(std::chrono::hours(24 * 90)).serverAuth();
    for (const auto& name : request.value("sans", json::array()))
      builder.subjectAltName(name.get<std::string>());
    const auto cert = builder.signWith(caCert_, caKey_, csr);
    return {{"cert_pem", cert.toPem()}, {"chain_pem", caCert_.toPem()},
            {"serial", cert.serialHex()}};
  }

  json getCaChain(const json&) override { return {{"chain_pem", caCert_.toPem()}}; }

 private:
  pki::PrivateKey caKey_;
  pki::Certificate caCert_;
};

CERTCTL_EXPORT_ISSUER(HelloIssuer, "HelloCA", "1.0.0", R"({
  "type": "object",
  "properties": {"ca_name": {"type": "string", "description": "Subject CN of the in-memory CA"}}
})")
