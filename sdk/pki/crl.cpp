#include "sdk/pki/crl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

#include "sdk/pki/fingerprint.h"
#include "sdk/pki/memory_bio.h"
#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

namespace {

using Asn1EnumeratedPtr = std::unique_ptr<ASN1_ENUMERATED, OpenSslDeleter<ASN1_ENUMERATED_free>>;

std::chrono::system_clock::time_point toTimePoint(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) throw PkiError("invalid CRL time");
  using namespace std::chrono;
  // Calendar arithmetic instead of timegm(): portable and immune to TZ.
  const sys_days day = year{tm.tm_year + 1900} / month{static_cast<unsigned>(tm.tm_mon + 1)} /
                       std::chrono::day{static_cast<unsigned>(tm.tm_mday)};
  return system_clock::time_point(day) + hours{tm.tm_hour} + minutes{tm.tm_min} +
         seconds{tm.tm_sec};
}

// Uppercase hex without leading zeros, as Certificate::serialHex() prints.
std::string integerHex(const ASN1_INTEGER* value) {
  std::string hex =
      hexEncode(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                                 static_cast<std::size_t>(ASN1_STRING_length(value))),
                true);
  const std::size_t first = hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : hex.substr(first);
}

}  // namespace

Crl::Crl(X509CrlPtr crl) : crl_(std::move(crl)) {
  if (!crl_) throw PkiError("null CRL");
}

Crl Crl::fromDer(std::string_view der) {
  if (der.size() > static_cast<std::size_t>(LONG_MAX)) throw PkiError("CRL DER too large");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) throw PkiError("cannot parse CRL DER");
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    throw PkiError("trailing bytes after CRL DER");
  }
  return Crl(std::move(crl));
}

Crl Crl::fromPem(std::string_view pem) {
  BioPtr bio = memoryBioFrom(pem);
  X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) throw PkiError("cannot parse CRL PEM");
  return Crl(std::move(crl));
}

std::string Crl::toDer() const {
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl_.get(), &der);
  if (len <= 0) throw PkiError("cannot encode CRL");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string Crl::issuerString() const {
  BioPtr bio = newMemoryBio();
  constexpr unsigned long kFlags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (X509_NAME_print_ex(bio.get(), X509_CRL_get_issuer(crl_.get()), 0, kFlags) < 0) {
    throw PkiError("cannot print CRL issuer");
  }
  return bioToString(bio.get());
}

std::chrono::system_clock::time_point Crl::thisUpdate() const {
  return toTimePoint(X509_CRL_get0_lastUpdate(crl_.get()));
}

std::optional<std::chrono::system_clock::time_point> Crl::nextUpdate() const {
  const ASN1_TIME* t = X509_CRL_get0_nextUpdate(crl_.get());
  if (t == nullptr) return std::nullopt;
  return toTimePoint(t);
}

std::optional<std::string> Crl::numberHex() const {
  int critical = 0;
  Asn1IntegerPtr number(static_cast<ASN1_INTEGER*>(
      X509_CRL_get_ext_d2i(crl_.get(), NID_crl_number, &critical, nullptr)));
  if (!number) {
    ERR_clear_error();
    return std::nullopt;
  }
  return integerHex(number.get());
}

std::size_t Crl::entryCount() const {
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl_.get());
  return revoked == nullptr ? 0 : static_cast<std::size_t>(sk_X509_REVOKED_num(revoked));
}

std::vector<CrlEntry> Crl::entries() const {
  std::vector<CrlEntry> out;
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl_.get());
  if (revoked == nullptr) return out;
  const int n = sk_X509_REVOKED_num(revoked);
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const X509_REVOKED* r = sk_X509_REVOKED_value(revoked, i);
    CrlEntry entry;
    entry.serialHex = integerHex(X509_REVOKED_get0_serialNumber(r));
    entry.revocationTime = toTimePoint(X509_REVOKED_get0_revocationDate(r));
    int critical = 0;
    Asn1EnumeratedPtr code(static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(r, NID_crl_reason, &critical, nullptr)));
    if (code) {
      entry.reason = revocationReasonFromCode(static_cast<int>(ASN1_ENUMERATED_get(code.get())))
                         .value_or(RevocationReason::unspecified);
    }
    out.push_back(std::move(entry));
  }
  ERR_clear_error();  // absent extensions may leave queue entries behind
  return out;
}

bool Crl::isSignedBy(const Certificate& issuer) const {
  bool ok = false;
  try {
    ok = X509_CRL_verify(crl_.get(), issuer.publicKey()) == 1;
  } catch (const PkiError&) {
  }
  ERR_clear_error();
  return ok;
}

}  // namespace certctl::sdk::pki
