#include "core/lua/guarded_http.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <algorithm>
#include <istream>
#include <memory>
#include <stdexcept>

#include "core/lua/address_guard.h"

namespace certctl::lua {

namespace {

Poco::Net::Context::Ptr clientContext() {
  static Poco::Net::Context::Ptr context = [] {
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
    params.loadDefaultCAs = true;
    auto ctx =
        Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    return ctx;
  }();
  return context;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

HttpReply guardedHttpRequest(const HttpCall& call) {
  Poco::URI uri(call.url);
  const std::string scheme = lower(uri.getScheme());
  if (scheme != "http" && scheme != "https")
    throw std::runtime_error("http: only http:// and https:// URLs are allowed");
  if (uri.getHost().empty()) throw std::runtime_error("http: the URL has no host");
  if (!uri.getUserInfo().empty()) throw std::runtime_error("http: user info in URLs is refused");
  const auto addresses = resolveHost(uri.getHost());
  for (const auto& address : addresses) {
    std::string why = refusalReason(address, call.allowLoopback);
    if (!why.empty()) throw std::runtime_error("http: refused " + uri.getHost() + ": " + why);
  }
  const Poco::Timespan timeout(
      std::chrono::duration_cast<std::chrono::microseconds>(call.timeout).count());
  Poco::Net::StreamSocket socket;
  socket.connect(Poco::Net::SocketAddress(addresses.front(), uri.getPort()), timeout);
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (scheme == "https") {
    auto secure = Poco::Net::SecureStreamSocket::attach(socket, uri.getHost(), clientContext());
    session = std::make_unique<Poco::Net::HTTPSClientSession>(secure);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(socket);
  }
  session->setTimeout(timeout);
  std::string target = uri.getPathEtc().empty() ? "/" : uri.getPathEtc();
  Poco::Net::HTTPRequest request(call.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setHost(uri.getHost(), uri.getPort());
  for (const auto& [name, value] : call.headers) request.set(name, value);
  if (!call.body.empty() || call.method == "POST" || call.method == "PUT")
    request.setContentLength(static_cast<std::streamsize>(call.body.size()));
  session->sendRequest(request) << call.body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session->receiveResponse(response);
  HttpReply reply;
  reply.status = static_cast<int>(response.getStatus());
  for (const auto& [name, value] : response) reply.headers[lower(name)] = value;
  char buffer[16384];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    reply.body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (reply.body.size() > call.maxResponseBytes)
      throw std::runtime_error("http: the response is larger than " +
                               std::to_string(call.maxResponseBytes) + " bytes");
  }
  return reply;
}

}  // namespace certctl::lua
