#include "sdk/pki/ocsp_response_builder.h"

#include <openssl/ocsp.h>

#include <algorithm>
#include <climits>
#include <memory>

#include "sdk/pki/openssl_error.h"
#include "sdk/pki/openssl_ptr.h"
#include "sdk/pki/private_key.h"

namespace certctl::sdk::pki {

namespace {

using OcspBasicRespPtr = std::unique_ptr<OCSP_BASICRESP, OpenSslDeleter<OCSP_BASICRESP_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, OpenSslDeleter<OCSP_RESPONSE_free>>;
using OcspCertIdPtr = std::unique_ptr<OCSP_CERTID, OpenSslDeleter<OCSP_CERTID_free>>;
using X509AlgorPtr = std::unique_ptr<X509_ALGOR, OpenSslDeleter<X509_ALGOR_free>>;

template <typename T, typename Encode>
std::string toDer(const T* value, Encode encode, const char* what) {
  unsigned char* der = nullptr;
  const int len = encode(value, &der);
  if (len <= 0) throw PkiError(std::string("cannot encode ") + what);
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

Asn1OctetStringPtr octetString(std::string_view bytes) {
  Asn1OctetStringPtr s(ASN1_OCTET_STRING_new());
  if (!s || ASN1_OCTET_STRING_set(s.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size())) != 1) {
    throw PkiError("cannot build OCTET STRING");
  }
  return s;
}

// OCSP_CERTID is opaque and OpenSSL only makes one by hashing an issuer, so
// a CertID as a client sent it is rebuilt from its DER.
OcspCertIdPtr toOpenSsl(const OcspCertId& id) {
  Asn1ObjectPtr oid(OBJ_txt2obj(id.hashAlgorithm.c_str(), 0));
  X509AlgorPtr algorithm(X509_ALGOR_new());
  if (!oid || !algorithm)
    throw PkiError("unknown CertID hash algorithm '" + id.hashAlgorithm + "'");
  // NULL parameters, as RFC 6960 clients send for SHA-1 and SHA-2.
  if (X509_ALGOR_set0(algorithm.get(), oid.get(), V_ASN1_NULL, nullptr) != 1) {
    throw PkiError("cannot build CertID hash algorithm");
  }
  (void)oid.release();  // owned by `algorithm` now

  BIGNUM* raw = nullptr;
  const int used = id.serialHex.empty() ? 0 : BN_hex2bn(&raw, id.serialHex.c_str());
  BignumPtr serialBn(raw);
  if (!serialBn || used != static_cast<int>(id.serialHex.size())) {
    throw PkiError("CertID serial is not hex: '" + id.serialHex + "'");
  }
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(serialBn.get(), nullptr));
  if (!serial) throw PkiError("cannot build CertID serial");

  std::string content = toDer(algorithm.get(), i2d_X509_ALGOR, "CertID algorithm");
  content += toDer(octetString(id.issuerNameHash).get(), i2d_ASN1_OCTET_STRING, "CertID hash");
  content += toDer(octetString(id.issuerKeyHash).get(), i2d_ASN1_OCTET_STRING, "CertID hash");
  content += toDer(serial.get(), i2d_ASN1_INTEGER, "CertID serial");

  const int len = static_cast<int>(content.size());
  std::string der(static_cast<std::size_t>(ASN1_object_size(1, len, V_ASN1_SEQUENCE)), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  ASN1_put_object(&p, 1, len, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
  std::copy(content.begin(), content.end(), p);

  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  OcspCertIdPtr cid(d2i_OCSP_CERTID(nullptr, &in, static_cast<long>(der.size())));
  if (!cid) throw PkiError("cannot build CertID");
  return cid;
}

Asn1TimePtr generalizedTime(std::chrono::system_clock::time_point t) {
  // RFC 6960 times are GeneralizedTime, whatever the year.
  Asn1TimePtr out(ASN1_GENERALIZEDTIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
  if (!out) throw PkiError("cannot encode OCSP time");
  return out;
}

bool isEdwards(EVP_PKEY* key) {
  const int id = EVP_PKEY_get_base_id(key);
  return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

std::string responseDer(const OCSP_RESPONSE* response) {
  return toDer(response, i2d_OCSP_RESPONSE, "OCSP response");
}

}  // namespace

OcspResponseBuilder::OcspResponseBuilder(Certificate issuer, Certificate responder,
                                         const PrivateKey& responderKey)
    : issuer_(std::move(issuer)), responder_(std::move(responder)), responderKey_(responderKey) {
  if (!responder_.matchesKey(responderKey_)) {
    throw PkiError("OCSP responder key does not match the responder certificate");
  }
  if (responder_ == issuer_) return;
  if (!responder_.isSignedBy(issuer_)) {
    throw PkiError("OCSP responder certificate is not issued by the CA it answers for");
  }
  if ((X509_get_extension_flags(responder_.get()) & EXFLAG_XKUSAGE) == 0 ||
      (X509_get_extended_key_usage(responder_.get()) & XKU_OCSP_SIGN) == 0) {
    throw PkiError("delegated OCSP responder certificate lacks the OCSPSigning key usage");
  }
}

OcspResponseBuilder& OcspResponseBuilder::thisUpdate(TimePoint t) {
  thisUpdate_ = t;
  return *this;
}

OcspResponseBuilder& OcspResponseBuilder::nextUpdate(TimePoint t) {
  nextUpdate_ = t;
  validFor_.reset();
  return *this;
}

OcspResponseBuilder& OcspResponseBuilder::validFor(std::chrono::seconds d) {
  validFor_ = d;
  nextUpdate_.reset();
  return *this;
}

OcspResponseBuilder& OcspResponseBuilder::nonce(std::string extnValue) {
  nonce_ = std::move(extnValue);
  return *this;
}

OcspResponseBuilder& OcspResponseBuilder::add(OcspCertId id, OcspCertStatus status) {
  entries_.emplace_back(std::move(id), status);
  return *this;
}

OcspResponseBuilder& OcspResponseBuilder::clear() {
  entries_.clear();
  nonce_.reset();
  return *this;
}

std::string OcspResponseBuilder::sign() const {
  if (entries_.empty()) throw PkiError("OCSP response without any certificate status");
  return build(entries_, nonce_);
}

std::string OcspResponseBuilder::signSingle(std::string_view serialHex,
                                            const OcspCertStatus& status,
                                            std::string_view hashAlgorithm) const {
  return build({Entry{OcspCertId::forSerial(issuer_, serialHex, hashAlgorithm), status}},
               std::nullopt);
}

std::string OcspResponseBuilder::build(const std::vector<Entry>& entries,
                                       const std::optional<std::string>& nonce) const {
  const TimePoint produced = std::chrono::system_clock::now();
  const TimePoint from = thisUpdate_.value_or(produced);
  std::optional<TimePoint> until = nextUpdate_;
  if (validFor_) until = from + *validFor_;
  if (until && *until <= from) throw PkiError("OCSP nextUpdate is not after thisUpdate");
  Asn1TimePtr thisTime = generalizedTime(from);
  Asn1TimePtr nextTime = until ? generalizedTime(*until) : nullptr;

  OcspBasicRespPtr basic(OCSP_BASICRESP_new());
  if (!basic) throw PkiError("OCSP_BASICRESP_new");
  for (const auto& [id, status] : entries) {
    OcspCertIdPtr cid = toOpenSsl(id);
    int code = V_OCSP_CERTSTATUS_GOOD;
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;  // leaves revocationReason out
    Asn1TimePtr revokedAt;
    if (status.kind == OcspCertStatus::Kind::revoked) {
      code = V_OCSP_CERTSTATUS_REVOKED;
      revokedAt = generalizedTime(status.revocationTime);
      if (status.reason != RevocationReason::unspecified) reason = static_cast<int>(status.reason);
    } else if (status.kind == OcspCertStatus::Kind::unknown) {
      code = V_OCSP_CERTSTATUS_UNKNOWN;
    }
    if (OCSP_basic_add1_status(basic.get(), cid.get(), code, reason, revokedAt.get(),
                               thisTime.get(), nextTime.get()) == nullptr) {
      throw PkiError("cannot add OCSP single response");
    }
  }

  if (nonce) {
    Asn1OctetStringPtr value = octetString(*nonce);
    X509ExtensionPtr ext(
        X509_EXTENSION_create_by_NID(nullptr, NID_id_pkix_OCSP_Nonce, 0, value.get()));
    if (!ext || OCSP_BASICRESP_add_ext(basic.get(), ext.get(), -1) != 1) {
      throw PkiError("cannot echo OCSP nonce");
    }
  }

  EVP_PKEY* key = responderKey_.get();
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, isEdwards(key) ? nullptr : EVP_sha256(), nullptr,
                         key) != 1 ||
      OCSP_basic_sign_ctx(basic.get(), responder_.get(), ctx.get(), nullptr, OCSP_RESPID_KEY) !=
          1) {
    throw PkiError("cannot sign OCSP response");
  }
  OcspResponsePtr response(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  if (!response) throw PkiError("cannot build OCSP response");
  return responseDer(response.get());
}

std::string OcspResponseBuilder::errorResponse(OcspResponseStatus status) {
  if (status == OcspResponseStatus::successful) {
    throw PkiError("a successful OCSP response needs a signed body");
  }
  OcspResponsePtr response(OCSP_response_create(static_cast<int>(status), nullptr));
  if (!response) throw PkiError("cannot build OCSP error response");
  return responseDer(response.get());
}

}  // namespace certctl::sdk::pki
