#include "core/protocols/renewal_match.h"

#include <algorithm>
#include <set>

namespace certctl::protocols {

namespace {

std::set<std::string> tagged(const sdk::pki::SubjectAltNames& names) {
  std::set<std::string> out;
  for (const auto& n : names.dnsNames()) out.insert("DNS:" + n);
  for (const auto& n : names.ipAddresses()) out.insert("IP:" + n);
  for (const auto& n : names.emailAddresses()) out.insert("email:" + n);
  for (const auto& n : names.uris()) out.insert("URI:" + n);
  return out;
}

std::string entryValue(const X509_NAME_ENTRY* entry) {
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
  if (length < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

bool subjectHas(const X509_NAME* subject, int nid, const std::string& value) {
  for (int i = X509_NAME_get_index_by_NID(subject, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, nid, i))
    if (entryValue(X509_NAME_get_entry(subject, i)) == value) return true;
  return false;
}

}  // namespace

std::string renewalMismatch(const sdk::pki::Certificate& current, const sdk::pki::Csr& csr) {
  if (csr.subjectCommonName().empty() || csr.subjectCommonName() != current.subjectCommonName())
    return "the CSR's common name \"" + csr.subjectCommonName() +
           "\" is not the current certificate's \"" + current.subjectCommonName() + "\"";
  const X509_NAME* requested = X509_REQ_get_subject_name(csr.get());
  const X509_NAME* held = X509_get_subject_name(current.get());
  for (int i = 0; i < X509_NAME_entry_count(requested); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(requested, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    std::string value = entryValue(entry);
    if (!subjectHas(held, nid, value))
      return "the CSR subject \"" + csr.subjectString() +
             "\" names what the current certificate's \"" + current.subjectString() + "\" does not";
  }
  std::set<std::string> names;
  try {
    names = tagged(csr.subjectAltNames());
  } catch (const std::exception& e) {
    return std::string("the CSR's subjectAltName is malformed: ") + e.what();
  }
  std::set<std::string> heldNames = tagged(current.subjectAltNames());
  for (const auto& name : names)
    if (!heldNames.count(name))
      return "the CSR asks for " + name + ", which the current certificate does not name";
  return {};
}

}  // namespace certctl::protocols
