#include "sdk/pki/ocsp_request.h"

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <array>
#include <climits>
#include <memory>

#include "sdk/pki/fingerprint.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/openssl_ptr.h"

namespace certctl::sdk::pki {

namespace {

using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, OpenSslDeleter<OCSP_REQUEST_free>>;

std::string bytes(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

// Short name when OpenSSL knows the digest, dotted OID otherwise.
std::string algorithmName(const ASN1_OBJECT* oid) {
  const int nid = OBJ_obj2nid(oid);
  if (nid != NID_undef) {
    if (const char* sn = OBJ_nid2sn(nid)) return sn;
  }
  std::array<char, 128> buf{};
  const int len = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), oid, 1);
  if (len <= 0 || len >= static_cast<int>(buf.size())) {
    throw PkiError("OCSP CertID hash algorithm is not a readable OID");
  }
  return std::string(buf.data(), static_cast<std::size_t>(len));
}

std::string serialHex(const ASN1_INTEGER* serial) {
  if (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) {
    throw PkiError("OCSP CertID serial is negative");
  }
  std::string hex = hexEncode(bytes(serial), true);
  const std::size_t first = hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : hex.substr(first);
}

}  // namespace

OcspRequest OcspRequest::fromDer(std::string_view der) {
  if (der.size() > static_cast<std::size_t>(LONG_MAX)) throw PkiError("OCSP request too large");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OcspRequestPtr req(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size())));
  if (!req) throw PkiError("cannot parse OCSP request DER");
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    throw PkiError("trailing bytes after OCSP request DER");
  }

  OcspRequest out;
  const int count = OCSP_request_onereq_count(req.get());
  if (count <= 0) throw PkiError("OCSP request names no certificate");
  out.certIds_.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req.get(), i));
    ASN1_OCTET_STRING* nameHash = nullptr;
    ASN1_OBJECT* md = nullptr;
    ASN1_OCTET_STRING* keyHash = nullptr;
    ASN1_INTEGER* serial = nullptr;
    if (cid == nullptr || OCSP_id_get0_info(&nameHash, &md, &keyHash, &serial, cid) != 1 ||
        nameHash == nullptr || md == nullptr || keyHash == nullptr || serial == nullptr) {
      throw PkiError("unreadable CertID in OCSP request");
    }
    out.certIds_.push_back(
        OcspCertId{algorithmName(md), bytes(nameHash), bytes(keyHash), serialHex(serial)});
  }

  const int nonceAt = OCSP_REQUEST_get_ext_by_NID(req.get(), NID_id_pkix_OCSP_Nonce, -1);
  if (nonceAt >= 0) {
    const ASN1_OCTET_STRING* value =
        X509_EXTENSION_get_data(OCSP_REQUEST_get_ext(req.get(), nonceAt));
    if (value == nullptr) throw PkiError("unreadable OCSP nonce");
    out.nonce_ = bytes(value);
  }
  out.signed_ = OCSP_request_is_signed(req.get()) == 1;
  ERR_clear_error();
  return out;
}

}  // namespace certctl::sdk::pki
