#include "sdk/pki/csr_challenge_password.h"

#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

std::optional<std::string> csrChallengePassword(const Csr& csr) {
  X509_REQ* req = csr.get();
  int index = X509_REQ_get_attr_by_NID(req, NID_pkcs9_challengePassword, -1);
  if (index < 0) return std::nullopt;
  if (X509_REQ_get_attr_by_NID(req, NID_pkcs9_challengePassword, index) >= 0)
    throw PkiError("the CSR carries challengePassword twice");
  X509_ATTRIBUTE* attribute = X509_REQ_get_attr(req, index);
  if (X509_ATTRIBUTE_count(attribute) != 1)
    throw PkiError("challengePassword must hold exactly one value");
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attribute, 0);
  if (value == nullptr) throw PkiError("challengePassword has no value");
  switch (value->type) {
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_UTF8STRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_T61STRING:
    case V_ASN1_BMPSTRING:
    case V_ASN1_UNIVERSALSTRING: {
      const ASN1_STRING* text = value->value.asn1_string;
      return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                         static_cast<std::size_t>(ASN1_STRING_length(text)));
    }
    default:
      throw PkiError("challengePassword is not a string");
  }
}

}  // namespace certctl::sdk::pki
