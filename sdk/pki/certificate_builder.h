#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdk/pki/certificate.h"
#include "sdk/pki/subject_alt_names.h"

namespace certctl::sdk::pki {

class Csr;
class PrivateKey;

// keyUsage bits (RFC 5280 4.2.1.3) for CertificateBuilder::keyUsage,
// combined with |. Named as RFC 5280 and Certificate::keyUsageNames() do.
enum class KeyUsage : unsigned {
  DigitalSignature = 1U << 0,
  ContentCommitment = 1U << 1,  // formerly nonRepudiation
  KeyEncipherment = 1U << 2,
  DataEncipherment = 1U << 3,
  KeyAgreement = 1U << 4,
  KeyCertSign = 1U << 5,
  CrlSign = 1U << 6,
  EncipherOnly = 1U << 7,
  DecipherOnly = 1U << 8,
};

constexpr KeyUsage operator|(KeyUsage a, KeyUsage b) {
  return static_cast<KeyUsage>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr KeyUsage& operator|=(KeyUsage& a, KeyUsage b) { return a = a | b; }

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
  // An rfc822Name ("user@example.com"); the S/MIME profile needs one.
  CertificateBuilder& emailAddress(std::string email);
  // A uniformResourceIdentifier ("spiffe://trust.example/workload").
  CertificateBuilder& uri(std::string uri);
  // An IP literal goes to ipAddress, anything else to dnsName.
  CertificateBuilder& subjectAltName(std::string_view name);
  // Appends every entry of `names` (e.g. the SANs of a CSR), validated as
  // by the setters above.
  CertificateBuilder& subjectAltNames(const SubjectAltNames& names);

  // basicConstraints (always critical). pathLen < 0: no constraint. Also
  // selects the default keyUsage profile (unless keyUsage() sets one):
  // keyCertSign|cRLSign for a CA, digitalSignature (+ keyEncipherment for
  // RSA) for a leaf.
  CertificateBuilder& ca(bool isCa, int pathLen = -1);

  // Replaces the keyUsage profile ca() selects with exactly `usage` (still
  // critical). Throws PkiError when no bit is set: RFC 5280 forbids an
  // empty keyUsage.
  CertificateBuilder& keyUsage(KeyUsage usage);

  // extendedKeyUsage entries in the order given; none set: no extension.
  // serverAuth/clientAuth add (on) or remove (off) one entry.
  CertificateBuilder& serverAuth(bool on = true);
  CertificateBuilder& clientAuth(bool on = true);
  // Replaces the list: "serverAuth", "clientAuth", "emailProtection",
  // "codeSigning", "timeStamping", "OCSPSigning", "anyExtendedKeyUsage", or
  // a dotted OID; throws PkiError on anything else.
  CertificateBuilder& extendedKeyUsage(const std::vector<std::string>& purposes);
  // Marks extendedKeyUsage critical (default: not). RFC 3161 2.3 requires it
  // of a time-stamping authority's certificate, and OpenSSL refuses such a
  // certificate for timestamp signing without it.
  CertificateBuilder& extendedKeyUsageCritical(bool on = true);

  // authorityInfoAccess: where relying parties find the OCSP responder and
  // the issuer certificate. Either may be "" (left out), not both; each must
  // be an absolute URI.
  CertificateBuilder& authorityInfoAccess(std::string ocspUrl, std::string caIssuersUrl = {});
  // Adds a cRLDistributionPoints entry (fullName URI); may be repeated.
  CertificateBuilder& crlDistributionPoint(std::string url);
  // id-pkix-ocsp-nocheck, for OCSP responder certificates (RFC 6960
  // 4.2.2.2.1): clients do not ask about the responder's own status.
  CertificateBuilder& ocspNoCheck(bool on = true);

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
  // Certifies the public key of `csr` and nothing else from it: subject,
  // SANs and extensions are what this builder was given, so the caller
  // decides what of the request to honour. Nor is the CSR's signature
  // checked here: call Csr::verifySignature() first (once per request, it
  // is the costliest step of issuance).
  Certificate signWith(const Certificate& issuer, const PrivateKey& issuerKey,
                       const Csr& csr) const;

 private:
  // `subjectInfo`, when given, is copied as the certificate's
  // SubjectPublicKeyInfo instead of encoding `subjectPublicKey` anew.
  Certificate build(const Certificate* issuer, const PrivateKey& signingKey,
                    EVP_PKEY* subjectPublicKey, const X509_PUBKEY* subjectInfo = nullptr) const;
  void setPurpose(const std::string& name, bool on);

  std::string commonName_;
  std::string organization_;
  std::optional<std::string> serialHex_;
  std::optional<TimePoint> notBefore_;
  std::optional<TimePoint> notAfter_;
  SubjectAltNames sans_;
  bool ca_ = false;
  int pathLen_ = -1;
  std::optional<KeyUsage> keyUsage_;
  std::vector<std::string> extendedKeyUsage_;  // short names or dotted OIDs
  bool extendedKeyUsageCritical_ = false;
  std::string ocspUrl_;
  std::string caIssuersUrl_;
  std::vector<std::string> crlDistributionPoints_;
  bool ocspNoCheck_ = false;
};

}  // namespace certctl::sdk::pki
