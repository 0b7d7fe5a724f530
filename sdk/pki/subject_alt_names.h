#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sdk/pki/openssl_ptr.h"

namespace certctl::sdk::pki {

// The subjectAltName kinds certctl issues and reads: dNSName, iPAddress,
// rfc822Name and uniformResourceIdentifier. One model for CSRs, the
// certificate builder and the parsers, so a name that passes validation in
// one place is written and read back identically in the others.
//
// The add* setters validate and throw PkiError, because their input becomes a
// certificate other software matches against. fromGeneralNames() does not:
// it reports what a foreign CSR or certificate carries, and policy decides.
class SubjectAltNames {
 public:
  // Hostname syntax, lowercased; a leading "*." wildcard label is allowed.
  SubjectAltNames& addDnsName(std::string name);
  // An IPv4 or IPv6 literal, kept in canonical text form ("2001:db8::1").
  SubjectAltNames& addIpAddress(std::string_view ip);
  // An RFC 5280 rfc822Name: "local@domain", printable ASCII, the domain a
  // hostname (lowercased; the local part keeps its case).
  SubjectAltNames& addEmailAddress(std::string email);
  // An absolute URI ("scheme:rest", RFC 3986 scheme), printable ASCII
  // without spaces, e.g. "spiffe://trust.example/workload".
  SubjectAltNames& addUri(std::string uri);
  // An IP literal goes to addIpAddress, anything else to addDnsName.
  SubjectAltNames& add(std::string_view name);
  // Appends every entry of `other` through the add* setters (duplicates
  // skipped), so parsed names are validated before they are issued. On a
  // refused entry this set is left unchanged.
  SubjectAltNames& merge(const SubjectAltNames& other);

  // In the order added (duplicates dropped) or, when parsed, as encoded.
  const std::vector<std::string>& dnsNames() const { return dnsNames_; }
  const std::vector<std::string>& ipAddresses() const { return ipAddresses_; }
  const std::vector<std::string>& emailAddresses() const { return emailAddresses_; }
  const std::vector<std::string>& uris() const { return uris_; }

  bool empty() const;

  // The extension value: DNS names, then IPs, emails and URIs.
  GeneralNamesPtr toGeneralNames() const;
  // The four kinds out of `names` (nullptr: none); other kinds, and IP
  // entries that are not 4 or 16 bytes (name-constraint masks), are skipped.
  static SubjectAltNames fromGeneralNames(const GENERAL_NAMES* names);

  bool operator==(const SubjectAltNames& other) const = default;

 private:
  std::vector<std::string> dnsNames_;
  std::vector<std::string> ipAddresses_;
  std::vector<std::string> emailAddresses_;
  std::vector<std::string> uris_;
};

}  // namespace certctl::sdk::pki
