#pragma once

#include <string>
#include <string_view>

#include "sdk/pki/openssl_ptr.h"

namespace certctl::sdk::pki {

// An owned private key (EVP_PKEY). Move-only: a key is a secret with one
// owner; share it by reference.
class PrivateKey {
 public:
  // Takes ownership; throws PkiError if `key` is null.
  explicit PrivateKey(EvpPkeyPtr key);

  static PrivateKey generateEcP256();
  static PrivateKey generateEcP384();
  // RSA below 2048 bits is refused (NIST SP 800-131A); above 16384 is refused
  // because generation would take minutes.
  static PrivateKey generateRsa(int bits);
  static PrivateKey generateEd25519();

  // PKCS#8 ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY") or traditional
  // ("RSA/EC PRIVATE KEY"). An encrypted key without `passphrase` fails
  // instead of prompting on the terminal.
  static PrivateKey fromPem(std::string_view pem, std::string_view passphrase = {});

  // Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
  std::string toPkcs8Pem() const;
  // SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
  std::string publicKeyPem() const;

  // "ECDSA", "RSA", "Ed25519"; OpenSSL's type name for anything else.
  std::string algorithm() const;
  // Key size as OpenSSL reports it: 256 for P-256 and Ed25519, the modulus
  // size for RSA.
  int bits() const;

  // Borrowed; valid while this PrivateKey lives.
  EVP_PKEY* get() const { return key_.get(); }

 private:
  EvpPkeyPtr key_;
};

}  // namespace certctl::sdk::pki
