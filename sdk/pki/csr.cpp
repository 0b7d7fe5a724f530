#include "sdk/pki/csr.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/memory_bio.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"
#include "sdk/pki/public_key_decoding.h"

namespace certctl::sdk::pki {

namespace {

// The extensionRequest attribute. OpenSSL 3 answers an empty stack when the
// request has none and nullptr only when the attribute is malformed.
ExtensionsPtr requestedExtensions(X509_REQ* req) {
  ExtensionsPtr exts(X509_REQ_get_extensions(req));
  if (!exts) throw PkiError("malformed extension request in CSR");
  return exts;
}

}  // namespace

namespace {

// The key OpenSSL decoded while parsing, else our own decode of the SPKI.
EvpPkeyPtr publicKeyOf(X509_REQ* req) {
  if (req == nullptr) return nullptr;
  if (EVP_PKEY* decoded = X509_REQ_get0_pubkey(req)) {
    EVP_PKEY_up_ref(decoded);
    return EvpPkeyPtr(decoded);
  }
  ERR_clear_error();
  return decodePublicKey(X509_REQ_get_X509_PUBKEY(req));
}

X509ReqPtr parseDer(const unsigned char** p, long length) {
  return X509ReqPtr(parseRequestWithoutKey(p, length));
}

}  // namespace

Csr::Csr(X509ReqPtr req) : Csr(std::move(req), nullptr) {}

Csr::Csr(X509ReqPtr req, EvpPkeyPtr key) : req_(std::move(req)), key_(std::move(key)) {
  if (!req_) throw PkiError("null CSR");
  if (!key_) key_ = publicKeyOf(req_.get());
  if (!key_) throw PkiError("CSR public key not decodable");
  // Decode the extensions once here, so a damaged request is refused at the
  // door and the accessors below cannot fail on it later.
  subjectAltNames();
}

Csr::Csr(const Csr& other) {
  std::string der = other.toDer();
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  req_ = parseDer(&p, static_cast<long>(der.size()));
  if (!req_) throw PkiError("cannot copy CSR");
  EVP_PKEY_up_ref(other.key_.get());
  key_.reset(other.key_.get());
}

Csr& Csr::operator=(const Csr& other) {
  if (this != &other) *this = Csr(other);
  return *this;
}

Csr Csr::fromPem(std::string_view pem) {
  BioPtr bio = memoryBioFrom(pem);
  // Accepts both "CERTIFICATE REQUEST" and the older "NEW CERTIFICATE REQUEST"
  // (as PEM_read_bio_X509_REQ does), the first such block.
  char* name = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  if (PEM_bytes_read_bio(&data, &length, &name, PEM_STRING_X509_REQ, bio.get(), nullptr, nullptr) !=
      1)
    throw PkiError("cannot parse CSR PEM");
  OPENSSL_free(name);
  const unsigned char* p = data;
  X509ReqPtr req = parseDer(&p, length);
  OPENSSL_free(data);
  if (!req) throw PkiError("cannot parse CSR PEM");
  return Csr(std::move(req));
}

Csr Csr::fromDer(std::string_view der) {
  if (der.size() > static_cast<size_t>(LONG_MAX)) throw PkiError("CSR DER too large");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  X509ReqPtr req = parseDer(&p, static_cast<long>(der.size()));
  if (!req) throw PkiError("cannot parse CSR DER");
  if (p != end) throw PkiError("trailing bytes after CSR DER");
  return Csr(std::move(req));
}

Csr Csr::fromBase64Der(std::string_view base64) { return fromDer(base64Decode(base64, "CSR")); }

std::string Csr::toPem() const {
  BioPtr bio = newMemoryBio();
  if (PEM_write_bio_X509_REQ(bio.get(), req_.get()) != 1) throw PkiError("cannot encode CSR");
  return bioToString(bio.get());
}

std::string Csr::toDer() const {
  unsigned char* buf = nullptr;
  int len = i2d_X509_REQ(req_.get(), &buf);
  if (len <= 0) throw PkiError("cannot DER-encode CSR");
  std::string der(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return der;
}

bool Csr::verifySignature() const {
  bool ok = X509_REQ_verify_ex(req_.get(), publicKey(), nullptr, nullptr) == 1;
  ERR_clear_error();  // a bad signature is an answer, not an error to report later
  return ok;
}

std::string Csr::subjectCommonName() const {
  return distinguishedNameCommonName(X509_REQ_get_subject_name(req_.get()));
}

std::string Csr::subjectString() const {
  return distinguishedNameString(X509_REQ_get_subject_name(req_.get()));
}

SubjectAltNames Csr::subjectAltNames() const {
  ExtensionsPtr exts = requestedExtensions(req_.get());
  int crit = -1;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(exts.get(), NID_subject_alt_name, &crit, nullptr)));
  // crit: -1 absent, -2 more than once, >= 0 with a null value: undecodable.
  if (!names && crit != -1) {
    throw PkiError(crit == -2 ? "CSR requests subjectAltName more than once"
                              : "malformed subjectAltName in CSR");
  }
  ERR_clear_error();
  return SubjectAltNames::fromGeneralNames(names.get());
}

std::vector<std::string> Csr::requestedExtensionNames() const {
  std::vector<std::string> out;
  ExtensionsPtr exts = requestedExtensions(req_.get());
  for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
    const ASN1_OBJECT* obj = X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts.get(), i));
    if (int nid = OBJ_obj2nid(obj); nid != NID_undef) {
      out.emplace_back(OBJ_nid2sn(nid));
      continue;
    }
    char text[128] = {};
    if (OBJ_obj2txt(text, sizeof text, obj, 1) > 0) out.emplace_back(text);
  }
  return out;
}

EVP_PKEY* Csr::publicKey() const { return key_.get(); }

std::string Csr::publicKeyPem() const {
  std::string pem = subjectPublicKeyInfoPem(X509_REQ_get_X509_PUBKEY(req_.get()));
  if (pem.empty()) throw PkiError("cannot encode CSR public key");
  return pem;
}

std::string Csr::publicKeyDer() const {
  std::string der = subjectPublicKeyInfoDer(X509_REQ_get_X509_PUBKEY(req_.get()));
  if (der.empty()) throw PkiError("cannot encode CSR public key");
  return der;
}

std::string Csr::keyAlgorithm() const {
  // PrivateKey holds the one table of algorithm names; it works on a public
  // key too. The extra reference is dropped with the temporary.
  EVP_PKEY* key = publicKey();
  EVP_PKEY_up_ref(key);
  return PrivateKey(EvpPkeyPtr(key)).algorithm();
}

int Csr::keyBits() const { return EVP_PKEY_get_bits(publicKey()); }

std::string Csr::ecCurveName() const {
  EVP_PKEY* key = publicKey();
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return {};
  char group[80] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) !=
      1) {
    // Explicit curve parameters instead of a named group: nothing to name.
    ERR_clear_error();
    return {};
  }
  const char* nist = EC_curve_nid2nist(OBJ_txt2nid(group));
  return nist != nullptr ? nist : group;
}

}  // namespace certctl::sdk::pki
