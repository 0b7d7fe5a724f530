#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sdk/pki/openssl_ptr.h"
#include "sdk/pki/subject_alt_names.h"

namespace certctl::sdk::pki {

class Csr;
class PrivateKey;

// Whether a parser decodes the subject public key at once (OpenSSL's
// default, ~80 µs per key in OpenSSL 3.0) or only when the Certificate API
// needs it (publicKey(), keyAlgorithm(), matchesKey() …): for reading the
// fields of certificates on a hot path. On a Deferred certificate, raw
// OpenSSL calls on get() that need the key (X509_get0_pubkey,
// X509_check_private_key, chain verification) do not see it.
enum class KeyDecoding { Eager, Deferred };

// The text forms of a distinguished name, shared with Csr so a subject reads
// the same whether it came from a request or a certificate.
// RFC 2253, most specific first ("CN=leaf,O=Example"), UTF-8 unescaped.
std::string distinguishedNameString(const X509_NAME* name);
// The first CN as UTF-8, "" when there is none.
std::string distinguishedNameCommonName(const X509_NAME* name);

// A parsed X.509 certificate. Immutable once built, so copies share the
// underlying X509 through OpenSSL's reference count instead of re-parsing.
class Certificate {
 public:
  // Takes ownership; throws PkiError if `cert` is null.
  explicit Certificate(X509Ptr cert);
  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;
  ~Certificate() = default;

  // The first CERTIFICATE block of `pem`.
  static Certificate fromPem(std::string_view pem, KeyDecoding keys = KeyDecoding::Eager);
  // Exactly one DER certificate; trailing bytes are refused.
  static Certificate fromDer(std::string_view der, KeyDecoding keys = KeyDecoding::Eager);
  // Every CERTIFICATE block in order (leaf first, as servers send them).
  // Blank input gives an empty vector; non-blank input without a certificate,
  // or with a malformed block, throws.
  static std::vector<Certificate> chainFromPem(std::string_view pem,
                                               KeyDecoding keys = KeyDecoding::Eager);

  std::string toPem() const;
  std::string toDer() const;

  // "" when the subject has no CN.
  std::string subjectCommonName() const;
  // RFC 2253 form, most specific first ("CN=leaf,O=Example"), UTF-8.
  std::string subjectString() const;
  std::string issuerString() const;
  // Uppercase hex without colons or leading zeros ("0" for zero).
  std::string serialHex() const;
  std::chrono::system_clock::time_point notBefore() const;
  std::chrono::system_clock::time_point notAfter() const;
  // SAN dNSName entries in certificate order.
  std::vector<std::string> dnsNames() const;
  // SAN iPAddress entries in textual form ("10.0.0.1", "::1").
  std::vector<std::string> ipAddresses() const;
  // SAN rfc822Name entries in certificate order.
  std::vector<std::string> emailAddresses() const;
  // SAN uniformResourceIdentifier entries in certificate order.
  std::vector<std::string> uris() const;
  // All four SAN kinds at once (one decode instead of four).
  SubjectAltNames subjectAltNames() const;
  // basicConstraints cA=TRUE.
  bool isCa() const;
  // basicConstraints pathLenConstraint, -1 when absent.
  long pathLength() const;
  // keyUsage bits by their RFC 5280 names, in bit order: digitalSignature,
  // contentCommitment, keyEncipherment, dataEncipherment, keyAgreement,
  // keyCertSign, cRLSign, encipherOnly, decipherOnly. Empty when absent.
  std::vector<std::string> keyUsageNames() const;
  // extendedKeyUsage purposes in certificate order by OpenSSL's short name
  // ("serverAuth", "clientAuth", "emailProtection", "codeSigning",
  // "timeStamping", "OCSPSigning"), dotted OID when unnamed. Empty when absent.
  std::vector<std::string> extendedKeyUsageNames() const;
  // authorityInfoAccess URIs: id-ad-ocsp and id-ad-caIssuers.
  std::vector<std::string> ocspUrls() const;
  std::vector<std::string> caIssuersUrls() const;
  // cRLDistributionPoints fullName URIs.
  std::vector<std::string> crlDistributionPoints() const;
  // id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1): the OCSP responder certificate
  // a client trusts without checking its own revocation.
  bool hasOcspNoCheck() const;
  // Subject key: "RSA", "ECDSA", "Ed25519" (as PrivateKey::algorithm()) and
  // its size (modulus bits, curve field bits, 256 for Ed25519).
  std::string keyAlgorithm() const;
  int keyBits() const;
  // SHA-256 of the DER, 64 lowercase hex characters.
  std::string sha256FingerprintHex() const;
  // The certificate's SubjectPublicKeyInfo as PEM.
  std::string publicKeyPem() const;
  // The certificate's SubjectPublicKeyInfo as DER.
  std::string publicKeyDer() const;
  // The subject public key (decoded on first use when the certificate
  // came from a Deferred parse or from CertificateBuilder::signWith(csr));
  // throws PkiError when it cannot be decoded. Borrowed; valid while any copy
  // of this Certificate lives.
  EVP_PKEY* publicKey() const;
  // True when the certificate certifies the public key `csr` carries.
  bool hasPublicKeyOf(const Csr& csr) const;

  // True when `key` is the private half of this certificate's public key.
  bool matchesKey(const PrivateKey& key) const;
  // True when `issuer`'s public key verifies this certificate's signature
  // (signature only: no validity, name or chain checks).
  bool isSignedBy(const Certificate& issuer) const;

  // Borrowed; valid while any copy of this Certificate lives. Do not modify:
  // copies share it.
  X509* get() const { return cert_.get(); }

  // Same DER encoding.
  bool operator==(const Certificate& other) const;

 private:
  // The subject key when X509 holds none, decoded once and shared by copies.
  struct KeyCache {
    std::once_flag once;
    EvpPkeyPtr key;
  };

  X509Ptr cert_;
  std::shared_ptr<KeyCache> key_;
};

}  // namespace certctl::sdk::pki
