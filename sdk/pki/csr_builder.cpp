#include "sdk/pki/csr_builder.h"

#include <cctype>

#include "sdk/pki/openssl_error.h"
#include "sdk/pki/openssl_ptr.h"
#include "sdk/pki/private_key.h"

namespace certctl::sdk::pki {

namespace {

bool isEdwards(EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

}  // namespace

CsrBuilder& CsrBuilder::commonName(std::string cn) {
  commonName_ = std::move(cn);
  return *this;
}

CsrBuilder& CsrBuilder::organization(std::string o) {
  organization_ = std::move(o);
  return *this;
}

CsrBuilder& CsrBuilder::organizationalUnit(std::string ou) {
  organizationalUnit_ = std::move(ou);
  return *this;
}

CsrBuilder& CsrBuilder::country(std::string c) {
  if (c.size() != 2 || std::isalpha(static_cast<unsigned char>(c[0])) == 0 ||
      std::isalpha(static_cast<unsigned char>(c[1])) == 0) {
    throw PkiError("country must be a two-letter code: '" + c + "'");
  }
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  country_ = std::move(c);
  return *this;
}

CsrBuilder& CsrBuilder::dnsName(std::string name) {
  sans_.addDnsName(std::move(name));
  return *this;
}

CsrBuilder& CsrBuilder::ipAddress(std::string_view ip) {
  sans_.addIpAddress(ip);
  return *this;
}

CsrBuilder& CsrBuilder::emailAddress(std::string email) {
  sans_.addEmailAddress(std::move(email));
  return *this;
}

CsrBuilder& CsrBuilder::uri(std::string uri) {
  sans_.addUri(std::move(uri));
  return *this;
}

CsrBuilder& CsrBuilder::subjectAltName(std::string_view name) {
  sans_.add(name);
  return *this;
}

CsrBuilder& CsrBuilder::subjectAltNames(const SubjectAltNames& names) {
  sans_.merge(names);
  return *this;
}

Csr CsrBuilder::sign(const PrivateKey& key) const {
  if (commonName_.empty() && sans_.empty()) {
    throw PkiError("CSR needs a common name or a subject alternative name");
  }
  X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) {
    throw PkiError("X509_REQ_new");
  }

  // Most general first, as DER subjects are ordered: C, O, OU, CN.
  X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  auto addEntry = [subject](int nid, const std::string& value) {
    if (value.empty()) return;
    if (X509_NAME_add_entry_by_NID(subject, nid, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                   0) != 1) {
      throw PkiError(std::string("cannot set subject ") + OBJ_nid2sn(nid) + " '" + value + "'");
    }
  };
  addEntry(NID_countryName, country_);
  addEntry(NID_organizationName, organization_);
  addEntry(NID_organizationalUnitName, organizationalUnit_);
  addEntry(NID_commonName, commonName_);

  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1) throw PkiError("cannot set CSR public key");

  if (!sans_.empty()) {
    GeneralNamesPtr names = sans_.toGeneralNames();
    ExtensionsPtr exts(sk_X509_EXTENSION_new_null());
    // RFC 5280 4.2.1.6: critical when the subject is empty.
    const bool critical = X509_NAME_entry_count(subject) == 0;
    X509_EXTENSION* ext = X509V3_EXT_i2d(NID_subject_alt_name, critical ? 1 : 0, names.get());
    if (!exts || ext == nullptr || sk_X509_EXTENSION_push(exts.get(), ext) <= 0) {
      X509_EXTENSION_free(ext);
      throw PkiError("cannot encode CSR subjectAltName");
    }
    if (X509_REQ_add_extensions(req.get(), exts.get()) != 1) {
      throw PkiError("cannot add CSR extensions");
    }
  }

  const EVP_MD* md = isEdwards(key.get()) ? nullptr : EVP_sha256();
  if (X509_REQ_sign(req.get(), key.get(), md) <= 0) throw PkiError("CSR signing failed");
  return Csr(std::move(req));
}

}  // namespace certctl::sdk::pki
