#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sdk/pki/openssl_ptr.h"
#include "sdk/pki/subject_alt_names.h"

namespace certctl::sdk::pki {

using X509ReqPtr = std::unique_ptr<X509_REQ, OpenSslDeleter<X509_REQ_free>>;

// A parsed PKCS#10 certificate signing request. CSRs arrive from agents, EST
// and SCEP clients, i.e. from outside: the parsers refuse anything that is
// not exactly one well-formed request with a usable public key, and nothing
// is trusted until verifySignature() says the requester holds the key.
class Csr {
 public:
  // Takes ownership; throws PkiError if `req` is null or has no public key
  // OpenSSL can decode.
  explicit Csr(X509ReqPtr req);
  // X509_REQ has no reference count, so a copy is a deep copy (the decoded
  // public key is shared).
  Csr(const Csr& other);
  Csr& operator=(const Csr& other);
  Csr(Csr&&) noexcept = default;
  Csr& operator=(Csr&&) noexcept = default;
  ~Csr() = default;

  // The first CERTIFICATE REQUEST (or NEW CERTIFICATE REQUEST) block.
  // The parsers decode the public key without OpenSSL's generic decoder
  // (see public_key_decoding.h): raw X509_REQ_get0_pubkey(get()) answers
  // nullptr on what they return; publicKey() is the key.
  static Csr fromPem(std::string_view pem);
  // Exactly one DER request; trailing bytes are refused.
  static Csr fromDer(std::string_view der);
  // Base64 of the DER, line breaks allowed: the body of an EST
  // simpleenroll (RFC 7030 4.2.1) and of agent uploads.
  static Csr fromBase64Der(std::string_view base64);

  std::string toPem() const;
  std::string toDer() const;

  // Proof of possession: the request's signature verifies under the public
  // key it carries. False (never a throw) for a tampered request.
  bool verifySignature() const;

  // "" when the subject has no CN.
  std::string subjectCommonName() const;
  // RFC 2253 form, most specific first ("CN=leaf,O=Example"), UTF-8.
  std::string subjectString() const;
  // From the requested subjectAltName extension (empty when none); throws
  // PkiError when that extension is present but malformed or repeated.
  SubjectAltNames subjectAltNames() const;
  // Short names ("subjectAltName", "keyUsage") or dotted OIDs of every
  // requested extension, in request order.
  std::vector<std::string> requestedExtensionNames() const;

  // Borrowed; valid while this Csr lives. Pass it to
  // CertificateBuilder::signWith or EVP_* calls; do not modify it.
  EVP_PKEY* publicKey() const;
  // SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
  std::string publicKeyPem() const;
  // SubjectPublicKeyInfo DER, as the request carries it.
  std::string publicKeyDer() const;
  // "RSA", "ECDSA", "Ed25519" (the names PrivateKey::algorithm() uses).
  std::string keyAlgorithm() const;
  // Modulus size for RSA, field size for EC, 256 for Ed25519.
  int keyBits() const;
  // NIST name where one exists ("P-256"), else OpenSSL's group name
  // ("brainpoolP256r1"); "" for a key that is not EC.
  std::string ecCurveName() const;

  // Borrowed; valid while this Csr lives.
  X509_REQ* get() const { return req_.get(); }

 private:
  Csr(X509ReqPtr req, EvpPkeyPtr key);

  X509ReqPtr req_;
  EvpPkeyPtr key_;  // never null
};

}  // namespace certctl::sdk::pki
