#pragma once

#include <string>
#include <string_view>

namespace certctl::sdk::pki {

class Certificate;

// RFC 6960 4.1.1 CertID: which certificate a request asks about. A response
// must repeat the CertID exactly as asked (clients compare all four fields),
// so the hash algorithm travels with it.
struct OcspCertId {
  // OpenSSL's short name ("SHA1", "SHA256"), or the dotted OID of a digest
  // OpenSSL does not know.
  std::string hashAlgorithm;
  std::string issuerNameHash;  // raw digest octets
  std::string issuerKeyHash;   // raw digest octets
  std::string serialHex;       // as Certificate::serialHex(): uppercase, no leading zeros

  // The CertID of `serialHex` issued by `issuer`. Throws PkiError for an
  // unknown digest or a malformed serial.
  static OcspCertId forSerial(const Certificate& issuer, std::string_view serialHex,
                              std::string_view hashAlgorithm = "SHA1");

  // True when the name and key hashes are those of `issuer` (under this
  // CertID's hash algorithm): the request is about one of its certificates.
  // False for a digest OpenSSL does not know.
  bool isIssuedBy(const Certificate& issuer) const;

  bool operator==(const OcspCertId&) const = default;
};

}  // namespace certctl::sdk::pki
