#include "sdk/pki/pkcs7.h"

#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include <climits>
#include <memory>

#include "sdk/pki/memory_bio.h"
#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

namespace {

using Pkcs7Ptr = std::unique_ptr<PKCS7, OpenSslDeleter<PKCS7_free>>;

Pkcs7Ptr certsOnly(const std::vector<Certificate>& certificates) {
  if (certificates.empty()) throw PkiError("PKCS#7 certs-only needs at least one certificate");
  Pkcs7Ptr p7(PKCS7_new());
  if (!p7 || PKCS7_set_type(p7.get(), NID_pkcs7_signed) != 1 ||
      PKCS7_content_new(p7.get(), NID_pkcs7_data) != 1 ||
      // Detached: encapContentInfo is id-data with no eContent, as RFC 7030
      // 4.1.3 and crl2pkcs7 have it (not an empty OCTET STRING).
      PKCS7_set_detached(p7.get(), 1) != 1) {
    throw PkiError("cannot build PKCS#7 SignedData");
  }
  for (const auto& cert : certificates) {
    // Up-refs the certificate; the Certificate keeps its own reference.
    if (PKCS7_add_certificate(p7.get(), cert.get()) != 1) {
      throw PkiError("cannot add certificate to PKCS#7");
    }
  }
  return p7;
}

}  // namespace

std::string pkcs7CertsOnlyDer(const std::vector<Certificate>& certificates) {
  Pkcs7Ptr p7 = certsOnly(certificates);
  unsigned char* der = nullptr;
  const int len = i2d_PKCS7(p7.get(), &der);
  if (len <= 0) throw PkiError("cannot encode PKCS#7");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string pkcs7CertsOnlyPem(const std::vector<Certificate>& certificates) {
  Pkcs7Ptr p7 = certsOnly(certificates);
  BioPtr bio = newMemoryBio();
  if (PEM_write_bio_PKCS7(bio.get(), p7.get()) != 1) throw PkiError("cannot write PKCS#7 PEM");
  return bioToString(bio.get());
}

std::vector<Certificate> certificatesFromPkcs7Der(std::string_view der) {
  if (der.size() > static_cast<std::size_t>(LONG_MAX)) throw PkiError("PKCS#7 too large");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!p7) throw PkiError("cannot parse PKCS#7 DER");
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    throw PkiError("trailing bytes after PKCS#7 DER");
  }
  if (PKCS7_type_is_signed(p7.get()) == 0 || p7->d.sign == nullptr) {
    throw PkiError("PKCS#7 is not SignedData");
  }
  std::vector<Certificate> out;
  STACK_OF(X509)* certs = p7->d.sign->cert;
  const int n = certs == nullptr ? 0 : sk_X509_num(certs);
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    X509* cert = sk_X509_value(certs, i);
    if (X509_up_ref(cert) != 1) throw PkiError("X509_up_ref");
    out.emplace_back(X509Ptr(cert));
  }
  return out;
}

}  // namespace certctl::sdk::pki
