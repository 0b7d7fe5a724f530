#include "renewal_info.h"

#include <openssl/x509v3.h>

#include <regex>

#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/plugin/host.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::acme {

namespace {

using nlohmann::json;
using sdk::PluginError;

json threshold(const std::string& reason) { return {{"source", "threshold"}, {"reason", reason}}; }

bool rfc3339(const json& value) {
  static const std::regex form(
      R"(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))");
  return value.is_string() && std::regex_match(value.get<std::string>(), form);
}

}  // namespace

std::string ariCertId(const std::string& certPem) {
  try {
    const auto cert = sdk::pki::Certificate::fromPem(certPem, sdk::pki::KeyDecoding::Deferred);
    const ASN1_OCTET_STRING* keyId = X509_get0_authority_key_id(cert.get());
    if (keyId == nullptr || ASN1_STRING_length(keyId) == 0)
      throw PluginError::rejected("the certificate has no authority key identifier (ARI needs it)");
    // The serial's DER encoding minus its tag and length: the content
    // octets, with the leading 0x00 of a positive number whose top bit is set.
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
    unsigned char* der = nullptr;
    const int len = i2d_ASN1_INTEGER(serial, &der);
    if (len < 3) throw sdk::pki::PkiError("serial number encoding");
    std::string encoded(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    const std::size_t header = (static_cast<unsigned char>(encoded[1]) & 0x80) != 0
                                   ? 2 + (static_cast<unsigned char>(encoded[1]) & 0x7f)
                                   : 2;
    return sdk::pki::base64UrlEncode({reinterpret_cast<const char*>(ASN1_STRING_get0_data(keyId)),
                                      static_cast<std::size_t>(ASN1_STRING_length(keyId))}) +
           "." + sdk::pki::base64UrlEncode(encoded.substr(header));
  } catch (const sdk::pki::PkiError& e) {
    throw PluginError::rejected(std::string("certificate: ") + e.what());
  }
}

json fetchRenewalInfo(AcmeClient& client, const std::string& certPem) {
  const std::string base = client.resource("renewalInfo");
  if (base.empty()) return threshold("the CA offers no renewalInfo (ARI)");
  const std::string url = base + (base.back() == '/' ? "" : "/") + ariCertId(certPem);
  AcmeResponse r;
  try {
    r = client.get(url);
  } catch (const PluginError& e) {
    sdk::log(sdk::LogLevel::Warn, std::string("ARI request failed: ") + e.what());
    return threshold(std::string("ARI request failed: ") + e.what());
  }
  if (r.status == 404) return threshold("the CA has no renewal information for this certificate");
  const json window = r.body.is_object() ? r.body.value("suggestedWindow", json()) : json();
  if (r.status != 200 || !window.is_object() || !rfc3339(window.value("start", json())) ||
      !rfc3339(window.value("end", json())))
    return threshold("malformed renewalInfo answer (HTTP " + std::to_string(r.status) + ")");
  json out = {{"source", "ari"},
              {"suggested_window", {{"start", window["start"]}, {"end", window["end"]}}}};
  if (r.body.value("explanationURL", json()).is_string())
    out["explanation_url"] = r.body["explanationURL"];
  if (!r.retryAfter.empty() && r.retryAfter.size() < 9 &&
      r.retryAfter.find_first_not_of("0123456789") == std::string::npos)
    out["retry_after_seconds"] = std::stol(r.retryAfter);
  return out;
}

}  // namespace certctl::acme
