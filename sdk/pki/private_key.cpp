#include "sdk/pki/private_key.h"

#include <openssl/pem.h>

#include <cstring>

#include "sdk/pki/memory_bio.h"
#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;

// PEM password callback: hands over the caller's passphrase, or fails at once
// (the default callback would block on a terminal prompt in a server).
int passphraseCallback(char* buf, int size, int /*rwflag*/, void* userdata) {
  const auto* pass = static_cast<const std::string_view*>(userdata);
  if (pass == nullptr || pass->empty() || pass->size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, pass->data(), pass->size());
  return static_cast<int>(pass->size());
}

}  // namespace

PrivateKey::PrivateKey(EvpPkeyPtr key) : key_(std::move(key)) {
  if (!key_) throw PkiError("null private key");
}

PrivateKey PrivateKey::generateEcP256() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) throw PkiError("EC P-256 key generation failed");
  return PrivateKey(std::move(key));
}

PrivateKey PrivateKey::generateEcP384() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  if (!key) throw PkiError("EC P-384 key generation failed");
  return PrivateKey(std::move(key));
}

PrivateKey PrivateKey::generateRsa(int bits) {
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    throw PkiError("RSA key size " + std::to_string(bits) + " outside " +
                   std::to_string(kMinRsaBits) + ".." + std::to_string(kMaxRsaBits));
  }
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  if (!key) throw PkiError("RSA key generation failed");
  return PrivateKey(std::move(key));
}

PrivateKey PrivateKey::generateEd25519() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) throw PkiError("Ed25519 key generation failed");
  return PrivateKey(std::move(key));
}

PrivateKey PrivateKey::fromPem(std::string_view pem, std::string_view passphrase) {
  BioPtr bio = memoryBioFrom(pem);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, passphraseCallback, &passphrase));
  if (!key) throw PkiError("cannot parse private key PEM");
  return PrivateKey(std::move(key));
}

std::string PrivateKey::toPkcs8Pem() const {
  BioPtr bio = newMemoryBio();
  if (PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw PkiError("cannot encode private key as PKCS#8 PEM");
  }
  return bioToString(bio.get());
}

std::string PrivateKey::publicKeyPem() const {
  BioPtr bio = newMemoryBio();
  if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    throw PkiError("cannot encode public key PEM");
  }
  return bioToString(bio.get());
}

std::string PrivateKey::algorithm() const {
  switch (EVP_PKEY_get_base_id(key_.get())) {
    case EVP_PKEY_EC:
      return "ECDSA";
    case EVP_PKEY_RSA:
      return "RSA";
    case EVP_PKEY_ED25519:
      return "Ed25519";
    case EVP_PKEY_ED448:
      return "Ed448";
    default:
      break;
  }
  const char* name = EVP_PKEY_get0_type_name(key_.get());
  return name != nullptr ? name : "unknown";
}

int PrivateKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

}  // namespace certctl::sdk::pki
