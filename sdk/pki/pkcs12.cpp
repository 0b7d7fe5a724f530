#include "sdk/pki/pkcs12.h"

#include <openssl/pkcs12.h>

#include <climits>
#include <memory>

#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

namespace {

using Pkcs12Ptr = std::unique_ptr<PKCS12, OpenSslDeleter<PKCS12_free>>;

// sk_X509_free only: the stack borrows the certificates.
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

}  // namespace

std::string pkcs12CertificatesDer(const Certificate& cert, const std::vector<Certificate>& chain,
                                  std::string_view password, std::string_view friendlyName) {
  if (password.size() > static_cast<std::size_t>(INT_MAX)) throw PkiError("password too long");
  X509StackPtr ca(sk_X509_new_null());
  if (!ca) throw PkiError("sk_X509_new_null");
  for (const auto& c : chain) {
    if (sk_X509_push(ca.get(), c.get()) <= 0) throw PkiError("cannot collect chain");
  }

  const bool encrypt = !password.empty();
  const std::string pass(password);  // OpenSSL wants NUL-terminated strings
  const std::string name(friendlyName);
  // -1 for the MAC iterations: the MAC is added below with an explicit
  // digest instead of relying on the library default.
  Pkcs12Ptr p12(PKCS12_create_ex(
      encrypt ? pass.c_str() : nullptr, name.empty() ? nullptr : name.c_str(), nullptr, cert.get(),
      ca.get(), 0, encrypt ? NID_aes_256_cbc : -1, PKCS12_DEFAULT_ITER, -1, 0, nullptr, nullptr));
  if (!p12) throw PkiError("cannot build PKCS#12");
  if (encrypt && PKCS12_set_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size()), nullptr, 0,
                                PKCS12_DEFAULT_ITER, EVP_sha256()) != 1) {
    throw PkiError("cannot add PKCS#12 MAC");
  }

  unsigned char* der = nullptr;
  const int len = i2d_PKCS12(p12.get(), &der);
  if (len <= 0) throw PkiError("cannot encode PKCS#12");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace certctl::sdk::pki
