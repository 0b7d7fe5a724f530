#pragma once

// A minimal ACME client key for tests (unit and integration): makes keys of
// every algorithm the server accepts, their JWKs, and flattened JWS
// documents, including deliberately broken ones.

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "sdk/pki/base64.h"
#include "sdk/pki/openssl_ptr.h"

namespace certctl::testing::acme {

class TestSigner {
 public:
  // "ES256", "ES384", "RS256" or "EdDSA".
  explicit TestSigner(std::string alg = "ES256") : alg_(std::move(alg)) {
    EVP_PKEY* key = nullptr;
    if (alg_ == "ES256")
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    else if (alg_ == "ES384")
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
    else if (alg_ == "RS256")
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    else if (alg_ == "EdDSA")
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (!key) throw std::runtime_error("keygen " + alg_);
    key_.reset(key);
  }

  // The key of a PEM private key file (EC P-256/P-384, RSA or Ed25519).
  static TestSigner fromPem(const std::string& pem) {
    sdk::pki::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!key) throw std::runtime_error("not a PEM private key");
    std::string alg = "EdDSA";
    if (EVP_PKEY_is_a(key, "RSA")) alg = "RS256";
    if (EVP_PKEY_is_a(key, "EC")) alg = EVP_PKEY_get_bits(key) > 256 ? "ES384" : "ES256";
    return TestSigner(alg, key);
  }

  const std::string& alg() const { return alg_; }
  EVP_PKEY* key() const { return key_.get(); }

  nlohmann::json jwk() const {
    namespace pki = sdk::pki;
    if (alg_ == "ES256" || alg_ == "ES384") {
      std::size_t size = alg_ == "ES256" ? 32 : 48;
      return {{"kty", "EC"},
              {"crv", alg_ == "ES256" ? "P-256" : "P-384"},
              {"x", pki::base64UrlEncode(bn(OSSL_PKEY_PARAM_EC_PUB_X, size))},
              {"y", pki::base64UrlEncode(bn(OSSL_PKEY_PARAM_EC_PUB_Y, size))}};
    }
    if (alg_ == "RS256")
      return {{"kty", "RSA"},
              {"n", pki::base64UrlEncode(bn(OSSL_PKEY_PARAM_RSA_N, 0))},
              {"e", pki::base64UrlEncode(bn(OSSL_PKEY_PARAM_RSA_E, 0))}};
    unsigned char raw[32];
    std::size_t len = sizeof raw;
    EVP_PKEY_get_raw_public_key(key_.get(), raw, &len);
    return {{"kty", "OKP"},
            {"crv", "Ed25519"},
            {"x", pki::base64UrlEncode({reinterpret_cast<const char*>(raw), len})}};
  }

  // The raw JWS signature of `input` with this key.
  std::string sign(const std::string& input) const {
    const EVP_MD* md = alg_ == "ES384" ? EVP_sha384() : alg_ == "EdDSA" ? nullptr : EVP_sha256();
    sdk::pki::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1)
      throw std::runtime_error("sign init");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                       input.size()) != 1)
      throw std::runtime_error("sign");
    sig.resize(len);
    if (alg_ != "ES256" && alg_ != "ES384") return sig;
    std::size_t size = alg_ == "ES256" ? 32 : 48;
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string out(2 * size, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), o, static_cast<int>(size));
    BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), o + size, static_cast<int>(size));
    ECDSA_SIG_free(ecdsa);
    return out;
  }

  // A flattened JWS of `payload` ("" = POST-as-GET) under `header` (alg is
  // added unless set).
  nlohmann::json jws(nlohmann::json header, const std::string& payload) const {
    namespace pki = sdk::pki;
    if (!header.contains("alg")) header["alg"] = alg_;
    std::string protectedB64 = pki::base64UrlEncode(header.dump());
    std::string payloadB64 = payload.empty() ? std::string() : pki::base64UrlEncode(payload);
    return {{"protected", protectedB64},
            {"payload", payloadB64},
            {"signature", pki::base64UrlEncode(sign(protectedB64 + "." + payloadB64))}};
  }

 private:
  TestSigner(std::string alg, EVP_PKEY* key) : alg_(std::move(alg)), key_(key) {}

  std::string bn(const char* name, std::size_t size) const {
    BIGNUM* raw = nullptr;
    EVP_PKEY_get_bn_param(key_.get(), name, &raw);
    sdk::pki::BignumPtr value(raw);
    std::size_t bytes = size ? size : static_cast<std::size_t>(BN_num_bytes(value.get()));
    std::string out(bytes, '\0');
    BN_bn2binpad(value.get(), reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(bytes));
    return out;
  }

  std::string alg_;
  sdk::pki::EvpPkeyPtr key_;
};

}  // namespace certctl::testing::acme
