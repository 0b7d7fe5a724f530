#include "sdk/pki/certificate_builder.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>

#include "sdk/pki/csr.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/openssl_ptr.h"
#include "sdk/pki/private_key.h"

namespace certctl::sdk::pki {

namespace {

constexpr auto kBackdate = std::chrono::minutes(5);
constexpr int kRandomSerialBytes = 16;
constexpr int kMaxSerialBits = 159;  // 20 DER octets including the sign octet

using AuthorityInfoAccessPtr =
    std::unique_ptr<AUTHORITY_INFO_ACCESS, OpenSslDeleter<AUTHORITY_INFO_ACCESS_free>>;
using Asn1NullPtr = std::unique_ptr<ASN1_NULL, OpenSslDeleter<ASN1_NULL_free>>;

// keyUsage bit positions (RFC 5280 4.2.1.3); KeyUsage's flag n is bit n.
constexpr int kDigitalSignature = 0;
constexpr int kKeyEncipherment = 2;
constexpr int kKeyCertSign = 5;
constexpr int kCrlSign = 6;
constexpr int kKeyUsageBits = 9;

// The extendedKeyUsage names accepted besides dotted OIDs: OpenSSL's short
// names, so OBJ_txt2obj resolves them and Certificate reads them back as is.
constexpr std::string_view kExtendedKeyUsageNames[] = {
    "serverAuth",   "clientAuth",  "emailProtection",     "codeSigning",
    "timeStamping", "OCSPSigning", "anyExtendedKeyUsage",
};

bool isDottedOid(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos ||
      s.find('.') == std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0 || c == '.'; });
}

// A validated URI as the one-entry GENERAL_NAMES that AIA and CRLDP carry.
GeneralNamesPtr uriName(const std::string& url) {
  return SubjectAltNames().addUri(url).toGeneralNames();
}

BignumPtr randomSerial() {
  std::array<unsigned char, kRandomSerialBytes> bytes{};
  BignumPtr bn;
  do {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      throw PkiError("RAND_bytes failed");
    }
    // BN_bin2bn reads unsigned bytes, so the serial is always positive.
    bn.reset(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
    if (!bn) throw PkiError("BN_bin2bn failed");
  } while (BN_is_zero(bn.get()));
  return bn;
}

BignumPtr parseSerial(std::string_view hex) {
  std::string s(hex);
  BIGNUM* raw = nullptr;
  int used = s.empty() || s.front() == '-' ? 0 : BN_hex2bn(&raw, s.c_str());
  BignumPtr bn(raw);
  if (used != static_cast<int>(s.size()) || !bn || BN_is_zero(bn.get()) ||
      BN_num_bits(bn.get()) > kMaxSerialBits) {
    throw PkiError("serial must be 1 to 20 octets of positive hex: '" + s + "'");
  }
  return bn;
}

void setTime(ASN1_TIME* field, std::chrono::system_clock::time_point t) {
  if (ASN1_TIME_set(field, std::chrono::system_clock::to_time_t(t)) == nullptr) {
    throw PkiError("cannot set certificate time");
  }
}

void addExtension(X509* cert, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
    throw PkiError(std::string("cannot add extension ") + OBJ_nid2sn(nid));
  }
}

// RFC 5280 4.2.1.2 method 1: SHA-1 over the subjectPublicKey BIT STRING. SHA-1
// is an identifier here, not a security function.
Asn1OctetStringPtr keyIdentifier(const X509* certWithKey) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_pubkey_digest(certWithKey, EVP_sha1(), md, &len) != 1) {
    throw PkiError("cannot compute key identifier");
  }
  Asn1OctetStringPtr id(ASN1_OCTET_STRING_new());
  if (!id || ASN1_OCTET_STRING_set(id.get(), md, static_cast<int>(len)) != 1) {
    throw PkiError("cannot store key identifier");
  }
  return id;
}

// Copies the fields of `from` (algorithm, parameters, key bits) into the
// certificate's SubjectPublicKeyInfo. X509_set_pubkey would encode the key
// anew and decode the result again, ~200 µs in OpenSSL 3.0; the copy also
// certifies exactly the encoding that was requested. False when the
// parameters are of a form not copied here (the caller falls back).
bool copySubjectPublicKeyInfo(X509* cert, const X509_PUBKEY* from) {
  ASN1_OBJECT* algorithm = nullptr;
  const unsigned char* bytes = nullptr;
  int length = 0;
  X509_ALGOR* algor = nullptr;
  if (X509_PUBKEY_get0_param(&algorithm, &bytes, &length, &algor, from) != 1 || bytes == nullptr ||
      length <= 0) {
    ERR_clear_error();
    return false;
  }
  int paramType = V_ASN1_UNDEF;
  const void* param = nullptr;
  X509_ALGOR_get0(nullptr, &paramType, &param, algor);
  void* paramCopy = nullptr;
  if (paramType == V_ASN1_OBJECT) {
    paramCopy = OBJ_dup(static_cast<const ASN1_OBJECT*>(param));
  } else if (paramType == V_ASN1_SEQUENCE) {
    paramCopy = ASN1_STRING_dup(static_cast<const ASN1_STRING*>(param));
  } else if (paramType != V_ASN1_NULL && paramType != V_ASN1_UNDEF) {
    return false;
  }
  if ((paramType == V_ASN1_OBJECT || paramType == V_ASN1_SEQUENCE) && paramCopy == nullptr)
    throw PkiError("cannot copy public key parameters");
  Asn1ObjectPtr algorithmCopy(OBJ_dup(algorithm));
  auto* bytesCopy = static_cast<unsigned char*>(OPENSSL_memdup(bytes, static_cast<size_t>(length)));
  if (!algorithmCopy || bytesCopy == nullptr ||
      X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), algorithmCopy.get(), paramType, paramCopy,
                             bytesCopy, length) != 1) {
    OPENSSL_free(bytesCopy);
    if (paramType == V_ASN1_OBJECT) ASN1_OBJECT_free(static_cast<ASN1_OBJECT*>(paramCopy));
    if (paramType == V_ASN1_SEQUENCE) ASN1_STRING_free(static_cast<ASN1_STRING*>(paramCopy));
    throw PkiError("cannot set public key");
  }
  algorithmCopy.release();  // owned by the certificate now
  return true;
}

bool isEdwards(EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

}  // namespace

CertificateBuilder& CertificateBuilder::commonName(std::string cn) {
  commonName_ = std::move(cn);
  return *this;
}

CertificateBuilder& CertificateBuilder::organization(std::string o) {
  organization_ = std::move(o);
  return *this;
}

CertificateBuilder& CertificateBuilder::serialHex(std::string_view hex) {
  parseSerial(hex);  // validate now, where the bad value was given
  serialHex_ = std::string(hex);
  return *this;
}

CertificateBuilder& CertificateBuilder::notBefore(TimePoint t) {
  notBefore_ = t;
  return *this;
}

CertificateBuilder& CertificateBuilder::notAfter(TimePoint t) {
  notAfter_ = t;
  return *this;
}

CertificateBuilder& CertificateBuilder::validFor(std::chrono::seconds d) {
  notAfter_ = std::chrono::system_clock::now() + d;
  return *this;
}

CertificateBuilder& CertificateBuilder::dnsName(std::string name) {
  sans_.addDnsName(std::move(name));
  return *this;
}

CertificateBuilder& CertificateBuilder::ipAddress(std::string_view ip) {
  sans_.addIpAddress(ip);
  return *this;
}

CertificateBuilder& CertificateBuilder::emailAddress(std::string email) {
  sans_.addEmailAddress(std::move(email));
  return *this;
}

CertificateBuilder& CertificateBuilder::uri(std::string uri) {
  sans_.addUri(std::move(uri));
  return *this;
}

CertificateBuilder& CertificateBuilder::subjectAltName(std::string_view name) {
  sans_.add(name);
  return *this;
}

CertificateBuilder& CertificateBuilder::subjectAltNames(const SubjectAltNames& names) {
  sans_.merge(names);
  return *this;
}

CertificateBuilder& CertificateBuilder::ca(bool isCa, int pathLen) {
  ca_ = isCa;
  pathLen_ = pathLen;
  return *this;
}

CertificateBuilder& CertificateBuilder::keyUsage(KeyUsage usage) {
  const auto bits = static_cast<unsigned>(usage);
  if (bits == 0 || bits >= (1U << kKeyUsageBits)) {
    throw PkiError("keyUsage needs at least one of the nine RFC 5280 bits");
  }
  keyUsage_ = usage;
  return *this;
}

void CertificateBuilder::setPurpose(const std::string& name, bool on) {
  auto it = std::find(extendedKeyUsage_.begin(), extendedKeyUsage_.end(), name);
  if (on && it == extendedKeyUsage_.end()) extendedKeyUsage_.push_back(name);
  if (!on && it != extendedKeyUsage_.end()) extendedKeyUsage_.erase(it);
}

CertificateBuilder& CertificateBuilder::serverAuth(bool on) {
  setPurpose("serverAuth", on);
  return *this;
}

CertificateBuilder& CertificateBuilder::clientAuth(bool on) {
  setPurpose("clientAuth", on);
  return *this;
}

CertificateBuilder& CertificateBuilder::extendedKeyUsage(const std::vector<std::string>& purposes) {
  std::vector<std::string> canonical;
  for (const auto& p : purposes) {
    if (std::find(std::begin(kExtendedKeyUsageNames), std::end(kExtendedKeyUsageNames), p) !=
        std::end(kExtendedKeyUsageNames)) {
      canonical.push_back(p);
      continue;
    }
    Asn1ObjectPtr obj(isDottedOid(p) ? OBJ_txt2obj(p.c_str(), 1) : nullptr);
    if (!obj) throw PkiError("unknown extendedKeyUsage: '" + p + "'");
    // An OID OpenSSL can name is kept by name, so "1.3.6.1.5.5.7.3.1" and
    // "serverAuth" are one entry, not two.
    const int nid = OBJ_obj2nid(obj.get());
    canonical.push_back(nid != NID_undef ? OBJ_nid2sn(nid) : p);
  }
  extendedKeyUsage_.clear();
  for (const auto& p : canonical) setPurpose(p, true);
  return *this;
}

CertificateBuilder& CertificateBuilder::extendedKeyUsageCritical(bool on) {
  extendedKeyUsageCritical_ = on;
  return *this;
}

CertificateBuilder& CertificateBuilder::authorityInfoAccess(std::string ocspUrl,
                                                            std::string caIssuersUrl) {
  if (ocspUrl.empty() && caIssuersUrl.empty()) {
    throw PkiError("authorityInfoAccess needs an OCSP or a caIssuers URL");
  }
  // Validate now, where the bad value was given.
  if (!ocspUrl.empty()) uriName(ocspUrl);
  if (!caIssuersUrl.empty()) uriName(caIssuersUrl);
  ocspUrl_ = std::move(ocspUrl);
  caIssuersUrl_ = std::move(caIssuersUrl);
  return *this;
}

CertificateBuilder& CertificateBuilder::crlDistributionPoint(std::string url) {
  uriName(url);
  if (std::find(crlDistributionPoints_.begin(), crlDistributionPoints_.end(), url) ==
      crlDistributionPoints_.end()) {
    crlDistributionPoints_.push_back(std::move(url));
  }
  return *this;
}

CertificateBuilder& CertificateBuilder::ocspNoCheck(bool on) {
  ocspNoCheck_ = on;
  return *this;
}

Certificate CertificateBuilder::selfSign(const PrivateKey& key) const {
  return build(nullptr, key, key.get());
}

Certificate CertificateBuilder::signWith(const Certificate& issuer, const PrivateKey& issuerKey,
                                         const PrivateKey& subjectPublic) const {
  return build(&issuer, issuerKey, subjectPublic.get());
}

Certificate CertificateBuilder::signWith(const Certificate& issuer, const PrivateKey& issuerKey,
                                         EVP_PKEY* subjectPublicKey) const {
  if (subjectPublicKey == nullptr) throw PkiError("null subject public key");
  return build(&issuer, issuerKey, subjectPublicKey);
}

Certificate CertificateBuilder::signWith(const Certificate& issuer, const PrivateKey& issuerKey,
                                         const Csr& csr) const {
  return build(&issuer, issuerKey, csr.publicKey(), X509_REQ_get_X509_PUBKEY(csr.get()));
}

Certificate CertificateBuilder::build(const Certificate* issuer, const PrivateKey& signingKey,
                                      EVP_PKEY* subjectPublicKey,
                                      const X509_PUBKEY* subjectInfo) const {
  if (!notAfter_) throw PkiError("certificate notAfter not set");
  const TimePoint from = notBefore_.value_or(std::chrono::system_clock::now() - kBackdate);
  if (*notAfter_ <= from) throw PkiError("certificate notAfter is not after notBefore");
  if (issuer != nullptr && !issuer->matchesKey(signingKey)) {
    throw PkiError("issuer key does not match issuer certificate");
  }
  const bool hasSan = !sans_.empty();
  if (commonName_.empty() && organization_.empty() && !hasSan) {
    throw PkiError("certificate needs a subject or a subject alternative name");
  }

  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) throw PkiError("X509_new");

  BignumPtr serial = serialHex_ ? parseSerial(*serialHex_) : randomSerial();
  Asn1IntegerPtr serialInt(BN_to_ASN1_INTEGER(serial.get(), nullptr));
  if (!serialInt || X509_set_serialNumber(cert.get(), serialInt.get()) != 1) {
    throw PkiError("cannot set serial number");
  }

  X509_NAME* subject = X509_get_subject_name(cert.get());
  auto addEntry = [subject](int nid, const std::string& value) {
    if (value.empty()) return;
    if (X509_NAME_add_entry_by_NID(subject, nid, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                   0) != 1) {
      throw PkiError(std::string("cannot set subject ") + OBJ_nid2sn(nid) + " '" + value + "'");
    }
  };
  addEntry(NID_organizationName, organization_);
  addEntry(NID_commonName, commonName_);
  const X509_NAME* issuerName =
      issuer != nullptr ? X509_get_subject_name(issuer->get()) : X509_get_subject_name(cert.get());
  if (X509_set_issuer_name(cert.get(), issuerName) != 1) throw PkiError("cannot set issuer");

  setTime(X509_getm_notBefore(cert.get()), from);
  setTime(X509_getm_notAfter(cert.get()), *notAfter_);
  if (subjectInfo == nullptr || !copySubjectPublicKeyInfo(cert.get(), subjectInfo)) {
    if (X509_set_pubkey(cert.get(), subjectPublicKey) != 1) throw PkiError("cannot set public key");
  }

  BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  if (!bc) throw PkiError("BASIC_CONSTRAINTS_new");
  bc->ca = ca_ ? 0xFF : 0;
  if (ca_ && pathLen_ >= 0) {
    bc->pathlen = ASN1_INTEGER_new();
    if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, pathLen_) != 1) {
      throw PkiError("cannot set pathLen");
    }
  }
  addExtension(cert.get(), NID_basic_constraints, bc.get(), true);

  Asn1BitStringPtr usage(ASN1_BIT_STRING_new());
  if (!usage) throw PkiError("ASN1_BIT_STRING_new");
  auto setBit = [&usage](int bit) {
    if (ASN1_BIT_STRING_set_bit(usage.get(), bit, 1) != 1) throw PkiError("keyUsage");
  };
  if (keyUsage_) {
    for (int bit = 0; bit < kKeyUsageBits; ++bit) {
      if ((static_cast<unsigned>(*keyUsage_) & (1U << bit)) != 0) setBit(bit);
    }
  } else if (ca_) {
    setBit(kKeyCertSign);
    setBit(kCrlSign);
  } else {
    setBit(kDigitalSignature);
    // Only RSA can do key transport (TLS 1.2 RSA kx, CMS enveloping).
    if (EVP_PKEY_get_base_id(subjectPublicKey) == EVP_PKEY_RSA) setBit(kKeyEncipherment);
  }
  addExtension(cert.get(), NID_key_usage, usage.get(), true);

  if (!extendedKeyUsage_.empty()) {
    ExtendedKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
    if (!eku) throw PkiError("EXTENDED_KEY_USAGE");
    for (const auto& purpose : extendedKeyUsage_) {
      // Short names resolve to OpenSSL's static objects, dotted OIDs to new
      // ones; the stack's free releases only the latter.
      Asn1ObjectPtr obj(OBJ_txt2obj(purpose.c_str(), 0));
      if (!obj || sk_ASN1_OBJECT_push(eku.get(), obj.get()) <= 0) {
        throw PkiError("extendedKeyUsage '" + purpose + "'");
      }
      obj.release();
    }
    addExtension(cert.get(), NID_ext_key_usage, eku.get(), extendedKeyUsageCritical_);
  }

  if (hasSan) {
    GeneralNamesPtr names = sans_.toGeneralNames();
    // RFC 5280 4.2.1.6: critical when the subject is empty.
    const bool critical = X509_NAME_entry_count(subject) == 0;
    addExtension(cert.get(), NID_subject_alt_name, names.get(), critical);
  }

  Asn1OctetStringPtr ski = keyIdentifier(cert.get());
  addExtension(cert.get(), NID_subject_key_identifier, ski.get(), false);

  AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
  if (!aki) throw PkiError("AUTHORITY_KEYID_new");
  if (issuer == nullptr) {
    aki->keyid = ASN1_OCTET_STRING_dup(ski.get());
  } else if (const ASN1_OCTET_STRING* issuerSki = X509_get0_subject_key_id(issuer->get())) {
    aki->keyid = ASN1_OCTET_STRING_dup(issuerSki);
  } else {
    // A legacy issuer without SKI: derive the id its key would have.
    aki->keyid = keyIdentifier(issuer->get()).release();
  }
  if (aki->keyid == nullptr) throw PkiError("cannot set authority key identifier");
  addExtension(cert.get(), NID_authority_key_identifier, aki.get(), false);

  if (!ocspUrl_.empty() || !caIssuersUrl_.empty()) {
    AuthorityInfoAccessPtr aia(sk_ACCESS_DESCRIPTION_new_null());
    if (!aia) throw PkiError("AUTHORITY_INFO_ACCESS");
    auto addAccess = [&aia](int method, const std::string& url) {
      if (url.empty()) return;
      ACCESS_DESCRIPTION* ad = ACCESS_DESCRIPTION_new();
      if (ad == nullptr || sk_ACCESS_DESCRIPTION_push(aia.get(), ad) <= 0) {
        ACCESS_DESCRIPTION_free(ad);
        throw PkiError("cannot build authorityInfoAccess");
      }
      // Owned by `aia` from here; OBJ_nid2obj is static, the location is
      // the one entry moved out of a fresh GENERAL_NAMES.
      GeneralNamesPtr names = uriName(url);
      ASN1_OBJECT_free(ad->method);
      ad->method = OBJ_nid2obj(method);
      GENERAL_NAME_free(ad->location);
      ad->location = sk_GENERAL_NAME_pop(names.get());
    };
    addAccess(NID_ad_OCSP, ocspUrl_);
    addAccess(NID_ad_ca_issuers, caIssuersUrl_);
    addExtension(cert.get(), NID_info_access, aia.get(), false);
  }

  if (!crlDistributionPoints_.empty()) {
    CrlDistPointsPtr points(sk_DIST_POINT_new_null());
    if (!points) throw PkiError("CRL_DIST_POINTS");
    for (const auto& url : crlDistributionPoints_) {
      DIST_POINT* dp = DIST_POINT_new();
      if (dp == nullptr || sk_DIST_POINT_push(points.get(), dp) <= 0) {
        DIST_POINT_free(dp);
        throw PkiError("cannot build cRLDistributionPoints");
      }
      dp->distpoint = DIST_POINT_NAME_new();
      if (dp->distpoint == nullptr) throw PkiError("DIST_POINT_NAME_new");
      dp->distpoint->type = 0;  // fullName
      dp->distpoint->name.fullname = uriName(url).release();
    }
    addExtension(cert.get(), NID_crl_distribution_points, points.get(), false);
  }

  if (ocspNoCheck_) {
    Asn1NullPtr null(ASN1_NULL_new());
    if (!null) throw PkiError("ASN1_NULL_new");
    addExtension(cert.get(), NID_id_pkix_OCSP_noCheck, null.get(), false);
  }

  const EVP_MD* md = isEdwards(signingKey.get()) ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), signingKey.get(), md) <= 0) throw PkiError("signing failed");
  return Certificate(std::move(cert));
}

}  // namespace certctl::sdk::pki
