#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <memory>

#include "core/protocols/acme/challenge_checks.h"
#include "sdk/pki/fingerprint.h"

namespace certctl::protocols::acme {

namespace {

constexpr unsigned char kAcmeTlsAlpn[] = {10, 'a', 'c', 'm', 'e', '-', 't', 'l', 's', '/', '1'};
constexpr const char* kAcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";  // RFC 8737 §6.1

struct SslCtxDeleter {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslDeleter {
  void operator()(SSL* p) const { SSL_free(p); }
};
struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct NamesDeleter {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
struct ObjectDeleter {
  void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); }
};

bool equalsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string sanProblem(X509* certificate, const std::string& identifierType,
                       const std::string& identifier) {
  std::unique_ptr<GENERAL_NAMES, NamesDeleter> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (!names || sk_GENERAL_NAME_num(names.get()) != 1)
    return "the certificate must carry exactly one subjectAltName";
  const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), 0);
  if (identifierType == "dns") {
    if (name->type != GEN_DNS) return "the subjectAltName is not a DNS name";
    const ASN1_IA5STRING* dns = name->d.dNSName;
    std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                      static_cast<std::size_t>(ASN1_STRING_length(dns)));
    return equalsIgnoreCase(value, identifier) ? "" : "the subjectAltName names " + value;
  }
  if (name->type != GEN_IPADD) return "the subjectAltName is not an IP address";
  unsigned char expected[16];
  int size = identifier.find(':') != std::string::npos ? 16 : 4;
  if (inet_pton(size == 16 ? AF_INET6 : AF_INET, identifier.c_str(), expected) != 1)
    return "the identifier is not an IP address";
  const ASN1_OCTET_STRING* ip = name->d.iPAddress;
  if (ASN1_STRING_length(ip) != size || std::memcmp(ASN1_STRING_get0_data(ip), expected, size) != 0)
    return "the subjectAltName names another IP address";
  return {};
}

}  // namespace

std::string reverseDnsName(const std::string& address) {
  unsigned char bytes[16];
  if (inet_pton(AF_INET, address.c_str(), bytes) == 1)
    return std::to_string(bytes[3]) + "." + std::to_string(bytes[2]) + "." +
           std::to_string(bytes[1]) + "." + std::to_string(bytes[0]) + ".in-addr.arpa";
  if (inet_pton(AF_INET6, address.c_str(), bytes) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name;
  for (int i = 15; i >= 0; --i) {
    name += kHex[bytes[i] & 0xF];
    name += '.';
    name += kHex[bytes[i] >> 4];
    name += '.';
  }
  return name + "ip6.arpa";
}

TlsAlpn01Result probeTlsAlpn01(const std::string& address, int port,
                               const std::string& identifierType, const std::string& identifier,
                               std::chrono::milliseconds timeout) {
  TlsAlpn01Result result;
  const std::string where = address + ":" + std::to_string(port);
  Poco::Net::StreamSocket socket;
  try {
    const Poco::Timespan span(std::chrono::microseconds(timeout).count());
    socket.connect(Poco::Net::SocketAddress(address, port), span);
    socket.setReceiveTimeout(span);
    socket.setSendTimeout(span);
  } catch (const Poco::Exception& e) {
    result.detail = "could not connect to " + where + ": " + e.displayText();
    return result;
  }
  std::unique_ptr<SSL_CTX, SslCtxDeleter> context(SSL_CTX_new(TLS_client_method()));
  if (!context) throw std::runtime_error("TLS context creation failed");
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  if (SSL_CTX_set_alpn_protos(context.get(), kAcmeTlsAlpn, sizeof kAcmeTlsAlpn) != 0)
    throw std::runtime_error("could not offer ALPN acme-tls/1");
  std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(context.get()));
  const std::string sni = identifierType == "ip" ? reverseDnsName(identifier) : identifier;
  SSL_set_tlsext_host_name(ssl.get(), sni.c_str());
  SSL_set_fd(ssl.get(), static_cast<int>(socket.impl()->sockfd()));
  if (SSL_connect(ssl.get()) != 1) {
    result.detail = "the TLS handshake with " + where + " failed";
    return result;
  }
  result.connected = true;
  const unsigned char* alpn = nullptr;
  unsigned int alpnLength = 0;
  SSL_get0_alpn_selected(ssl.get(), &alpn, &alpnLength);
  if (alpnLength != sizeof kAcmeTlsAlpn - 1 ||
      std::memcmp(alpn, kAcmeTlsAlpn + 1, alpnLength) != 0) {
    result.detail = where + " did not negotiate ALPN acme-tls/1";
    result.connected = false;
    return result;
  }
  std::unique_ptr<X509, X509Deleter> peer(SSL_get1_peer_certificate(ssl.get()));
  SSL_shutdown(ssl.get());
  if (!peer) {
    result.detail = where + " sent no certificate";
    result.connected = false;
    return result;
  }
  unsigned char* der = nullptr;
  int size = i2d_X509(peer.get(), &der);
  if (size > 0) result.certificateDer.assign(reinterpret_cast<char*>(der), size);
  OPENSSL_free(der);
  return result;
}

std::string tlsAlpn01CertificateProblem(const std::string& certificateDer,
                                        const std::string& identifierType,
                                        const std::string& identifier,
                                        const std::string& keyAuthorization) {
  const auto* in = reinterpret_cast<const unsigned char*>(certificateDer.data());
  std::unique_ptr<X509, X509Deleter> certificate(
      d2i_X509(nullptr, &in, static_cast<long>(certificateDer.size())));
  if (!certificate) return "the certificate does not parse";
  if (std::string problem = sanProblem(certificate.get(), identifierType, identifier);
      !problem.empty())
    return problem;

  std::unique_ptr<ASN1_OBJECT, ObjectDeleter> oid(OBJ_txt2obj(kAcmeIdentifierOid, 1));
  int index = X509_get_ext_by_OBJ(certificate.get(), oid.get(), -1);
  if (index < 0) return "the certificate has no acmeIdentifier extension";
  X509_EXTENSION* extension = X509_get_ext(certificate.get(), index);
  if (!X509_EXTENSION_get_critical(extension))
    return "the acmeIdentifier extension is not critical";
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(extension);
  // extnValue holds the DER of `Authorization ::= OCTET STRING (SIZE (32))`.
  std::string expected = std::string("\x04\x20", 2) + sdk::pki::sha256(keyAuthorization);
  if (ASN1_STRING_length(value) != static_cast<int>(expected.size()) ||
      std::memcmp(ASN1_STRING_get0_data(value), expected.data(), expected.size()) != 0)
    return "the acmeIdentifier extension does not hold SHA-256 of the key authorization";
  return {};
}

}  // namespace certctl::protocols::acme
