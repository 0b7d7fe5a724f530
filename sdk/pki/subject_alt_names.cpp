#include "sdk/pki/subject_alt_names.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

namespace {

constexpr size_t kMaxDnsName = 253;
constexpr size_t kMaxDnsLabel = 63;
constexpr size_t kMaxEmailLocalPart = 64;  // RFC 5321 4.5.3.1.1
constexpr size_t kMaxUri = 2048;

bool isDnsLabelChar(unsigned char c) { return std::isalnum(c) != 0 || c == '-' || c == '_'; }

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Hostname syntax: the name ends up in a certificate other software will
// match against, so refuse what no resolver would accept.
bool isValidDnsName(std::string_view name, bool allowWildcard) {
  if (name.size() > kMaxDnsName) return false;
  if (allowWildcard && name.substr(0, 2) == "*.") name.remove_prefix(2);
  if (name.empty()) return false;
  size_t start = 0;
  for (;;) {
    size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > kMaxDnsLabel || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(), [](char c) { return isDnsLabelChar(c); })) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// RFC 5322 atext: quoted local parts are refused, they are never needed in
// practice and are a classic source of matching confusion.
bool isAtext(unsigned char c) {
  return std::isalnum(c) != 0 ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
             std::string_view::npos;
}

bool isValidEmailLocalPart(std::string_view local) {
  if (local.empty() || local.size() > kMaxEmailLocalPart) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(local.begin(), local.end(),
                     [](unsigned char c) { return c == '.' || isAtext(c); });
}

// RFC 3986: scheme ":" hier-part, restricted to printable ASCII without the
// characters a URI may never contain literally.
bool isValidUri(std::string_view uri) {
  if (uri.size() > kMaxUri) return false;
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == uri.size()) return false;
  if (std::isalpha(static_cast<unsigned char>(uri[0])) == 0) return false;
  for (size_t i = 1; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(uri[i]);
    if (std::isalnum(c) == 0 && c != '+' && c != '-' && c != '.') return false;
  }
  return std::all_of(uri.begin(), uri.end(), [](unsigned char c) {
    return c > 0x20 && c < 0x7F &&
           std::string_view("\"<>\\^`{|}").find(static_cast<char>(c)) == std::string_view::npos;
  });
}

// Raw network-order bytes of an IP literal, or "" if it is none.
std::string ipToBytes(std::string_view text) {
  std::string s(text);
  std::array<unsigned char, 16> buf{};
  if (inet_pton(AF_INET, s.c_str(), buf.data()) == 1) {
    return std::string(reinterpret_cast<const char*>(buf.data()), 4);
  }
  if (inet_pton(AF_INET6, s.c_str(), buf.data()) == 1) {
    return std::string(reinterpret_cast<const char*>(buf.data()), 16);
  }
  return {};
}

// Text form of 4 or 16 raw bytes, "" for any other length.
std::string ipToText(std::string_view raw) {
  char text[INET6_ADDRSTRLEN] = {};
  int family = raw.size() == 4 ? AF_INET : raw.size() == 16 ? AF_INET6 : 0;
  if (family == 0 || inet_ntop(family, raw.data(), text, sizeof text) == nullptr) return {};
  return text;
}

void appendUnique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

std::string asn1StringBytes(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

void pushName(GENERAL_NAMES* names, int type, const std::string& bytes) {
  GENERAL_NAME* gn = GENERAL_NAME_new();
  ASN1_STRING* value = type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
  if (gn == nullptr || value == nullptr ||
      ASN1_STRING_set(value, bytes.data(), static_cast<int>(bytes.size())) != 1) {
    GENERAL_NAME_free(gn);
    ASN1_STRING_free(value);
    throw PkiError("cannot build subjectAltName");
  }
  GENERAL_NAME_set0_value(gn, type, value);
  if (sk_GENERAL_NAME_push(names, gn) <= 0) {
    GENERAL_NAME_free(gn);
    throw PkiError("cannot build subjectAltName");
  }
}

}  // namespace

SubjectAltNames& SubjectAltNames::addDnsName(std::string name) {
  name = lowercase(std::move(name));
  if (!isValidDnsName(name, true)) throw PkiError("invalid DNS name: '" + name + "'");
  appendUnique(dnsNames_, std::move(name));
  return *this;
}

SubjectAltNames& SubjectAltNames::addIpAddress(std::string_view ip) {
  std::string raw = ipToBytes(ip);
  if (raw.empty()) throw PkiError("invalid IP address: '" + std::string(ip) + "'");
  appendUnique(ipAddresses_, ipToText(raw));
  return *this;
}

SubjectAltNames& SubjectAltNames::addEmailAddress(std::string email) {
  size_t at = email.rfind('@');
  if (at == std::string::npos || !isValidEmailLocalPart(std::string_view(email).substr(0, at)) ||
      !isValidDnsName(lowercase(email.substr(at + 1)), false)) {
    throw PkiError("invalid email address: '" + email + "'");
  }
  appendUnique(emailAddresses_, email.substr(0, at + 1) + lowercase(email.substr(at + 1)));
  return *this;
}

SubjectAltNames& SubjectAltNames::addUri(std::string uri) {
  if (!isValidUri(uri)) throw PkiError("invalid URI: '" + uri + "'");
  appendUnique(uris_, std::move(uri));
  return *this;
}

SubjectAltNames& SubjectAltNames::add(std::string_view name) {
  if (!ipToBytes(name).empty()) return addIpAddress(name);
  return addDnsName(std::string(name));
}

SubjectAltNames& SubjectAltNames::merge(const SubjectAltNames& other) {
  // Through the validating setters: `other` may come from fromGeneralNames,
  // i.e. straight from a requester. Validate all first so a refused merge
  // leaves this set unchanged.
  SubjectAltNames merged = *this;
  for (const auto& v : other.dnsNames_) merged.addDnsName(v);
  for (const auto& v : other.ipAddresses_) merged.addIpAddress(v);
  for (const auto& v : other.emailAddresses_) merged.addEmailAddress(v);
  for (const auto& v : other.uris_) merged.addUri(v);
  *this = std::move(merged);
  return *this;
}

bool SubjectAltNames::empty() const {
  return dnsNames_.empty() && ipAddresses_.empty() && emailAddresses_.empty() && uris_.empty();
}

GeneralNamesPtr SubjectAltNames::toGeneralNames() const {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) throw PkiError("GENERAL_NAMES");
  for (const auto& dns : dnsNames_) pushName(names.get(), GEN_DNS, dns);
  for (const auto& ip : ipAddresses_) pushName(names.get(), GEN_IPADD, ipToBytes(ip));
  for (const auto& email : emailAddresses_) pushName(names.get(), GEN_EMAIL, email);
  for (const auto& uri : uris_) pushName(names.get(), GEN_URI, uri);
  return names;
}

SubjectAltNames SubjectAltNames::fromGeneralNames(const GENERAL_NAMES* names) {
  SubjectAltNames out;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    switch (gn->type) {
      case GEN_DNS:
        out.dnsNames_.push_back(asn1StringBytes(gn->d.dNSName));
        break;
      case GEN_IPADD:
        if (std::string text = ipToText(asn1StringBytes(gn->d.iPAddress)); !text.empty()) {
          out.ipAddresses_.push_back(std::move(text));
        }
        break;
      case GEN_EMAIL:
        out.emailAddresses_.push_back(asn1StringBytes(gn->d.rfc822Name));
        break;
      case GEN_URI:
        out.uris_.push_back(asn1StringBytes(gn->d.uniformResourceIdentifier));
        break;
      default:
        break;
    }
  }
  return out;
}

}  // namespace certctl::sdk::pki
