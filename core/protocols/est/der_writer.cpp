#include "core/protocols/est/der_writer.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include <stdexcept>

namespace certctl::protocols::est {

std::string derTlv(unsigned char tag, std::string_view content) {
  std::string out(1, static_cast<char>(tag));
  std::size_t length = content.size();
  if (length < 0x80) {
    out += static_cast<char>(length);
  } else {
    std::string bytes;
    for (std::size_t n = length; n > 0; n >>= 8)
      bytes.insert(bytes.begin(), static_cast<char>(n & 0xff));
    out += static_cast<char>(0x80 | bytes.size());
    out += bytes;
  }
  out += content;
  return out;
}

std::string derSequence(std::string_view content) { return derTlv(0x30, content); }
std::string derSet(std::string_view content) { return derTlv(0x31, content); }

std::string derOid(std::string_view dotted) {
  ASN1_OBJECT* object = OBJ_txt2obj(std::string(dotted).c_str(), 1);
  if (object == nullptr) throw std::invalid_argument("not an OID: " + std::string(dotted));
  unsigned char* der = nullptr;
  int length = i2d_ASN1_OBJECT(object, &der);
  ASN1_OBJECT_free(object);
  if (length <= 0) throw std::invalid_argument("cannot encode OID " + std::string(dotted));
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace certctl::protocols::est
