#include "core/protocols/acme/ari_cert_id.h"

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "core/protocols/acme/acme_problem.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/openssl_ptr.h"

namespace certctl::protocols::acme {

namespace pki = sdk::pki;

std::string AriCertId::serialHex() const {
  pki::BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()),
                              static_cast<int>(serial.size()), nullptr));
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  if (hex == nullptr) return "0";
  std::string out(hex);
  OPENSSL_free(hex);
  auto first = out.find_first_not_of('0');
  return first == std::string::npos ? "0" : out.substr(first);
}

std::string AriCertId::text() const {
  return pki::base64UrlEncode(keyIdentifier) + "." + pki::base64UrlEncode(serial);
}

AriCertId parseAriCertId(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size() ||
      text.find('.', dot + 1) != std::string_view::npos || text.size() > 512)
    throw malformed("the certificate identifier must be base64url(AKI).base64url(serial)");
  AriCertId id;
  try {
    id.keyIdentifier = pki::base64UrlDecode(text.substr(0, dot), "key identifier");
    id.serial = pki::base64UrlDecode(text.substr(dot + 1), "serial");
  } catch (const std::exception&) {
    throw malformed("the certificate identifier is not base64url");
  }
  if (id.keyIdentifier.empty() || id.serial.empty())
    throw malformed("the certificate identifier has an empty part");
  auto first = static_cast<unsigned char>(id.serial[0]);
  if ((first & 0x80) != 0) throw malformed("the serial number in the identifier is negative");
  if (first == 0 &&
      (id.serial.size() == 1 || (static_cast<unsigned char>(id.serial[1]) & 0x80) == 0))
    throw malformed("the serial number in the identifier is not DER (leading zero)");
  return id;
}

AriCertId ariCertIdOf(const pki::Certificate& certificate) {
  const ASN1_OCTET_STRING* keyId = X509_get0_authority_key_id(certificate.get());
  if (keyId == nullptr || ASN1_STRING_length(keyId) == 0)
    throw malformed("the certificate has no authority key identifier");
  AriCertId id;
  id.keyIdentifier.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(keyId)),
                          static_cast<std::size_t>(ASN1_STRING_length(keyId)));
  // The DER INTEGER minus tag and length: a positive serial whose top bit
  // is set keeps its leading 0x00.
  unsigned char* der = nullptr;
  int len = i2d_ASN1_INTEGER(X509_get0_serialNumber(certificate.get()), &der);
  if (len < 3) {
    OPENSSL_free(der);
    throw malformed("the certificate's serial number cannot be encoded");
  }
  std::string encoded(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  auto lengthOctet = static_cast<unsigned char>(encoded[1]);
  std::size_t header = (lengthOctet & 0x80) != 0 ? 2 + (lengthOctet & 0x7f) : 2;
  id.serial = encoded.substr(header);
  return id;
}

}  // namespace certctl::protocols::acme
