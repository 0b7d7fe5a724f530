// The HTTP server gives each open connection a thread of its own, so idle
// keep-alive clients must be let go: more idle clients than threads are all
// served, and an idle connection is closed after the keep-alive timeout.
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/server_process.h"

using namespace certctl::testing;

namespace {

// Sends GET /health on `socket` and reads until the end of one response.
std::string getHealth(Poco::Net::StreamSocket& socket) {
  const std::string request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  std::string response;
  char buffer[4096];
  while (response.find("\r\n\r\n") == std::string::npos ||
         response.size() < response.find("\r\n\r\n") + 4 + 2) {
    int n = socket.receiveBytes(buffer, sizeof buffer);
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
  }
  return response;
}

}  // namespace

TEST_CASE("idle keep-alive connections neither starve new clients nor stay open", "[server]") {
  ServerProcessOptions options;
  options.tls = false;
  options.env = {{"CERTCTL_SERVER_MAX_THREADS", "4"}, {"CERTCTL_SERVER_KEEPALIVE_TIMEOUT", "1s"}};
  ServerProcess server(options);

  // Twice as many clients as threads, each keeping its connection open.
  std::vector<std::unique_ptr<Poco::Net::StreamSocket>> clients;
  for (int i = 0; i < 8; ++i) {
    auto socket = std::make_unique<Poco::Net::StreamSocket>(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server.port())));
    socket->setReceiveTimeout(Poco::Timespan(20, 0));
    INFO("client " << i);
    std::string response = getHealth(*socket);
    CHECK(response.rfind("HTTP/1.1 200", 0) == 0);
    clients.push_back(std::move(socket));
  }
  // The server closes every idle connection: a read sees the end of stream.
  for (auto& socket : clients) {
    char byte;
    CHECK(socket->receiveBytes(&byte, 1) == 0);
  }
}
