#include "sdk/pki/certificate_summary.h"

#include <ctime>

namespace certctl::sdk::pki {

std::string formatUtc(std::chrono::system_clock::time_point time) {
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32] = {};
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

CertificateSummary summarize(const Certificate& certificate) {
  CertificateSummary s;
  s.fingerprintSha256 = certificate.sha256FingerprintHex();
  s.commonName = certificate.subjectCommonName();
  auto names = certificate.subjectAltNames();
  for (const auto* kind :
       {&names.dnsNames(), &names.ipAddresses(), &names.emailAddresses(), &names.uris()})
    s.sans.insert(s.sans.end(), kind->begin(), kind->end());
  s.serialNumber = certificate.serialHex();
  s.subjectDn = certificate.subjectString();
  s.issuerDn = certificate.issuerString();
  s.notBefore = formatUtc(certificate.notBefore());
  s.notAfter = formatUtc(certificate.notAfter());
  try {
    // A foreign certificate may carry a key type OpenSSL cannot decode: the
    // other facts are still worth reporting.
    s.keyAlgorithm = certificate.keyAlgorithm();
    s.keyBits = certificate.keyBits();
  } catch (const std::exception&) {
    s.keyAlgorithm.clear();
    s.keyBits = 0;
  }
  s.isCa = certificate.isCa();
  return s;
}

}  // namespace certctl::sdk::pki
