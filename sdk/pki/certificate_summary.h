#pragma once

#include <string>
#include <vector>

#include "sdk/pki/certificate.h"

namespace certctl::sdk::pki {

// What an inventory shows of a certificate it did not issue (discovery):
// the same facts whichever side reads them, so the agent's report and the
// server's record of one file never disagree.
struct CertificateSummary {
  std::string fingerprintSha256;  // 64 lowercase hex characters of the DER's SHA-256
  std::string commonName;         // "" when the subject has no CN
  std::vector<std::string> sans;  // DNS names, IP addresses, e-mail addresses, URIs
  std::string serialNumber;       // uppercase hex (Certificate::serialHex)
  std::string subjectDn;          // RFC 2253
  std::string issuerDn;           // RFC 2253
  std::string notBefore;          // "YYYY-MM-DDTHH:MM:SSZ"
  std::string notAfter;           // "YYYY-MM-DDTHH:MM:SSZ"
  std::string keyAlgorithm;       // "RSA", "ECDSA", "Ed25519", ...; "" when undecodable
  int keyBits = 0;                // 0 when undecodable
  bool isCa = false;
};

CertificateSummary summarize(const Certificate& certificate);

// UTC with second precision, "YYYY-MM-DDTHH:MM:SSZ".
std::string formatUtc(std::chrono::system_clock::time_point time);

}  // namespace certctl::sdk::pki
