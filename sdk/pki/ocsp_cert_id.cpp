#include "sdk/pki/ocsp_cert_id.h"

#include <openssl/err.h>
#include <openssl/objects.h>

#include <cctype>
#include <memory>
#include <string>

#include "sdk/pki/certificate.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/openssl_ptr.h"

namespace certctl::sdk::pki {

namespace {

using EvpMdPtr = std::unique_ptr<EVP_MD, OpenSslDeleter<EVP_MD_free>>;

std::string digest(const EVP_MD* md, const unsigned char* data, std::size_t len) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int outLen = 0;
  if (EVP_Digest(data, len, out, &outLen, md, nullptr) != 1) throw PkiError("digest failed");
  return std::string(reinterpret_cast<const char*>(out), outLen);
}

// RFC 6960 4.1.1: the hash of the issuer's DER subject name and of its
// subjectPublicKey BIT STRING value (without tag, length and unused-bits).
void issuerHashes(const Certificate& issuer, const EVP_MD* md, std::string& nameHash,
                  std::string& keyHash) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_NAME(X509_get_subject_name(issuer.get()), &der);
  if (len <= 0) throw PkiError("cannot encode issuer name");
  const std::string name(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  nameHash = digest(md, reinterpret_cast<const unsigned char*>(name.data()), name.size());
  const ASN1_BIT_STRING* key = X509_get0_pubkey_bitstr(issuer.get());
  if (key == nullptr) throw PkiError("issuer has no public key");
  keyHash =
      digest(md, ASN1_STRING_get0_data(key), static_cast<std::size_t>(ASN1_STRING_length(key)));
}

EvpMdPtr fetchDigest(std::string_view name) {
  return EvpMdPtr(EVP_MD_fetch(nullptr, std::string(name).c_str(), nullptr));
}

std::string normalizedSerial(std::string_view hex) {
  std::string out;
  out.reserve(hex.size());
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      throw PkiError("serial must be hex: '" + std::string(hex) + "'");
    }
    if (out.empty() && c == '0') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (hex.empty()) throw PkiError("empty serial");
  if (out.size() > 40) throw PkiError("serial longer than 20 octets: '" + std::string(hex) + "'");
  return out.empty() ? "0" : out;
}

}  // namespace

OcspCertId OcspCertId::forSerial(const Certificate& issuer, std::string_view serialHex,
                                 std::string_view hashAlgorithm) {
  EvpMdPtr md = fetchDigest(hashAlgorithm);
  if (!md) throw PkiError("unknown OCSP CertID digest '" + std::string(hashAlgorithm) + "'");
  OcspCertId id;
  // The short name a parsed request reports, so the two compare equal.
  const char* sn = OBJ_nid2sn(EVP_MD_get_type(md.get()));
  if (sn == nullptr) throw PkiError("OCSP CertID digest has no object identifier");
  id.hashAlgorithm = sn;
  id.serialHex = normalizedSerial(serialHex);
  issuerHashes(issuer, md.get(), id.issuerNameHash, id.issuerKeyHash);
  return id;
}

bool OcspCertId::isIssuedBy(const Certificate& issuer) const {
  EvpMdPtr md = fetchDigest(hashAlgorithm);
  if (!md) {
    ERR_clear_error();
    return false;
  }
  std::string nameHash;
  std::string keyHash;
  issuerHashes(issuer, md.get(), nameHash, keyHash);
  return nameHash == issuerNameHash && keyHash == issuerKeyHash;
}

}  // namespace certctl::sdk::pki
