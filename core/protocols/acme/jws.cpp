#include "core/protocols/acme/jws.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include <algorithm>
#include <memory>

#include "core/protocols/acme/acme_problem.h"
#include "sdk/pki/base64.h"

namespace certctl::protocols::acme {

namespace {

using nlohmann::json;
namespace pki = sdk::pki;

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
constexpr std::size_t kMaxJwsBytes = 256 * 1024;

AcmeProblem badPublicKey(const std::string& detail) { return {"badPublicKey", 400, detail}; }

AcmeProblem badAlgorithm(const std::string& detail) {
  AcmeProblem p("badSignatureAlgorithm", 400, detail);
  p.extra["algorithms"] = supportedAlgorithms();
  return p;
}

std::string member(const json& object, const char* name, const char* what) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    throw malformed(std::string(what) + ": \"" + name + "\" must be a non-empty string");
  return it->get<std::string>();
}

std::string decode(const std::string& text, const char* what) {
  try {
    return pki::base64UrlDecode(text, what);
  } catch (const std::exception&) {
    throw malformed(std::string(what) + " is not base64url");
  }
}

std::string sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return {reinterpret_cast<const char*>(digest), sizeof digest};
}

struct ParamBuild {
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld{OSSL_PARAM_BLD_new(),
                                                                      &OSSL_PARAM_BLD_free};
};

pki::EvpPkeyPtr fromData(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld),
                                                                 &OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    throw badPublicKey("the JWK is not a valid public key");
  return pki::EvpPkeyPtr(key);
}

Jwk ecKey(const json& in) {
  std::string crv = member(in, "crv", "jwk");
  std::string x = decode(member(in, "x", "jwk"), "jwk x");
  std::string y = decode(member(in, "y", "jwk"), "jwk y");
  std::size_t size = 0;
  const char* group = nullptr;
  Jwk out;
  if (crv == "P-256") {
    size = 32, group = "prime256v1", out.alg = "ES256";
  } else if (crv == "P-384") {
    size = 48, group = "secp384r1", out.alg = "ES384";
  } else {
    throw badPublicKey("unsupported EC curve " + crv + " (P-256 or P-384)");
  }
  if (x.size() != size || y.size() != size)
    throw badPublicKey("the EC coordinates do not have the curve's size");
  std::string point = "\x04" + x + y;
  ParamBuild p;
  if (!p.bld ||
      OSSL_PARAM_BLD_push_utf8_string(p.bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(p.bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1)
    throw AcmeProblem("serverInternal", 500, "cannot build an EC key");
  out.key = fromData("EC", p.bld.get());
  out.json = {
      {"crv", crv}, {"kty", "EC"}, {"x", pki::base64UrlEncode(x)}, {"y", pki::base64UrlEncode(y)}};
  return out;
}

Jwk rsaKey(const json& in) {
  std::string n = decode(member(in, "n", "jwk"), "jwk n");
  std::string e = decode(member(in, "e", "jwk"), "jwk e");
  if (n.empty() || n[0] == '\0' || e.empty() || e[0] == '\0')
    throw badPublicKey("the RSA modulus and exponent must have no leading zero octets");
  pki::BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                              static_cast<int>(n.size()), nullptr));
  pki::BignumPtr be(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                              static_cast<int>(e.size()), nullptr));
  if (!bn || !be) throw badPublicKey("bad RSA key");
  int bits = BN_num_bits(bn.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits)
    throw badPublicKey("RSA keys must have 2048 to 8192 bits (got " + std::to_string(bits) + ")");
  if (!BN_is_odd(be.get()) || BN_num_bits(be.get()) < 2 || BN_num_bits(be.get()) > 33)
    throw badPublicKey("unacceptable RSA public exponent");
  ParamBuild p;
  if (!p.bld || OSSL_PARAM_BLD_push_BN(p.bld.get(), OSSL_PKEY_PARAM_RSA_N, bn.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(p.bld.get(), OSSL_PKEY_PARAM_RSA_E, be.get()) != 1)
    throw AcmeProblem("serverInternal", 500, "cannot build an RSA key");
  Jwk out;
  out.key = fromData("RSA", p.bld.get());
  out.alg = "RS256";
  out.json = {{"e", pki::base64UrlEncode(e)}, {"kty", "RSA"}, {"n", pki::base64UrlEncode(n)}};
  return out;
}

Jwk okpKey(const json& in) {
  std::string crv = member(in, "crv", "jwk");
  if (crv != "Ed25519") throw badPublicKey("unsupported OKP curve " + crv + " (Ed25519)");
  std::string x = decode(member(in, "x", "jwk"), "jwk x");
  if (x.size() != 32) throw badPublicKey("an Ed25519 key has 32 octets");
  Jwk out;
  out.key.reset(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size()));
  if (!out.key) throw badPublicKey("the JWK is not a valid Ed25519 key");
  out.alg = "EdDSA";
  out.json = {{"crv", crv}, {"kty", "OKP"}, {"x", pki::base64UrlEncode(x)}};
  return out;
}

// JWS ECDSA signatures are r||s; OpenSSL verifies a DER ECDSA-Sig-Value.
std::string ecdsaDer(const std::string& raw, std::size_t size) {
  if (raw.size() != 2 * size) throw malformed("the ECDSA signature has the wrong length");
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), &ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(p, static_cast<int>(size), nullptr);
  BIGNUM* s = BN_bin2bn(p + size, static_cast<int>(size), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    throw AcmeProblem("serverInternal", 500, "cannot decode the signature");
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) throw AcmeProblem("serverInternal", 500, "cannot encode the signature");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

const std::vector<std::string>& supportedAlgorithms() {
  static const std::vector<std::string> algorithms = {"ES256", "ES384", "RS256", "EdDSA"};
  return algorithms;
}

Jwk parseJwk(const json& in) {
  if (!in.is_object()) throw malformed("jwk must be a JSON object");
  if (in.contains("d") || in.contains("p") || in.contains("k"))
    throw badPublicKey("the JWK must be a public key");
  std::string kty = member(in, "kty", "jwk");
  Jwk out;
  if (kty == "EC") {
    out = ecKey(in);
  } else if (kty == "RSA") {
    out = rsaKey(in);
  } else if (kty == "OKP") {
    out = okpKey(in);
  } else {
    throw badPublicKey("unsupported key type " + kty + " (EC, RSA or OKP)");
  }
  out.thumbprint = pki::base64UrlEncode(sha256(canonicalJwk(out)));
  return out;
}

// nlohmann::json keeps object members sorted and dump() adds no blanks: the
// lexicographic, whitespace-free form RFC 7638 asks for.
std::string canonicalJwk(const Jwk& jwk) { return jwk.json.dump(); }

bool sameKey(const Jwk& a, const Jwk& b) { return a.thumbprint == b.thumbprint; }

json Jws::payloadObject() const {
  json value = json::parse(payload, nullptr, false);
  if (value.is_discarded() || !value.is_object())
    throw malformed("the JWS payload must be a JSON object");
  return value;
}

Jws parseJwsText(std::string_view body) {
  if (body.size() > kMaxJwsBytes) throw malformed("the JWS is too large");
  json value = json::parse(body, nullptr, false);
  if (value.is_discarded()) throw malformed("the request body is not JSON");
  return parseJws(value);
}

Jws parseJws(const json& body) {
  if (!body.is_object()) throw malformed("the JWS must be a JSON object (flattened serialization)");
  for (const auto& [name, value] : body.items())
    if (name != "protected" && name != "payload" && name != "signature")
      throw malformed("unexpected JWS member \"" + name +
                      "\" (flattened serialization with a protected header only)");
  auto field = [&](const char* name) -> std::string {
    auto it = body.find(name);
    if (it == body.end() || !it->is_string())
      throw malformed(std::string("the JWS needs a \"") + name + "\" string");
    return it->get<std::string>();
  };
  std::string protectedB64 = field("protected");
  std::string payloadB64 = field("payload");
  std::string signatureB64 = field("signature");

  Jws jws;
  jws.header = json::parse(decode(protectedB64, "the protected header"), nullptr, false);
  if (jws.header.is_discarded() || !jws.header.is_object())
    throw malformed("the protected header is not a JSON object");
  auto alg = jws.header.find("alg");
  if (alg == jws.header.end() || !alg->is_string())
    throw malformed("the protected header needs \"alg\"");
  jws.alg = alg->get<std::string>();
  const auto& supported = supportedAlgorithms();
  if (std::find(supported.begin(), supported.end(), jws.alg) == supported.end())
    throw badAlgorithm("unsupported JWS algorithm \"" + jws.alg + "\"");
  if (jws.header.contains("crit")) throw malformed("no \"crit\" extensions are supported");
  if (jws.header.contains("b64")) throw malformed("the \"b64\" header is not supported");
  jws.url = member(jws.header, "url", "protected header");
  if (jws.header.contains("nonce")) jws.nonce = member(jws.header, "nonce", "protected header");
  bool hasJwk = jws.header.contains("jwk"), hasKid = jws.header.contains("kid");
  if (hasJwk == hasKid) throw malformed("the protected header needs exactly one of jwk and kid");
  if (hasJwk) jws.jwk = parseJwk(jws.header["jwk"]);
  if (hasKid) jws.kid = member(jws.header, "kid", "protected header");

  jws.payload = payloadB64.empty() ? std::string() : decode(payloadB64, "the payload");
  jws.signature = decode(signatureB64, "the signature");
  if (jws.signature.empty()) throw malformed("the JWS has no signature");
  jws.signingInput = protectedB64 + "." + payloadB64;
  return jws;
}

void verifyJws(const Jws& jws, const Jwk& key) {
  if (jws.alg != key.alg)
    throw badAlgorithm("algorithm " + jws.alg + " does not match the key (" + key.alg + ")");
  const EVP_MD* md = nullptr;
  std::string signature = jws.signature;
  if (jws.alg == "ES256") {
    md = EVP_sha256(), signature = ecdsaDer(jws.signature, 32);
  } else if (jws.alg == "ES384") {
    md = EVP_sha384(), signature = ecdsaDer(jws.signature, 48);
  } else if (jws.alg == "RS256") {
    md = EVP_sha256();
  }  // EdDSA: no digest
  pki::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.key.get()) != 1)
    throw AcmeProblem("serverInternal", 500, "cannot set up signature verification");
  int ok = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(jws.signingInput.data()), jws.signingInput.size());
  ERR_clear_error();
  if (ok != 1) throw malformed("JWS signature verification failed");
}

}  // namespace certctl::protocols::acme
