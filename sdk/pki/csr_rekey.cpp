#include "sdk/pki/csr_rekey.h"

#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

Csr rekeyCsr(const Csr& original, const PrivateKey& key) {
  X509ReqPtr req(X509_REQ_new());
  if (!req) throw PkiError("X509_REQ_new");
  X509_REQ_set_version(req.get(), 0);
  if (X509_REQ_set_subject_name(req.get(), X509_REQ_get_subject_name(original.get())) != 1)
    throw PkiError("cannot copy the subject");
  ExtensionsPtr extensions(X509_REQ_get_extensions(original.get()));
  if (extensions && sk_X509_EXTENSION_num(extensions.get()) > 0 &&
      X509_REQ_add_extensions(req.get(), extensions.get()) != 1)
    throw PkiError("cannot copy the requested extensions");
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1) throw PkiError("X509_REQ_set_pubkey");
  // Ed25519 signs without a separate digest.
  const EVP_MD* digest =
      EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  if (X509_REQ_sign(req.get(), key.get(), digest) <= 0) throw PkiError("cannot sign the request");
  return Csr(std::move(req));
}

}  // namespace certctl::sdk::pki
