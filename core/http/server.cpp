#include "core/http/server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <cerrno>

#include "core/http/tls_connection_info.h"

#include <algorithm>
#include <cctype>

namespace certctl::http {

namespace {

// Modern AEAD suites only for TLS 1.2; TLS 1.3 suites are OpenSSL's defaults.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Whether handlers get the TLS facts of their connection (EST only).
bool recordsTlsConnections(const ServerOptions& options) {
  return options.tls && (options.recordTlsConnections || options.requestClientCertificate);
}

class PipelineHandler : public Poco::Net::HTTPRequestHandler {
 public:
  PipelineHandler(Pipeline& pipeline, std::size_t maxBody, bool recordTls)
      : pipeline_(pipeline), maxBody_(maxBody), recordTls_(recordTls) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
    Request request;
    request.method = in.getMethod();
    request.peerAddress = in.clientAddress().host().toString();
    if (recordTls_) {
      auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(in).socket();
      auto info = TlsConnectionRegistry::lookup(static_cast<int>(socket.impl()->sockfd()));
      request.tlsVersion = std::move(info.version);
      request.peerCertificateDer = std::move(info.peerCertificateDer);
      request.tlsExporter = std::move(info.exporter);
    }
    for (const auto& [name, value] : in) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      request.headers[lower] = value;
    }
    try {
      Poco::URI uri(in.getURI());
      request.path = uri.getPath();
      for (auto& [k, v] : uri.getQueryParameters()) request.query.emplace(k, v);
    } catch (const Poco::Exception&) {
      // Still goes through the pipeline: request id, audit and access log apply.
      request.malformedUri = true;
      request.path = in.getURI().substr(0, in.getURI().find('?'));
    }
    readBody(in, request);

    Response response = pipeline_.handle(request);
    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    for (const auto& [name, value] : response.headers) out.set(name, value);
    out.set("X-Content-Type-Options", "nosniff");
    out.set("Cache-Control", "no-store");
    if (request.bodyTooLarge) out.setKeepAlive(false);  // unread body: the stream is unusable
    if (!response.contentType.empty()) out.setContentType(response.contentType);
    out.setContentLength(static_cast<std::streamsize>(response.body.size()));
    if (request.method == "HEAD") {
      out.send();
      return;
    }
    if (response.body.size() <= kOneWriteBody) {
      // Through the response's fixed-length stream, the header and a small
      // body share one buffer: one TLS record and one send instead of two.
      out.send().write(response.body.data(), static_cast<std::streamsize>(response.body.size()));
      return;
    }
    out.sendBuffer(response.body.data(), response.body.size());
  }

 private:
  // Poco's response stream buffers 4 KiB; the header takes a few hundred bytes.
  static constexpr std::size_t kOneWriteBody = 3072;

  void readBody(Poco::Net::HTTPServerRequest& in, Request& request) {
    // RFC 9112 §6.3: a request with neither Content-Length nor chunked coding has no
    // body (browser preflights); Poco would otherwise read until the peer closes.
    if (!in.hasContentLength() && !in.getChunkedTransferEncoding()) return;
    if (in.hasContentLength() && in.getContentLength64() > static_cast<Poco::Int64>(maxBody_)) {
      request.bodyTooLarge = true;
      drain(in);
      return;
    }
    auto& stream = in.stream();
    char buffer[8192];
    while (stream) {
      stream.read(buffer, sizeof buffer);
      auto n = stream.gcount();
      if (n <= 0) break;
      if (request.body.size() + static_cast<std::size_t>(n) > maxBody_) {
        request.bodyTooLarge = true;
        request.body.clear();
        drain(in);
        return;
      }
      request.body.append(buffer, static_cast<std::size_t>(n));
    }
  }

  // Reads and discards a refused body (up to a cap) so the client gets to
  // read our 413 instead of a reset connection; beyond the cap we just close.
  static void drain(Poco::Net::HTTPServerRequest& in) {
    constexpr std::streamsize kDrainCap = 16 << 20;
    if (in.hasContentLength() && in.getContentLength64() > kDrainCap) return;
    auto& stream = in.stream();
    char buffer[16384];
    std::streamsize total = 0;
    while (stream && total < kDrainCap) {
      stream.read(buffer, sizeof buffer);
      auto n = stream.gcount();
      if (n <= 0) break;
      total += n;
    }
  }

  Pipeline& pipeline_;
  std::size_t maxBody_;
  bool recordTls_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(Pipeline& pipeline, std::size_t maxBody, bool recordTls)
      : pipeline_(pipeline), maxBody_(maxBody), recordTls_(recordTls) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new PipelineHandler(pipeline_, maxBody_, recordTls_);
  }

 private:
  Pipeline& pipeline_;
  std::size_t maxBody_;
  bool recordTls_;
};

Poco::ThreadPool& serverThreads(int maxThreads) {
  static Poco::ThreadPool pool(2, maxThreads);
  return pool;
}

}  // namespace

Server::Server(ServerOptions options, Pipeline& pipeline)
    : options_(std::move(options)), pipeline_(pipeline) {}

Server::~Server() { stop(); }

void Server::start() {
  Poco::Net::SocketAddress address(options_.host, static_cast<Poco::UInt16>(options_.port));
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  if (options_.tls) {
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, options_.keyFile, options_.certFile, "",
        Poco::Net::Context::VERIFY_NONE, 9, false, kCipherList);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    context->enableSessionCache(true, "certctl");
    context->preferServerCiphers();
    // Records each handshake's client certificate and tls-exporter; asks for a
    // client certificate only when some route verifies one (EST mTLS), so a
    // browser on the web UI is not prompted otherwise.
    if (recordsTlsConnections(options_))
      TlsConnectionRegistry::install(context->sslContext(), options_.requestClientCertificate);
    socket = std::make_unique<Poco::Net::SecureServerSocket>(context);
  } else {
    socket = std::make_unique<Poco::Net::ServerSocket>();
  }
  // Poco's address+backlog constructors set SO_REUSEPORT, which lets a second
  // server bind a port that is already in use and silently share its
  // connections. Bind without it, so a busy port is a start-up error.
  try {
    socket->bind(address, /*reuseAddress=*/true, /*reusePort=*/false);
    socket->listen(128);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot listen on " + address.toString() + ": " + e.displayText() +
                             (e.code() == EADDRINUSE ? " (address in use)" : ""));
  }
  boundPort_ = socket->address().port();

  auto params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options_.maxThreads);
  params->setMaxQueued(512);
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(0);  // unlimited
  params->setKeepAliveTimeout(Poco::Timespan(
      static_cast<Poco::Timespan::TimeDiff>(options_.keepAliveTimeout.count()) * 1000));
  params->setTimeout(Poco::Timespan(30, 0));
  params->setServerName("certctl");
  server_ = std::make_unique<Poco::Net::HTTPServer>(
      new Factory(pipeline_, options_.maxBodyBytes, recordsTlsConnections(options_)),
      serverThreads(options_.maxThreads), *socket, params);
  server_->start();
}

void Server::stop() {
  if (server_) {
    server_->stopAll(true);
    server_.reset();
  }
}

int Server::port() const { return boundPort_; }

}  // namespace certctl::http
