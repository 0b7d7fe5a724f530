#include "sdk/pki/trust_store.h"

#include <fstream>
#include <sstream>

#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

TrustStore::TrustStore(std::vector<Certificate> anchors) : anchors_(std::move(anchors)) {
  store_.reset(X509_STORE_new(), X509_STORE_free);
  if (!store_) throw PkiError("X509_STORE_new");
  // An issuing CA alone (without its root) is a usable anchor.
  X509_STORE_set_flags(store_.get(), X509_V_FLAG_PARTIAL_CHAIN);
  for (const Certificate& anchor : anchors_)
    if (X509_STORE_add_cert(store_.get(), anchor.get()) != 1)
      throw PkiError("cannot add a trust anchor");
}

TrustStore TrustStore::fromPemFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw PkiError("cannot read trust bundle " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return fromPem(text.str(), "trust bundle " + path.string());
}

TrustStore TrustStore::fromPem(const std::string& pem, const std::string& what) {
  std::vector<Certificate> anchors;
  try {
    // Eager: chain verification needs the decoded keys.
    anchors = Certificate::chainFromPem(pem);
  } catch (const std::exception& e) {
    throw PkiError(what + ": " + e.what());
  }
  if (anchors.empty()) throw PkiError(what + " holds no certificate");
  // An expired anchor is the sign of a half-done rotation: refuse the bundle.
  auto now = std::chrono::system_clock::now();
  for (const Certificate& anchor : anchors)
    if (anchor.notAfter() <= now)
      throw PkiError(what + ": " + anchor.subjectString() + " has expired");
  return TrustStore(std::move(anchors));
}

std::string TrustStore::verify(const Certificate& leaf) const {
  X509StoreCtxPtr context(X509_STORE_CTX_new());
  if (!context || X509_STORE_CTX_init(context.get(), store_.get(), leaf.get(), nullptr) != 1)
    return "cannot set up certificate verification";
  if (X509_verify_cert(context.get()) == 1) return {};
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get()));
}

}  // namespace certctl::sdk::pki
