#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/http/pipeline.h"

namespace Poco::Net {
class HTTPServer;
}

namespace certctl::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8443;
  bool tls = true;
  std::string certFile, keyFile;  // PEM; used when tls
  // Record each TLS connection's version, client certificate and
  // tls-exporter for the handlers (Request::tlsVersion, ...); only EST reads
  // them, so other servers skip the per-handshake and per-request work.
  bool recordTlsConnections = false;
  // Ask TLS clients for a certificate (optional; never verified at TLS
  // level). Implies recordTlsConnections.
  bool requestClientCertificate = false;
  std::size_t maxBodyBytes = 1 << 20;
  // Poco serves a connection on one thread for as long as it stays open, so
  // idle keep-alive connections must time out quickly or they starve others.
  int maxThreads = 256;
  std::chrono::milliseconds keepAliveTimeout{5000};
};

// Poco HTTP(S) listener feeding requests into the Pipeline. TLS 1.2+ only.
class Server {
 public:
  Server(ServerOptions options, Pipeline& pipeline);
  ~Server();
  void start();
  void stop();
  int port() const;  // the bound port (useful with port 0)

 private:
  ServerOptions options_;
  Pipeline& pipeline_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int boundPort_ = 0;
};

}  // namespace certctl::http
