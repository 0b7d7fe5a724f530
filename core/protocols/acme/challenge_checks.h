#pragma once

#include <chrono>
#include <string>

// The network halves of the ACME challenge checks, one connection each:
// NetworkChallengeValidator decides what the answers mean.
namespace certctl::protocols::acme {

struct Http01Result {
  bool connected = false;  // false: try the next address
  int status = 0;
  std::string url;     // for messages
  std::string body;    // at most kHttp01MaxBody bytes
  std::string detail;  // why not connected / the status line
};

// GET http://<identifier>:<port>/.well-known/acme-challenge/<token> from
// `address`, without following redirects (RFC 8555 §8.3 allows a server to
// refuse them, and following one is a way around the address filter).
Http01Result fetchHttp01(const std::string& address, int port, const std::string& identifier,
                         const std::string& token, std::chrono::milliseconds timeout);

struct TlsAlpn01Result {
  bool connected = false;
  std::string certificateDer;
  std::string detail;
};

// A TLS handshake with `address` offering only ALPN "acme-tls/1" and the
// identifier as SNI (RFC 8738 §6: its reverse-DNS name for an IP); no
// certificate verification, since the certificate is self-signed by design.
TlsAlpn01Result probeTlsAlpn01(const std::string& address, int port,
                               const std::string& identifierType, const std::string& identifier,
                               std::chrono::milliseconds timeout);

// What is wrong with the RFC 8737 §3 validation certificate, or "" when it
// names exactly the identifier and carries a critical id-pe-acmeIdentifier
// with SHA-256(keyAuthorization).
std::string tlsAlpn01CertificateProblem(const std::string& certificateDer,
                                        const std::string& identifierType,
                                        const std::string& identifier,
                                        const std::string& keyAuthorization);

// RFC 8738 §6 reverse-DNS name of an IPv4/IPv6 address ("" if not one).
std::string reverseDnsName(const std::string& address);

std::string trimTrailingWhitespace(std::string text);

}  // namespace certctl::protocols::acme
