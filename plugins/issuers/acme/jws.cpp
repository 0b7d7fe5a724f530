#include "jws.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "sdk/pki/base64.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/openssl_ptr.h"
#include "sdk/pki/secure_file.h"
#include "sdk/pki/state_dir.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::acme {

namespace {

using nlohmann::json;
namespace pki = sdk::pki;

constexpr const char* kKeyFile = "account_key.pem";

std::string sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return {reinterpret_cast<const char*>(digest), sizeof digest};
}

// A coordinate of the public point as 32 big-endian bytes.
std::string coordinate(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) throw pki::PkiError("EC public key");
  pki::BignumPtr bn(raw);
  std::string out(32, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), 32) != 32)
    throw pki::PkiError("EC coordinate");
  return out;
}

std::string compact(const json& value) { return value.dump(); }

}  // namespace

AccountKey::AccountKey(pki::PrivateKey key) : key_(std::move(key)) {
  char group[64] = {};
  size_t len = 0;
  if (key_.algorithm() != "ECDSA" ||
      EVP_PKEY_get_utf8_string_param(key_.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &len) != 1 ||
      std::string_view(group, len) != "prime256v1")
    throw sdk::PluginError::internal("the ACME account key is not an ECDSA P-256 key");
  jwk_ = {{"crv", "P-256"},
          {"kty", "EC"},
          {"x", pki::base64UrlEncode(coordinate(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X))},
          {"y", pki::base64UrlEncode(coordinate(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y))}};
  // nlohmann::json keeps members sorted and dump() adds no blanks: the
  // canonical form RFC 7638 asks for.
  thumbprint_ = pki::base64UrlEncode(sha256(compact(jwk_)));
}

std::string AccountKey::signEs256(std::string_view data) const {
  pki::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1)
    throw pki::PkiError("ES256 init");
  size_t derLen = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &derLen, in, data.size()) != 1)
    throw pki::PkiError("ES256 size");
  std::string der(derLen, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &derLen, in,
                     data.size()) != 1)
    throw pki::PkiError("ES256 sign");
  // JWS wants r||s, OpenSSL gives a DER ECDSA-Sig-Value.
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(derLen)), &ECDSA_SIG_free);
  if (!sig) throw pki::PkiError("ES256 signature decoding");
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32) != 32)
    throw pki::PkiError("ES256 signature encoding");
  return raw;
}

AccountKey loadOrCreateAccountKey(const std::filesystem::path& dir) {
  if (dir.empty()) return AccountKey(pki::PrivateKey::generateEcP256());
  pki::ensurePrivateDirectory(dir);
  pki::StateDirLock lock(dir);
  const auto file = dir / kKeyFile;
  if (auto pem = pki::readFileIfExists(file)) return AccountKey(pki::PrivateKey::fromPem(*pem));
  auto key = pki::PrivateKey::generateEcP256();
  pki::writeFileAtomic(file, key.toPkcs8Pem());  // 0600
  return AccountKey(std::move(key));
}

json signJws(const AccountKey& key, json header, const json& payload) {
  header["alg"] = "ES256";
  const std::string protectedB64 = pki::base64UrlEncode(compact(header));
  const std::string payloadB64 = payload.is_null() ? "" : pki::base64UrlEncode(compact(payload));
  return {{"protected", protectedB64},
          {"payload", payloadB64},
          {"signature", pki::base64UrlEncode(key.signEs256(protectedB64 + "." + payloadB64))}};
}

json externalAccountBinding(const EabCredentials& eab, const json& jwk,
                            const std::string& newAccountUrl) {
  const std::string protectedB64 =
      pki::base64UrlEncode(compact({{"alg", "HS256"}, {"kid", eab.kid}, {"url", newAccountUrl}}));
  const std::string payloadB64 = pki::base64UrlEncode(compact(jwk));
  const std::string input = protectedB64 + "." + payloadB64;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLen = 0;
  if (HMAC(EVP_sha256(), eab.hmacKey.data(), static_cast<int>(eab.hmacKey.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
           &macLen) == nullptr)
    throw pki::PkiError("HS256");
  return {{"protected", protectedB64},
          {"payload", payloadB64},
          {"signature", pki::base64UrlEncode({reinterpret_cast<const char*>(mac), macLen})}};
}

std::string keyAuthorization(const std::string& token, const AccountKey& key) {
  return token + "." + key.thumbprint();
}

std::string dns01TxtValue(const std::string& keyAuthorization) {
  return pki::base64UrlEncode(sha256(keyAuthorization));
}

}  // namespace certctl::acme
