#include "sdk/pki/key_envelope.h"

#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "sdk/pki/memory_bio.h"
#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

namespace {

using CmsPtr = std::unique_ptr<CMS_ContentInfo, OpenSslDeleter<CMS_ContentInfo_free>>;
// sk_X509_free is a macro; the stack does not own the certificates.
void freeX509Stack(STACK_OF(X509) * stack) { sk_X509_free(stack); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), OpenSslDeleter<freeX509Stack>>;

// CMS names keyTrans recipients through a certificate. The client only has
// a CSR, so a throwaway certificate carries its public key and a
// subjectKeyIdentifier; it is signed by an ephemeral key only so OpenSSL can
// encode it, and it never leaves this process.
X509Ptr recipientCarrier(EVP_PKEY* recipient) {
  X509Ptr cert(X509_new());
  if (!cert) throw PkiError("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("EST key recipient"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 300);
  if (X509_set_pubkey(cert.get(), recipient) != 1) throw PkiError("X509_set_pubkey");

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_pubkey_digest(cert.get(), EVP_sha1(), digest, &length) != 1)
    throw PkiError("X509_pubkey_digest");
  Asn1OctetStringPtr keyId(ASN1_OCTET_STRING_new());
  if (!keyId || ASN1_OCTET_STRING_set(keyId.get(), digest, static_cast<int>(length)) != 1 ||
      X509_add1_ext_i2d(cert.get(), NID_subject_key_identifier, keyId.get(), 0, 0) != 1)
    throw PkiError("cannot add the subjectKeyIdentifier");

  EvpPkeyPtr ephemeral(EVP_EC_gen("P-256"));
  if (!ephemeral || X509_sign(cert.get(), ephemeral.get(), EVP_sha256()) <= 0)
    throw PkiError("cannot sign the recipient carrier");
  return cert;
}

}  // namespace

std::string envelopePrivateKey(const PrivateKey& key, EVP_PKEY* recipientRsaKey) {
  if (recipientRsaKey == nullptr || EVP_PKEY_get_base_id(recipientRsaKey) != EVP_PKEY_RSA)
    throw PkiError("the key can only be wrapped for an RSA public key (keyTrans)");
  X509Ptr carrier = recipientCarrier(recipientRsaKey);

  // PKCS#8 DER in a memory BIO whose buffer is cleansed when freed.
  BioPtr plaintext(BIO_new(BIO_s_secmem()));
  if (!plaintext || i2d_PKCS8PrivateKey_bio(plaintext.get(), key.get(), nullptr, nullptr, 0,
                                            nullptr, nullptr) != 1)
    throw PkiError("cannot encode the private key");

  X509StackPtr recipients(sk_X509_new_null());
  if (!recipients || sk_X509_push(recipients.get(), carrier.get()) <= 0)
    throw PkiError("sk_X509_push");
  CmsPtr cms(CMS_encrypt(recipients.get(), plaintext.get(), EVP_aes_256_cbc(),
                         CMS_BINARY | CMS_USE_KEYID));
  if (!cms) throw PkiError("CMS_encrypt");

  BioPtr out = newMemoryBio();
  if (i2d_CMS_bio(out.get(), cms.get()) != 1) throw PkiError("cannot encode the EnvelopedData");
  return bioToString(out.get());
}

}  // namespace certctl::sdk::pki
