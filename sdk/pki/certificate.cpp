#include "sdk/pki/certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>

#include "sdk/pki/csr.h"
#include "sdk/pki/fingerprint.h"
#include "sdk/pki/memory_bio.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"
#include "sdk/pki/public_key_decoding.h"

namespace certctl::sdk::pki {

namespace {

std::chrono::system_clock::time_point asn1TimeToTimePoint(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) throw PkiError("invalid certificate time");
  using namespace std::chrono;
  // Calendar arithmetic instead of timegm(): portable and immune to TZ.
  const sys_days day = year{tm.tm_year + 1900} / month{static_cast<unsigned>(tm.tm_mon + 1)} /
                       std::chrono::day{static_cast<unsigned>(tm.tm_mday)};
  return system_clock::time_point(day) + hours{tm.tm_hour} + minutes{tm.tm_min} +
         seconds{tm.tm_sec};
}

// Decodes extension `nid` into its OpenSSL type, nullptr when absent. A
// malformed extension also reads as absent: the accessors describe a
// certificate that is already issued, and must not throw on a foreign one.
template <typename Ptr>
Ptr decodeExtension(X509* cert, int nid) {
  Ptr value(static_cast<typename Ptr::pointer>(X509_get_ext_d2i(cert, nid, nullptr, nullptr)));
  if (!value) ERR_clear_error();
  return value;
}

using AuthorityInfoAccessPtr =
    std::unique_ptr<AUTHORITY_INFO_ACCESS, OpenSslDeleter<AUTHORITY_INFO_ACCESS_free>>;

std::string asn1StringBytes(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

std::vector<std::string> accessUrls(X509* cert, int method) {
  std::vector<std::string> out;
  auto aia = decodeExtension<AuthorityInfoAccessPtr>(cert, NID_info_access);
  for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
    const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
    if (OBJ_obj2nid(ad->method) == method && ad->location->type == GEN_URI) {
      out.push_back(asn1StringBytes(ad->location->d.uniformResourceIdentifier));
    }
  }
  return out;
}

// keyUsage bits as X509_get_key_usage() reports them, in RFC 5280 bit order.
struct KeyUsageName {
  uint32_t bit;
  const char* name;
};
constexpr KeyUsageName kKeyUsageNames[] = {
    {KU_DIGITAL_SIGNATURE, "digitalSignature"},
    {KU_NON_REPUDIATION, "contentCommitment"},
    {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
    {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
    {KU_KEY_AGREEMENT, "keyAgreement"},
    {KU_KEY_CERT_SIGN, "keyCertSign"},
    {KU_CRL_SIGN, "cRLSign"},
    {KU_ENCIPHER_ONLY, "encipherOnly"},
    {KU_DECIPHER_ONLY, "decipherOnly"},
};

X509Ptr parseDer(const unsigned char** p, long length, KeyDecoding keys) {
  if (keys == KeyDecoding::Deferred) return X509Ptr(parseCertificateWithoutKey(p, length));
  return X509Ptr(d2i_X509(nullptr, p, length));
}

X509Ptr readPem(BIO* bio, KeyDecoding keys) {
  if (keys == KeyDecoding::Eager) return X509Ptr(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  char* name = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  if (PEM_bytes_read_bio(&data, &length, &name, PEM_STRING_X509, bio, nullptr, nullptr) != 1)
    return nullptr;
  OPENSSL_free(name);
  const unsigned char* p = data;
  X509Ptr cert = parseDer(&p, length, keys);
  OPENSSL_free(data);
  return cert;
}

bool isBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

}  // namespace

std::string distinguishedNameString(const X509_NAME* name) {
  BioPtr bio = newMemoryBio();
  // RFC 2253 escaping, but UTF-8 passed through instead of \XX-escaped.
  constexpr unsigned long kFlags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (X509_NAME_print_ex(bio.get(), name, 0, kFlags) < 0) throw PkiError("cannot print name");
  return bioToString(bio.get());
}

std::string distinguishedNameCommonName(const X509_NAME* name) {
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) throw PkiError("cannot decode subject CN");
  std::string cn(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return cn;
}

Certificate::Certificate(X509Ptr cert)
    : cert_(std::move(cert)), key_(std::make_shared<KeyCache>()) {
  if (!cert_) throw PkiError("null certificate");
}

Certificate::Certificate(const Certificate& other) : cert_(other.cert_.get()), key_(other.key_) {
  X509_up_ref(cert_.get());
}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) {
    X509_up_ref(other.cert_.get());
    cert_.reset(other.cert_.get());
    key_ = other.key_;
  }
  return *this;
}

Certificate Certificate::fromPem(std::string_view pem, KeyDecoding keys) {
  BioPtr bio = memoryBioFrom(pem);
  X509Ptr cert = readPem(bio.get(), keys);
  if (!cert) throw PkiError("cannot parse certificate PEM");
  return Certificate(std::move(cert));
}

Certificate Certificate::fromDer(std::string_view der, KeyDecoding keys) {
  if (der.size() > static_cast<size_t>(LONG_MAX)) throw PkiError("certificate DER too large");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  X509Ptr cert = parseDer(&p, static_cast<long>(der.size()), keys);
  if (!cert) throw PkiError("cannot parse certificate DER");
  if (p != end) throw PkiError("trailing bytes after certificate DER");
  return Certificate(std::move(cert));
}

std::vector<Certificate> Certificate::chainFromPem(std::string_view pem, KeyDecoding keys) {
  std::vector<Certificate> chain;
  if (isBlank(pem)) return chain;
  BioPtr bio = memoryBioFrom(pem);
  ERR_clear_error();
  for (;;) {
    X509Ptr cert = readPem(bio.get(), keys);
    if (!cert) break;
    chain.emplace_back(std::move(cert));
  }
  // Running out of blocks reports "no start line"; anything else is damage.
  unsigned long err = ERR_peek_last_error();
  if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE &&
      !chain.empty()) {
    ERR_clear_error();
    return chain;
  }
  throw PkiError(chain.empty() ? "no certificate in PEM"
                               : "malformed certificate #" + std::to_string(chain.size() + 1) +
                                     " in PEM chain");
}

std::string Certificate::toPem() const {
  BioPtr bio = newMemoryBio();
  if (PEM_write_bio_X509(bio.get(), cert_.get()) != 1) throw PkiError("cannot encode certificate");
  return bioToString(bio.get());
}

std::string Certificate::toDer() const {
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert_.get(), &buf);
  if (len <= 0) throw PkiError("cannot DER-encode certificate");
  std::string der(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return der;
}

std::string Certificate::subjectCommonName() const {
  return distinguishedNameCommonName(X509_get_subject_name(cert_.get()));
}

std::string Certificate::subjectString() const {
  return distinguishedNameString(X509_get_subject_name(cert_.get()));
}

std::string Certificate::issuerString() const {
  return distinguishedNameString(X509_get_issuer_name(cert_.get()));
}

std::string Certificate::serialHex() const {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr));
  if (!bn) throw PkiError("cannot read serial number");
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) throw PkiError("cannot format serial number");
  std::string out(hex);
  OPENSSL_free(hex);
  // BN_bn2hex pads to whole octets ("03AB"); serials are compared as text
  // across CRL/OCSP/inventory, so use the one canonical form without them.
  auto firstDigit = out.find_first_not_of('0');
  return firstDigit == std::string::npos ? "0" : out.substr(firstDigit);
}

std::chrono::system_clock::time_point Certificate::notBefore() const {
  return asn1TimeToTimePoint(X509_get0_notBefore(cert_.get()));
}

std::chrono::system_clock::time_point Certificate::notAfter() const {
  return asn1TimeToTimePoint(X509_get0_notAfter(cert_.get()));
}

SubjectAltNames Certificate::subjectAltNames() const {
  auto names = decodeExtension<GeneralNamesPtr>(cert_.get(), NID_subject_alt_name);
  return SubjectAltNames::fromGeneralNames(names.get());
}

std::vector<std::string> Certificate::dnsNames() const { return subjectAltNames().dnsNames(); }

std::vector<std::string> Certificate::ipAddresses() const {
  return subjectAltNames().ipAddresses();
}

std::vector<std::string> Certificate::emailAddresses() const {
  return subjectAltNames().emailAddresses();
}

std::vector<std::string> Certificate::uris() const { return subjectAltNames().uris(); }

std::vector<std::string> Certificate::keyUsageNames() const {
  std::vector<std::string> out;
  // UINT32_MAX means "no keyUsage extension" (every usage allowed).
  const uint32_t bits = X509_get_key_usage(cert_.get());
  if (bits == UINT32_MAX) return out;
  for (const auto& ku : kKeyUsageNames) {
    if ((bits & ku.bit) != 0) out.emplace_back(ku.name);
  }
  return out;
}

std::vector<std::string> Certificate::extendedKeyUsageNames() const {
  std::vector<std::string> out;
  auto eku = decodeExtension<ExtendedKeyUsagePtr>(cert_.get(), NID_ext_key_usage);
  for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    const ASN1_OBJECT* obj = sk_ASN1_OBJECT_value(eku.get(), i);
    // Short names are what CertificateBuilder::extendedKeyUsage() accepts.
    if (int nid = OBJ_obj2nid(obj); nid != NID_undef) {
      out.emplace_back(OBJ_nid2sn(nid));
      continue;
    }
    char text[128] = {};
    if (OBJ_obj2txt(text, sizeof text, obj, 1) > 0) out.emplace_back(text);
  }
  return out;
}

std::vector<std::string> Certificate::ocspUrls() const {
  return accessUrls(cert_.get(), NID_ad_OCSP);
}

std::vector<std::string> Certificate::caIssuersUrls() const {
  return accessUrls(cert_.get(), NID_ad_ca_issuers);
}

std::vector<std::string> Certificate::crlDistributionPoints() const {
  std::vector<std::string> out;
  auto points = decodeExtension<CrlDistPointsPtr>(cert_.get(), NID_crl_distribution_points);
  for (int i = 0; points && i < sk_DIST_POINT_num(points.get()); ++i) {
    const DIST_POINT* dp = sk_DIST_POINT_value(points.get(), i);
    // type 0 is fullName; 1 (nameRelativeToCRLIssuer) names no URL.
    if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;
    const SubjectAltNames names = SubjectAltNames::fromGeneralNames(dp->distpoint->name.fullname);
    out.insert(out.end(), names.uris().begin(), names.uris().end());
  }
  return out;
}

bool Certificate::hasOcspNoCheck() const {
  return X509_get_ext_by_NID(cert_.get(), NID_id_pkix_OCSP_noCheck, -1) >= 0;
}

EVP_PKEY* Certificate::publicKey() const {
  if (EVP_PKEY* key = X509_get0_pubkey(cert_.get())) return key;
  ERR_clear_error();
  std::call_once(key_->once,
                 [this] { key_->key = decodePublicKey(X509_get_X509_PUBKEY(cert_.get())); });
  if (!key_->key) throw PkiError("certificate public key not decodable");
  return key_->key.get();
}

std::string Certificate::keyAlgorithm() const {
  EVP_PKEY* key = publicKey();
  // PrivateKey holds the one table of algorithm names; it works on a public
  // key too. The extra reference is dropped with the temporary.
  EVP_PKEY_up_ref(key);
  return PrivateKey(EvpPkeyPtr(key)).algorithm();
}

int Certificate::keyBits() const { return EVP_PKEY_get_bits(publicKey()); }

bool Certificate::isCa() const { return (X509_get_extension_flags(cert_.get()) & EXFLAG_CA) != 0; }

long Certificate::pathLength() const { return X509_get_pathlen(cert_.get()); }

std::string Certificate::sha256FingerprintHex() const { return sha256Hex(toDer()); }

std::string Certificate::publicKeyPem() const {
  std::string pem = subjectPublicKeyInfoPem(X509_get_X509_PUBKEY(cert_.get()));
  if (pem.empty()) throw PkiError("cannot encode certificate public key");
  return pem;
}

std::string Certificate::publicKeyDer() const {
  std::string der = subjectPublicKeyInfoDer(X509_get_X509_PUBKEY(cert_.get()));
  if (der.empty()) throw PkiError("cannot encode certificate public key");
  return der;
}

bool Certificate::hasPublicKeyOf(const Csr& csr) const {
  // Identical SubjectPublicKeyInfo is the common case; an issuer may also
  // re-encode the same key (e.g. an EC point uncompressed).
  if (publicKeyDer() == csr.publicKeyDer()) return true;
  bool same = false;
  try {
    same = EVP_PKEY_eq(publicKey(), csr.publicKey()) == 1;
  } catch (const PkiError&) {
  }
  ERR_clear_error();
  return same;
}

bool Certificate::matchesKey(const PrivateKey& key) const {
  // What X509_check_private_key does, with the key decoded our way.
  bool ok = false;
  try {
    ok = EVP_PKEY_eq(publicKey(), key.get()) == 1;
  } catch (const PkiError&) {
  }
  ERR_clear_error();  // a mismatch is an answer, not an error to report later
  return ok;
}

bool Certificate::isSignedBy(const Certificate& issuer) const {
  bool ok = false;
  try {
    ok = X509_verify(cert_.get(), issuer.publicKey()) == 1;
  } catch (const PkiError&) {
  }
  ERR_clear_error();
  return ok;
}

bool Certificate::operator==(const Certificate& other) const {
  return X509_cmp(cert_.get(), other.cert_.get()) == 0;
}

}  // namespace certctl::sdk::pki
