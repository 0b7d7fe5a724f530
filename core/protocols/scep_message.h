#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sdk/pki/certificate.h"
#include "sdk/pki/private_key.h"

namespace certctl::protocols {

// SCEP (RFC 8894) pkiMessage framing: a CMS SignedData whose signed
// attributes carry the message type, transaction id and nonces, wrapping an
// EnvelopedData encrypted to the RA certificate.

// The messageType values of RFC 8894 section 3.2.1.2.
enum class ScepMessageType { CertRep = 3, RenewalReq = 17, PKCSReq = 19, CertPoll = 20 };

// failInfo values (section 3.2.1.4).
enum class ScepFailInfo {
  BadAlg = 0,
  BadMessageCheck = 1,
  BadRequest = 2,
  BadTime = 3,
  BadCertId = 4
};

// A request the RA could not read at all (answered with HTTP 400, as there
// is no transaction to answer in-protocol).
class ScepFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ScepRequest {
  ScepMessageType type{};
  std::string transactionId;
  std::string senderNonce;  // raw bytes
  // The certificate that signed the message: self-signed with the CSR's key
  // for PKCSReq, the certificate being renewed for RenewalReq. The reply is
  // encrypted to it.
  std::optional<sdk::pki::Certificate> signer;
  // The decrypted content: a DER PKCS#10 request (PKCSReq, RenewalReq) or an
  // IssuerAndSubject (CertPoll).
  std::string content;
};

// Verifies the signature (with the certificate the message carries; whether
// that certificate is acceptable is the caller's decision), checks the
// attributes and decrypts the envelope with the RA's key. Throws
// ScepFormatError with a reason.
ScepRequest parseScepRequest(std::string_view der, const sdk::pki::Certificate& raCertificate,
                             const sdk::pki::PrivateKey& raKey);

// CertRep SUCCESS: the issued certificate in a certs-only PKCS#7, encrypted
// to the requester's signer certificate (AES-256-CBC), signed by the RA.
std::string scepSuccessReply(const ScepRequest& request, const sdk::pki::Certificate& issued,
                             const sdk::pki::Certificate& raCertificate,
                             const sdk::pki::PrivateKey& raKey);

// CertRep FAILURE with a failInfo and no envelope.
std::string scepFailureReply(const ScepRequest& request, ScepFailInfo failInfo,
                             const sdk::pki::Certificate& raCertificate,
                             const sdk::pki::PrivateKey& raKey);

}  // namespace certctl::protocols
