#include "sdk/pki/certificate_builder.h"

#include <arpa/inet.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"

namespace certctl::sdk::pki {

namespace {

constexpr auto kBackdate = std::chrono::minutes(5);
constexpr int kRandomSerialBytes = 16;
constexpr int kMaxSerialBits = 159;  // 20 DER octets including the sign octet

// keyUsage bit positions (RFC 5280 4.2.1.3).
constexpr int kDigitalSignature = 0;
constexpr int kKeyEncipherment = 2;
constexpr int kKeyCertSign = 5;
constexpr int kCrlSign = 6;

bool isDnsLabelChar(unsigned char c) { return std::isalnum(c) != 0 || c == '-' || c == '_'; }

// Hostname syntax check: the name ends up in a certificate other software
// will match against, so refuse what no resolver would accept.
bool isValidDnsName(std::string_view name) {
  if (name.size() > 253) return false;
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  if (name.empty()) return false;
  size_t start = 0;
  for (;;) {
    size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(), [](char c) { return isDnsLabelChar(c); })) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Raw network-order bytes of an IP literal, or "" if it is none.
std::string parseIp(std::string_view text) {
  std::string s(text);
  std::array<unsigned char, 16> buf{};
  if (inet_pton(AF_INET, s.c_str(), buf.data()) == 1) {
    return std::string(reinterpret_cast<const char*>(buf.data()), 4);
  }
  if (inet_pton(AF_INET6, s.c_str(), buf.data()) == 1) {
    return std::string(reinterpret_cast<const char*>(buf.data()), 16);
  }
  return {};
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
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!isValidDnsName(name)) throw PkiError("invalid DNS name: '" + name + "'");
  if (std::find(dnsNames_.begin(), dnsNames_.end(), name) == dnsNames_.end()) {
    dnsNames_.push_back(std::move(name));
  }
  return *this;
}

CertificateBuilder& CertificateBuilder::ipAddress(std::string_view ip) {
  std::string raw = parseIp(ip);
  if (raw.empty()) throw PkiError("invalid IP address: '" + std::string(ip) + "'");
  if (std::find(ipAddresses_.begin(), ipAddresses_.end(), raw) == ipAddresses_.end()) {
    ipAddresses_.push_back(std::move(raw));
  }
  return *this;
}

CertificateBuilder& CertificateBuilder::subjectAltName(std::string_view name) {
  if (!parseIp(name).empty()) return ipAddress(name);
  return dnsName(std::string(name));
}

CertificateBuilder& CertificateBuilder::ca(bool isCa, int pathLen) {
  ca_ = isCa;
  pathLen_ = pathLen;
  return *this;
}

CertificateBuilder& CertificateBuilder::serverAuth(bool on) {
  serverAuth_ = on;
  return *this;
}

CertificateBuilder& CertificateBuilder::clientAuth(bool on) {
  clientAuth_ = on;
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

Certificate CertificateBuilder::build(const Certificate* issuer, const PrivateKey& signingKey,
                                      EVP_PKEY* subjectPublicKey) const {
  if (!notAfter_) throw PkiError("certificate notAfter not set");
  const TimePoint from = notBefore_.value_or(std::chrono::system_clock::now() - kBackdate);
  if (*notAfter_ <= from) throw PkiError("certificate notAfter is not after notBefore");
  if (issuer != nullptr && !issuer->matchesKey(signingKey)) {
    throw PkiError("issuer key does not match issuer certificate");
  }
  const bool hasSan = !dnsNames_.empty() || !ipAddresses_.empty();
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
  if (X509_set_pubkey(cert.get(), subjectPublicKey) != 1) throw PkiError("cannot set public key");

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
  if (ca_) {
    setBit(kKeyCertSign);
    setBit(kCrlSign);
  } else {
    setBit(kDigitalSignature);
    // Only RSA can do key transport (TLS 1.2 RSA kx, CMS enveloping).
    if (EVP_PKEY_get_base_id(subjectPublicKey) == EVP_PKEY_RSA) setBit(kKeyEncipherment);
  }
  addExtension(cert.get(), NID_key_usage, usage.get(), true);

  if (serverAuth_ || clientAuth_) {
    ExtendedKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
    if (!eku) throw PkiError("EXTENDED_KEY_USAGE");
    // OBJ_nid2obj returns static objects; the stack's free is a no-op on them.
    if ((serverAuth_ && sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_server_auth)) <= 0) ||
        (clientAuth_ && sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_client_auth)) <= 0)) {
      throw PkiError("extendedKeyUsage");
    }
    addExtension(cert.get(), NID_ext_key_usage, eku.get(), false);
  }

  if (hasSan) {
    GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    if (!names) throw PkiError("GENERAL_NAMES");
    auto push = [&names](int type, const std::string& bytes) {
      GENERAL_NAME* gn = GENERAL_NAME_new();
      ASN1_STRING* value = type == GEN_DNS ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();
      if (gn == nullptr || value == nullptr ||
          ASN1_STRING_set(value, bytes.data(), static_cast<int>(bytes.size())) != 1) {
        GENERAL_NAME_free(gn);
        ASN1_STRING_free(value);
        throw PkiError("cannot build subjectAltName");
      }
      GENERAL_NAME_set0_value(gn, type, value);
      if (sk_GENERAL_NAME_push(names.get(), gn) <= 0) {
        GENERAL_NAME_free(gn);
        throw PkiError("cannot build subjectAltName");
      }
    };
    for (const auto& dns : dnsNames_) push(GEN_DNS, dns);
    for (const auto& ip : ipAddresses_) push(GEN_IPADD, ip);
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

  const EVP_MD* md = isEdwards(signingKey.get()) ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), signingKey.get(), md) <= 0) throw PkiError("signing failed");
  return Certificate(std::move(cert));
}

}  // namespace certctl::sdk::pki
