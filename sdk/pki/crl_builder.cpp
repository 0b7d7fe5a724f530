#include "sdk/pki/crl_builder.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <array>
#include <climits>
#include <cstring>

#include "sdk/pki/memory_bio.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"

namespace certctl::sdk::pki {

namespace {

constexpr auto kDefaultValidity = std::chrono::hours(24);
constexpr std::size_t kMaxSerialOctets = 20;  // RFC 5280 4.1.2.2
// A CRL entry is at most 2 + (2 + 21) + 17 + 14 octets, so its length fits
// DER's one-octet short form; this bound lets add() skip the general case.
constexpr std::size_t kMaxShortLength = 127;

constexpr unsigned char kTagInteger = 0x02;
constexpr unsigned char kTagOctetString = 0x04;
constexpr unsigned char kTagBitString = 0x03;
constexpr unsigned char kTagUtcTime = 0x17;
constexpr unsigned char kTagGeneralizedTime = 0x18;
constexpr unsigned char kTagSequence = 0x30;
constexpr unsigned char kTagExplicit0 = 0xA0;
constexpr unsigned char kTagKeyId = 0x80;  // AuthorityKeyIdentifier [0] IMPLICIT

// DER of the OIDs id-ce-cRLNumber and id-ce-authorityKeyIdentifier.
constexpr std::string_view kOidCrlNumber{"\x06\x03\x55\x1d\x14", 5};
constexpr std::string_view kOidAuthorityKeyId{"\x06\x03\x55\x1d\x23", 5};

void appendLength(std::string& out, std::size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<char>(len));
    return;
  }
  unsigned char bytes[sizeof(std::size_t)];
  int n = 0;
  for (std::size_t v = len; v != 0; v >>= 8) bytes[n++] = static_cast<unsigned char>(v & 0xff);
  out.push_back(static_cast<char>(0x80 | n));
  while (n > 0) out.push_back(static_cast<char>(bytes[--n]));
}

// Octets of a tag and DER length for `len` content octets.
std::size_t headerSize(std::size_t len) {
  std::size_t n = 2;
  if (len >= 0x80) {
    for (std::size_t v = len; v != 0; v >>= 8) ++n;
  }
  return n;
}

void appendHeader(std::string& out, unsigned char tag, std::size_t len) {
  out.push_back(static_cast<char>(tag));
  appendLength(out, len);
}

void appendTlv(std::string& out, unsigned char tag, std::string_view content) {
  appendHeader(out, tag, content.size());
  out.append(content);
}

std::string tlv(unsigned char tag, std::string_view content) {
  std::string out;
  appendTlv(out, tag, content);
  return out;
}

// Minimal two's-complement content octets of a non-negative integer.
std::string unsignedIntegerContent(std::uint64_t v) {
  std::string bytes;
  do {
    bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
    v >>= 8;
  } while (v != 0);
  if ((static_cast<unsigned char>(bytes.front()) & 0x80) != 0) bytes.insert(bytes.begin(), '\0');
  return bytes;
}

// A table, not comparisons: random serials make range branches
// unpredictable, and decoding was the largest cost of add().
constexpr std::array<signed char, 256> kHexValue = [] {
  std::array<signed char, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<signed char>(i);
  for (int i = 0; i < 6; ++i) {
    t['a' + i] = static_cast<signed char>(10 + i);
    t['A' + i] = static_cast<signed char>(10 + i);
  }
  return t;
}();

int hexValue(char c) { return kHexValue[static_cast<unsigned char>(c)]; }

[[noreturn]] void badSerial(std::string_view hex) {
  throw PkiError("CRL serial must be 1 to 20 octets of positive hex: '" + std::string(hex) + "'");
}

// The INTEGER content octets of a positive hex serial, into `buf`; returns
// the length.
std::size_t serialContent(std::string_view hex, std::array<unsigned char, 21>& buf) {
  std::string_view digits = hex;
  while (!digits.empty() && digits.front() == '0') digits.remove_prefix(1);
  if (hex.empty() || digits.empty() || digits.size() > 2 * kMaxSerialOctets) badSerial(hex);
  std::array<unsigned char, kMaxSerialOctets> magnitude{};
  const std::size_t octets = (digits.size() + 1) / 2;
  std::size_t pos = 0;
  int invalid = 0;  // any -1 from the table sets the sign bit
  if (digits.size() % 2 != 0) {
    const int lo = hexValue(digits[pos++]);
    invalid |= lo;
    magnitude[0] = static_cast<unsigned char>(lo);
  }
  for (std::size_t i = digits.size() % 2; i < octets; ++i) {
    const int hi = hexValue(digits[pos]);
    const int lo = hexValue(digits[pos + 1]);
    pos += 2;
    invalid |= hi | lo;
    magnitude[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  if (invalid < 0) badSerial(hex);
  // A set top bit would read as negative: DER adds a zero octet.
  std::size_t len = 0;
  if ((magnitude[0] & 0x80) != 0) buf[len++] = 0;
  for (std::size_t i = 0; i < octets; ++i) buf[len++] = magnitude[i];
  return len;
}

void putDigits(char* p, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both
// in whole seconds with "Z". Writes the TLV to `p` (17 octets at most) and
// returns its length.
std::size_t encodeTime(char* p, CrlBuilder::TimePoint t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  const int y = static_cast<int>(ymd.year());
  if (y < 1950 || y > 9999) throw PkiError("CRL time outside 1950..9999");
  const bool utc = y < 2050;
  const int yearDigits = utc ? 2 : 4;
  p[0] = static_cast<char>(utc ? kTagUtcTime : kTagGeneralizedTime);
  p[1] = static_cast<char>(yearDigits + 11);
  char* d = p + 2;
  putDigits(d, utc ? y % 100 : y, yearDigits);
  d += yearDigits;
  putDigits(d, static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  putDigits(d + 2, static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  putDigits(d + 4, static_cast<int>(hms.hours().count()), 2);
  putDigits(d + 6, static_cast<int>(hms.minutes().count()), 2);
  putDigits(d + 8, static_cast<int>(hms.seconds().count()), 2);
  d[10] = 'Z';
  return static_cast<std::size_t>(yearDigits) + 13;
}

void appendTime(std::string& out, CrlBuilder::TimePoint t) {
  std::array<char, 17> buf{};
  out.append(buf.data(), encodeTime(buf.data(), t));
}

std::string extension(std::string_view oid, std::string_view valueDer) {
  std::string content(oid);
  appendTlv(content, kTagOctetString, valueDer);
  return tlv(kTagSequence, content);
}

std::string subjectKeyId(const Certificate& cert) {
  if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert.get())) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                       static_cast<std::size_t>(ASN1_STRING_length(ski)));
  }
  // A legacy issuer without SKI: RFC 5280 4.2.1.2 method 1, as the
  // certificate builder derives it.
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_pubkey_digest(cert.get(), EVP_sha1(), md, &len) != 1) {
    throw PkiError("cannot compute issuer key identifier");
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string issuerNameDer(const Certificate& cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_NAME(X509_get_subject_name(cert.get()), &der);
  if (len <= 0) throw PkiError("cannot encode CRL issuer name");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool isEdwards(EVP_PKEY* key) {
  const int id = EVP_PKEY_get_base_id(key);
  return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

// The provider knows the AlgorithmIdentifier of the signature it will make
// (OID and parameters for RSA, ECDSA, EdDSA), so nothing is hard-coded here.
std::string signatureAlgorithmDer(EVP_PKEY_CTX* pctx) {
  std::array<unsigned char, 256> buf{};
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, buf.data(), buf.size()),
      OSSL_PARAM_construct_end()};
  if (EVP_PKEY_CTX_get_params(pctx, params) != 1 || !OSSL_PARAM_modified(&params[0]) ||
      params[0].return_size == 0 || params[0].return_size > buf.size()) {
    throw PkiError("the signing key's provider gives no signature AlgorithmIdentifier");
  }
  return std::string(reinterpret_cast<const char*>(buf.data()), params[0].return_size);
}

}  // namespace

std::string SignedCrl::toPem() const {
  if (der.size() > static_cast<std::size_t>(LONG_MAX)) throw PkiError("CRL too large");
  BioPtr bio = newMemoryBio();
  if (PEM_write_bio(bio.get(), PEM_STRING_X509_CRL, "",
                    reinterpret_cast<const unsigned char*>(der.data()),
                    static_cast<long>(der.size())) <= 0) {
    throw PkiError("cannot write CRL PEM");
  }
  return bioToString(bio.get());
}

CrlBuilder::CrlBuilder(Certificate issuer, const PrivateKey& issuerKey)
    : issuer_(std::move(issuer)), issuerKey_(issuerKey) {
  if (!issuer_.matchesKey(issuerKey_)) throw PkiError("CRL issuer key does not match certificate");
  if ((X509_get_key_usage(issuer_.get()) & KU_CRL_SIGN) == 0) {
    throw PkiError("CRL issuer certificate's keyUsage lacks cRLSign");
  }
}

CrlBuilder& CrlBuilder::number(std::uint64_t n) {
  number_ = n;
  return *this;
}

CrlBuilder& CrlBuilder::thisUpdate(TimePoint t) {
  thisUpdate_ = t;
  return *this;
}

CrlBuilder& CrlBuilder::nextUpdate(TimePoint t) {
  nextUpdate_ = t;
  return *this;
}

CrlBuilder& CrlBuilder::reserve(std::size_t entries) {
  // 16-octet serials with a reason code: 2 + 19 + 15 + 14 octets.
  entries_.reserve(entries_.size() + entries * 50);
  return *this;
}

CrlBuilder& CrlBuilder::add(std::string_view serialHex, TimePoint revokedAt,
                            RevocationReason reason) {
  if (reason == RevocationReason::removeFromCRL) {
    throw PkiError("removeFromCRL is only meaningful in a delta CRL");
  }
  std::array<unsigned char, 21> serial{};
  const std::size_t serialLen = serialContent(serialHex, serial);

  // Encoded on the stack first: no allocation per entry, and a throwing
  // time conversion leaves entries_ untouched.
  std::array<char, 2 + kMaxShortLength> entry{};
  std::size_t len = 2;  // header patched below (always short form)
  entry[len++] = static_cast<char>(kTagInteger);
  entry[len++] = static_cast<char>(serialLen);
  std::memcpy(entry.data() + len, serial.data(), serialLen);
  len += serialLen;
  len += encodeTime(entry.data() + len, revokedAt);
  if (reason != RevocationReason::unspecified) {
    // Extensions { Extension { id-ce-cRLReasons, OCTET STRING { ENUMERATED } } }
    const std::array<char, 14> ext{
        0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55,
        0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01, static_cast<char>(static_cast<int>(reason))};
    std::memcpy(entry.data() + len, ext.data(), ext.size());
    len += ext.size();
  }
  entry[0] = static_cast<char>(kTagSequence);
  entry[1] = static_cast<char>(len - 2);
  entries_.append(entry.data(), len);
  ++count_;
  return *this;
}

SignedCrl CrlBuilder::sign() const {
  if (!number_) throw PkiError("CRL number not set");
  const TimePoint thisUpdate = thisUpdate_.value_or(std::chrono::system_clock::now());
  const TimePoint nextUpdate = nextUpdate_.value_or(thisUpdate + kDefaultValidity);
  if (nextUpdate <= thisUpdate) throw PkiError("CRL nextUpdate is not after thisUpdate");

  EVP_PKEY* key = issuerKey_.get();
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, isEdwards(key) ? nullptr : EVP_sha256(), nullptr,
                                 key) != 1) {
    throw PkiError("cannot initialise CRL signature");
  }
  const std::string algorithm = signatureAlgorithmDer(pctx);

  // TBSCertList: everything but the entries is small, so it is built apart
  // and the entries are copied once, into the final buffer.
  std::string head;
  head.append("\x02\x01\x01", 3);  // version v2
  head.append(algorithm);
  head.append(issuerNameDer(issuer_));
  appendTime(head, thisUpdate);
  appendTime(head, nextUpdate);
  // RFC 5280 5.1.2.6: no revokedCertificates at all when the list is empty.
  if (count_ > 0) appendHeader(head, kTagSequence, entries_.size());

  std::string keyId;
  appendTlv(keyId, kTagKeyId, subjectKeyId(issuer_));
  std::string extensions =
      extension(kOidCrlNumber, tlv(kTagInteger, unsignedIntegerContent(*number_)));
  extensions += extension(kOidAuthorityKeyId, tlv(kTagSequence, keyId));
  const std::string tail = tlv(kTagExplicit0, tlv(kTagSequence, extensions));

  const std::size_t tbsContent = head.size() + (count_ > 0 ? entries_.size() : 0) + tail.size();
  const std::size_t tbsSize = headerSize(tbsContent) + tbsContent;
  std::size_t maxSignature = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &maxSignature, nullptr, 0) != 1) {
    throw PkiError("cannot size CRL signature");
  }
  // The TBS is written once, at the offset the outer SEQUENCE header will
  // need, and signed in place. ECDSA signature lengths vary by a few octets,
  // so the room is sized for the longest; a shorter header (only when the
  // total straddles a DER length boundary) costs one memmove.
  const std::size_t signatureTlv = headerSize(maxSignature + 1) + maxSignature + 1;
  const std::size_t room = headerSize(tbsSize + algorithm.size() + signatureTlv);
  std::string out;
  out.reserve(room + tbsSize + algorithm.size() + signatureTlv);
  out.assign(room, '\0');
  appendHeader(out, kTagSequence, tbsContent);
  out.append(head);
  if (count_ > 0) out.append(entries_);
  out.append(tail);

  const auto* tbs = reinterpret_cast<const unsigned char*>(out.data() + room);
  std::string signature(maxSignature + 1, '\0');  // leading octet: BIT STRING unused bits = 0
  std::size_t sigLen = maxSignature;
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data() + 1), &sigLen,
                     tbs, tbsSize) != 1) {
    throw PkiError("CRL signing failed");
  }
  signature.resize(sigLen + 1);
  out.append(algorithm);
  appendTlv(out, kTagBitString, signature);

  std::string header;
  appendHeader(header, kTagSequence, out.size() - room);
  const std::size_t start = room - header.size();
  out.replace(start, header.size(), header);
  if (start > 0) out.erase(0, start);
  return SignedCrl{std::move(out)};
}

}  // namespace certctl::sdk::pki
