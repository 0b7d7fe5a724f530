#include "core/protocols/scep_message.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>

#include <climits>
#include <mutex>

#include "sdk/pki/memory_bio.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/pkcs7.h"

namespace certctl::protocols {

namespace {

namespace pki = sdk::pki;

using Pkcs7Ptr = std::unique_ptr<PKCS7, pki::OpenSslDeleter<PKCS7_free>>;
// The stack only (its certificates belong to the PKCS#7 or the caller).
void freeX509Stack(STACK_OF(X509) * stack) { sk_X509_free(stack); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), pki::OpenSslDeleter<freeX509Stack>>;

constexpr std::size_t kMaxMessageBytes = 256 * 1024;
constexpr std::size_t kMaxTransactionId = 128;
constexpr std::size_t kNonceBytes = 16;

// The SCEP attribute OIDs (RFC 8894 section 3.2.1), registered with OpenSSL
// once per process.
struct ScepNids {
  int messageType, pkiStatus, failInfo, senderNonce, recipientNonce, transactionId;
};

const ScepNids& nids() {
  static ScepNids ids;
  static std::once_flag once;
  std::call_once(once, [] {
    auto nid = [](const char* oid, const char* name) {
      int id = OBJ_txt2nid(oid);
      if (id == NID_undef) id = OBJ_create(oid, name, name);
      if (id == NID_undef) throw pki::PkiError(std::string("cannot register OID ") + oid);
      return id;
    };
    ids.messageType = nid("2.16.840.1.113733.1.9.2", "scepMessageType");
    ids.pkiStatus = nid("2.16.840.1.113733.1.9.3", "scepPkiStatus");
    ids.failInfo = nid("2.16.840.1.113733.1.9.4", "scepFailInfo");
    ids.senderNonce = nid("2.16.840.1.113733.1.9.5", "scepSenderNonce");
    ids.recipientNonce = nid("2.16.840.1.113733.1.9.6", "scepRecipientNonce");
    ids.transactionId = nid("2.16.840.1.113733.1.9.7", "scepTransactionID");
  });
  return ids;
}

std::string stringAttribute(PKCS7_SIGNER_INFO* si, int nid, int type) {
  ASN1_TYPE* value = PKCS7_get_signed_attribute(si, nid);
  if (!value || value->type != type) return {};
  const ASN1_STRING* s = value->value.asn1_string;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

Pkcs7Ptr parsePkcs7(std::string_view der, const char* what) {
  if (der.empty() || der.size() > kMaxMessageBytes)
    throw ScepFormatError(std::string(what) + ": empty or larger than 256 KiB");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!p7 || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size())
    throw ScepFormatError(std::string(what) + ": not one DER PKCS#7 structure");
  return p7;
}

std::string toDer(PKCS7* p7) {
  unsigned char* der = nullptr;
  int len = i2d_PKCS7(p7, &der);
  if (len <= 0) throw pki::PkiError("cannot encode a SCEP reply");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

void addString(PKCS7_SIGNER_INFO* si, int nid, int type, const std::string& value) {
  ASN1_STRING* s = ASN1_STRING_type_new(type);
  if (!s || ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) != 1 ||
      PKCS7_add_signed_attribute(si, nid, type, s) != 1) {
    ASN1_STRING_free(s);
    throw pki::PkiError("cannot add a SCEP attribute");
  }
}

// A CertRep signed by the RA; `envelope` (DER EnvelopedData) is its content
// on success, absent on failure.
std::string certRep(const ScepRequest& request, const std::string& pkiStatus,
                    const std::string* failInfo, const std::string* envelope,
                    const pki::Certificate& raCertificate, const pki::PrivateKey& raKey) {
  const ScepNids& n = nids();
  const int flags = PKCS7_BINARY | PKCS7_NOSMIMECAP | PKCS7_PARTIAL;
  Pkcs7Ptr p7(PKCS7_sign(nullptr, nullptr, nullptr, nullptr, flags));
  if (!p7) throw pki::PkiError("cannot start a SCEP reply");
  PKCS7_SIGNER_INFO* si =
      PKCS7_sign_add_signer(p7.get(), raCertificate.get(), raKey.get(), EVP_sha256(), flags);
  if (!si) throw pki::PkiError("cannot sign a SCEP reply with the RA key");
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1)
    throw pki::PkiError("RAND_bytes failed");
  addString(si, n.messageType, V_ASN1_PRINTABLESTRING,
            std::to_string(static_cast<int>(ScepMessageType::CertRep)));
  addString(si, n.pkiStatus, V_ASN1_PRINTABLESTRING, pkiStatus);
  if (failInfo) addString(si, n.failInfo, V_ASN1_PRINTABLESTRING, *failInfo);
  addString(si, n.transactionId, V_ASN1_PRINTABLESTRING, request.transactionId);
  addString(si, n.senderNonce, V_ASN1_OCTET_STRING, nonce);
  addString(si, n.recipientNonce, V_ASN1_OCTET_STRING, request.senderNonce);
  pki::BioPtr content = pki::memoryBioFrom(envelope ? std::string_view(*envelope) : "");
  if (PKCS7_final(p7.get(), content.get(), flags) != 1)
    throw pki::PkiError("cannot finish a SCEP reply");
  return toDer(p7.get());
}

}  // namespace

ScepRequest parseScepRequest(std::string_view der, const pki::Certificate& raCertificate,
                             const pki::PrivateKey& raKey) {
  const ScepNids& n = nids();
  Pkcs7Ptr p7 = parsePkcs7(der, "pkiMessage");
  if (!PKCS7_type_is_signed(p7.get())) throw ScepFormatError("pkiMessage: not a SignedData");
  STACK_OF(PKCS7_SIGNER_INFO)* infos = PKCS7_get_signer_info(p7.get());
  if (!infos || sk_PKCS7_SIGNER_INFO_num(infos) != 1)
    throw ScepFormatError("pkiMessage: expected exactly one signer");
  X509StackPtr signers(PKCS7_get0_signers(p7.get(), nullptr, 0));
  if (!signers || sk_X509_num(signers.get()) != 1)
    throw ScepFormatError("pkiMessage: the signer's certificate is not in the message");
  X509* signer = sk_X509_value(signers.get(), 0);

  // The signature against the included certificate; PKCS7_NOVERIFY: the
  // certificate's own chain is the caller's business (self-signed for PKCSReq).
  pki::BioPtr envelopeDer = pki::newMemoryBio();
  if (PKCS7_verify(p7.get(), nullptr, nullptr, nullptr, envelopeDer.get(),
                   PKCS7_NOVERIFY | PKCS7_BINARY) != 1) {
    ERR_clear_error();
    throw ScepFormatError("pkiMessage: the signature does not verify");
  }

  PKCS7_SIGNER_INFO* si = sk_PKCS7_SIGNER_INFO_value(infos, 0);
  ScepRequest request;
  std::string type = stringAttribute(si, n.messageType, V_ASN1_PRINTABLESTRING);
  if (type == "19")
    request.type = ScepMessageType::PKCSReq;
  else if (type == "17")
    request.type = ScepMessageType::RenewalReq;
  else if (type == "20")
    request.type = ScepMessageType::CertPoll;
  else
    throw ScepFormatError("pkiMessage: unsupported messageType \"" + type.substr(0, 8) + "\"");
  request.transactionId = stringAttribute(si, n.transactionId, V_ASN1_PRINTABLESTRING);
  if (request.transactionId.empty() || request.transactionId.size() > kMaxTransactionId)
    throw ScepFormatError("pkiMessage: transactionID missing or longer than 128 characters");
  request.senderNonce = stringAttribute(si, n.senderNonce, V_ASN1_OCTET_STRING);
  if (request.senderNonce.size() != kNonceBytes)
    throw ScepFormatError("pkiMessage: senderNonce must be 16 bytes");
  X509_up_ref(signer);
  request.signer.emplace(pki::X509Ptr(signer));

  // The envelope, encrypted to the RA.
  Pkcs7Ptr envelope = parsePkcs7(pki::bioToString(envelopeDer.get()), "pkcsPKIEnvelope");
  if (!PKCS7_type_is_enveloped(envelope.get()))
    throw ScepFormatError("pkcsPKIEnvelope: not an EnvelopedData");
  pki::BioPtr content = pki::newMemoryBio();
  if (PKCS7_decrypt(envelope.get(), raKey.get(), raCertificate.get(), content.get(), 0) != 1) {
    ERR_clear_error();
    throw ScepFormatError("pkcsPKIEnvelope: cannot be decrypted with the RA key");
  }
  request.content = pki::bioToString(content.get());
  return request;
}

std::string scepSuccessReply(const ScepRequest& request, const pki::Certificate& issued,
                             const pki::Certificate& raCertificate, const pki::PrivateKey& raKey) {
  std::string certsOnly = pki::pkcs7CertsOnlyDer({issued});
  X509StackPtr recipients(sk_X509_new_null());
  if (!recipients || !request.signer || sk_X509_push(recipients.get(), request.signer->get()) <= 0)
    throw pki::PkiError("cannot address the SCEP reply");
  pki::BioPtr in = pki::memoryBioFrom(certsOnly);
  Pkcs7Ptr envelope(PKCS7_encrypt(recipients.get(), in.get(), EVP_aes_256_cbc(), PKCS7_BINARY));
  if (!envelope) throw pki::PkiError("cannot encrypt the SCEP reply to the requester");
  std::string envelopeDer = toDer(envelope.get());
  return certRep(request, "0", nullptr, &envelopeDer, raCertificate, raKey);
}

std::string scepFailureReply(const ScepRequest& request, ScepFailInfo failInfo,
                             const pki::Certificate& raCertificate, const pki::PrivateKey& raKey) {
  std::string info = std::to_string(static_cast<int>(failInfo));
  return certRep(request, "2", &info, nullptr, raCertificate, raKey);
}

}  // namespace certctl::protocols
