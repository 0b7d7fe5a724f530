#include "sdk/pki/public_key_decoding.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>

#include <map>
#include <string>
#include <string_view>

#include "sdk/pki/memory_bio.h"

namespace certctl::sdk::pki {

namespace {

// A library context with only the null provider: the X509_PUBKEY parser
// finds no decoder in it and leaves the key undecoded (it treats a key it
// cannot decode as "maybe later", not as an error). Never freed: parsed
// objects do not keep it, and tearing it down at exit would race with
// other static destructors.
OSSL_LIB_CTX* keylessContext() {
  static OSSL_LIB_CTX* ctx = [] {
    OSSL_LIB_CTX* c = OSSL_LIB_CTX_new();
    // Loading any provider stops the default one from being loaded implicitly.
    if (c != nullptr && OSSL_PROVIDER_load(c, "null") == nullptr) {
      OSSL_LIB_CTX_free(c);
      c = nullptr;
    }
    return c;
  }();
  return ctx;
}

template <typename T>
T* parseWithoutKey(const ASN1_ITEM* item, const unsigned char** der, long length) {
  OSSL_LIB_CTX* ctx = keylessContext();
  void* parsed = ctx != nullptr ? ASN1_item_d2i_ex(nullptr, der, length, item, ctx, nullptr)
                                : ASN1_item_d2i(nullptr, der, length, item);
  // The failed opportunistic key decode leaves entries behind.
  ERR_clear_error();
  return static_cast<T*>(parsed);
}

EvpPkeyPtr fromParams(const char* keyType, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX_free>> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, keyType, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

// An EC public key on a named curve. Building one from parameters makes
// OpenSSL build the curve's group from scratch (~13 us for P-256, most of a
// CSR's parse); a copy of a key on the same curve with its point replaced
// shares that work (~3 us). The point is checked to be on the curve either
// way. One template per curve and thread: a key is not shared across threads.
EvpPkeyPtr ecPublicKey(const char* curveName, const unsigned char* point, std::size_t length) {
  thread_local std::map<std::string, EvpPkeyPtr, std::less<>> templates;
  auto found = templates.find(std::string_view(curveName));
  if (found != templates.end()) {
    EvpPkeyPtr key(EVP_PKEY_dup(found->second.get()));
    if (key && EVP_PKEY_set1_encoded_public_key(key.get(), point, length) == 1) return key;
    ERR_clear_error();
    return nullptr;
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(curveName), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<unsigned char*>(point),
                                        length),
      OSSL_PARAM_construct_end()};
  EvpPkeyPtr key = fromParams("EC", params);
  if (key) {
    EVP_PKEY_up_ref(key.get());
    templates.emplace(curveName, EvpPkeyPtr(key.get()));
  }
  return key;
}

EvpPkeyPtr viaDecoder(const X509_PUBKEY* spki) {
  std::string der = subjectPublicKeyInfoDer(spki);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) ERR_clear_error();
  return key;
}

}  // namespace

X509_REQ* parseRequestWithoutKey(const unsigned char** der, long length) {
  return parseWithoutKey<X509_REQ>(ASN1_ITEM_rptr(X509_REQ), der, length);
}

X509* parseCertificateWithoutKey(const unsigned char** der, long length) {
  return parseWithoutKey<X509>(ASN1_ITEM_rptr(X509), der, length);
}

std::string subjectPublicKeyInfoDer(const X509_PUBKEY* spki) {
  unsigned char* buf = nullptr;
  int len = i2d_X509_PUBKEY(const_cast<X509_PUBKEY*>(spki), &buf);
  if (len <= 0) {
    ERR_clear_error();
    return {};
  }
  std::string der(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return der;
}

std::string subjectPublicKeyInfoPem(const X509_PUBKEY* spki) {
  BioPtr bio = newMemoryBio();
  if (PEM_write_bio_X509_PUBKEY(bio.get(), const_cast<X509_PUBKEY*>(spki)) != 1) {
    ERR_clear_error();
    return {};
  }
  return bioToString(bio.get());
}

EvpPkeyPtr decodePublicKey(const X509_PUBKEY* spki) {
  if (spki == nullptr) return nullptr;
  ASN1_OBJECT* algorithm = nullptr;
  const unsigned char* bytes = nullptr;
  int length = 0;
  X509_ALGOR* algor = nullptr;
  if (X509_PUBKEY_get0_param(&algorithm, &bytes, &length, &algor, spki) != 1 || bytes == nullptr ||
      length <= 0) {
    ERR_clear_error();
    return viaDecoder(spki);
  }
  const int nid = OBJ_obj2nid(algorithm);
  if (nid == NID_X9_62_id_ecPublicKey) {
    int paramType = V_ASN1_UNDEF;
    const void* param = nullptr;
    X509_ALGOR_get0(nullptr, &paramType, &param, algor);
    // A named curve; explicit parameters and SM2 (its own key type) take the
    // decoder's path.
    const int curve = paramType == V_ASN1_OBJECT
                          ? OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(param))
                          : NID_undef;
    const char* curveName = curve != NID_undef && curve != NID_sm2 ? OBJ_nid2sn(curve) : nullptr;
    if (curveName == nullptr) return viaDecoder(spki);
    return ecPublicKey(curveName, bytes, static_cast<std::size_t>(length));
  }
  const char* rawType = nid == NID_ED25519  ? "ED25519"
                        : nid == NID_ED448  ? "ED448"
                        : nid == NID_X25519 ? "X25519"
                        : nid == NID_X448   ? "X448"
                                            : nullptr;
  if (rawType != nullptr) {
    int paramType = V_ASN1_UNDEF;
    X509_ALGOR_get0(nullptr, &paramType, nullptr, algor);
    // RFC 8410: the parameters are absent; anything else is the decoder's to refuse.
    if (paramType != V_ASN1_UNDEF) return viaDecoder(spki);
    EvpPkeyPtr key(EVP_PKEY_new_raw_public_key_ex(nullptr, rawType, nullptr, bytes,
                                                  static_cast<size_t>(length)));
    if (!key) ERR_clear_error();
    return key;
  }
  return viaDecoder(spki);
}

}  // namespace certctl::sdk::pki
