#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdk/pki/certificate.h"

namespace certctl::sdk::pki {

class PrivateKey;

// Builds and signs X.509 v3 certificates with the profile certctl issues:
// SHA-256 signatures, critical basicConstraints and keyUsage, subject and
// authority key identifiers. Setters validate their input at once so a bad
// SAN fails where it was given, not at signing time.
class CertificateBuilder {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  CertificateBuilder& commonName(std::string cn);
  CertificateBuilder& organization(std::string o);

  // Uppercase or lowercase hex, positive, at most 20 octets (RFC 5280).
  // Default: 128 random bits, fresh for every signature.
  CertificateBuilder& serialHex(std::string_view hex);

  // Default notBefore is now - 5 min so clients with a slightly slow clock
  // accept a certificate issued a moment ago.
  CertificateBuilder& notBefore(TimePoint t);
  CertificateBuilder& notAfter(TimePoint t);
  // notAfter = now + d.
  CertificateBuilder& validFor(std::chrono::seconds d);

  // A DNS name (a leading "*." wildcard label is allowed).
  CertificateBuilder& dnsName(std::string name);
  // An IPv4 or IPv6 literal; throws PkiError otherwise.
  CertificateBuilder& ipAddress(std::string_view ip);
  // An IP literal goes to ipAddress, anything else to dnsName.
  CertificateBuilder& subjectAltName(std::string_view name);

  // basicConstraints (always critical). pathLen < 0: no constraint. Also
  // selects the keyUsage profile: keyCertSign|cRLSign for a CA,
  // digitalSignature (+ keyEncipherment for RSA) for a leaf.
  CertificateBuilder& ca(bool isCa, int pathLen = -1);

  // extendedKeyUsage entries; none set: no extension.
  CertificateBuilder& serverAuth(bool on = true);
  CertificateBuilder& clientAuth(bool on = true);

  // Issuer = subject, signed by `key`.
  Certificate selfSign(const PrivateKey& key) const;
  // Signed by `issuerKey`, which must match `issuer`; the certificate carries
  // the public half of `subjectPublic`.
  Certificate signWith(const Certificate& issuer, const PrivateKey& issuerKey,
                       const PrivateKey& subjectPublic) const;
  // As above for a subject key known only by its public half (from a CSR).
  // `subjectPublicKey` is borrowed for the call.
  Certificate signWith(const Certificate& issuer, const PrivateKey& issuerKey,
                       EVP_PKEY* subjectPublicKey) const;

 private:
  Certificate build(const Certificate* issuer, const PrivateKey& signingKey,
                    EVP_PKEY* subjectPublicKey) const;

  std::string commonName_;
  std::string organization_;
  std::optional<std::string> serialHex_;
  std::optional<TimePoint> notBefore_;
  std::optional<TimePoint> notAfter_;
  std::vector<std::string> dnsNames_;
  std::vector<std::string> ipAddresses_;  // raw 4- or 16-byte network order
  bool ca_ = false;
  int pathLen_ = -1;
  bool serverAuth_ = false;
  bool clientAuth_ = false;
};

}  // namespace certctl::sdk::pki
