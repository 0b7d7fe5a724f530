#pragma once

#include <string>
#include <string_view>

#include "sdk/pki/csr.h"
#include "sdk/pki/subject_alt_names.h"

namespace certctl::sdk::pki {

class PrivateKey;

// Builds and signs PKCS#10 requests the way the agent and the server-keygen
// path need them: a small subject, the four SAN kinds in one requested
// subjectAltName extension, SHA-256 signatures (Ed25519 signs without a
// separate digest). Setters validate at once, like CertificateBuilder.
class CsrBuilder {
 public:
  CsrBuilder& commonName(std::string cn);
  CsrBuilder& organization(std::string o);
  CsrBuilder& organizationalUnit(std::string ou);
  // ISO 3166 two-letter code ("DE"); throws PkiError otherwise.
  CsrBuilder& country(std::string c);

  CsrBuilder& dnsName(std::string name);
  CsrBuilder& ipAddress(std::string_view ip);
  CsrBuilder& emailAddress(std::string email);
  CsrBuilder& uri(std::string uri);
  // An IP literal goes to ipAddress, anything else to dnsName.
  CsrBuilder& subjectAltName(std::string_view name);
  // Appends every entry of `names`, validated as by the setters above.
  CsrBuilder& subjectAltNames(const SubjectAltNames& names);

  // Signed by `key`, whose public half the request carries. Needs a CN or at
  // least one SAN: a request that names nothing cannot be issued.
  Csr sign(const PrivateKey& key) const;

 private:
  std::string commonName_;
  std::string organization_;
  std::string organizationalUnit_;
  std::string country_;
  SubjectAltNames sans_;
};

}  // namespace certctl::sdk::pki
