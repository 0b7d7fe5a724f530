#pragma once

#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace certctl::http {

// What a handler may learn about the TLS connection a request came in on.
struct TlsConnectionInfo {
  std::string version;             // "TLSv1.3", "TLSv1.2"
  std::string peerCertificateDer;  // the client certificate, "" when none
  std::string exporter;            // RFC 9266 tls-exporter (32 bytes), TLS 1.3 only
};

// Poco 1.11 gives a request handler no SSL*: a callback on the SSL_CTX
// records these facts when a handshake completes, keyed by the socket's file
// descriptor, and the handler looks them up by its socket's descriptor. A
// reused descriptor is overwritten by its new connection's handshake, which
// always completes before that connection's first request is read.
class TlsConnectionRegistry {
 public:
  // Installs the handshake callback. With `requestClientCertificate` the
  // server asks for (never requires) a client certificate and accepts any at
  // TLS level: handlers verify it against their own trust anchors.
  static void install(SSL_CTX* context, bool requestClientCertificate);
  // The facts of the connection on `fd`; empty when none were recorded.
  static TlsConnectionInfo lookup(int fd);
};

}  // namespace certctl::http
