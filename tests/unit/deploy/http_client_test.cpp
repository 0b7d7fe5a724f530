// sdk/deploy's HTTP client for local admin APIs: which URLs a config may
// name, and requests against a scripted loopback server (Content-Length,
// chunked with a trailer as Caddy sends its ETag, close-delimited).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/http_client.h"
#include "tests/support/process.h"

using namespace certctl::sdk::deploy;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;

namespace {

std::string refusal(const std::string& url, bool allowRemote = false) {
  try {
    parseHttpEndpoint(url, "admin_api", allowRemote);
  } catch (const DeployError& e) {
    CHECK(e.kind() == FailureKind::InvalidConfig);
    return e.what();
  }
  return "";
}

// Accepts one connection, keeps what the client sent, answers `reply` and closes.
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    REQUIRE(::listen(fd_, 1) == 0);
    thread_ = std::thread([this] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buffer[65536];
      // The request: headers, then Content-Length bytes.
      for (;;) {
        ssize_t n = ::recv(c, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        request_.append(buffer, static_cast<std::size_t>(n));
        auto end = request_.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        std::size_t length = 0;
        if (auto cl = request_.find("Content-Length: "); cl != std::string::npos)
          length = std::stoul(request_.substr(cl + 16));
        if (request_.size() >= end + 4 + length) break;
      }
      ::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~OneShotServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  HttpEndpoint endpoint() const {
    return parseHttpEndpoint("http://127.0.0.1:" + std::to_string(port_) + "/base/", "admin_api",
                             false);
  }
  const std::string& request() const { return request_; }

 private:
  std::string reply_;
  std::string request_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("http client: admin URLs", "[deploy][http]") {
  auto e = parseHttpEndpoint("http://localhost:2019", "admin_api", false);
  CHECK(e.host == "localhost");
  CHECK(e.port == 2019);
  CHECK(e.basePath.empty());
  CHECK(e.loopback);
  CHECK(e.hostHeader() == "localhost:2019");
  e = parseHttpEndpoint("http://[::1]/caddy/", "admin_api", false);
  CHECK(e.host == "::1");
  CHECK(e.port == 80);
  CHECK(e.basePath == "/caddy");
  CHECK(e.url() == "http://[::1]:80/caddy");
  CHECK(parseHttpEndpoint("http://127.8.9.10:1", "admin_api", false).loopback);
  e = parseHttpEndpoint("http://10.0.0.5:2019", "admin_api", true);
  CHECK_FALSE(e.loopback);

  CHECK_THAT(refusal("https://127.0.0.1:2019"), Contains("admin_api") && Contains("https"));
  CHECK_THAT(refusal("ftp://127.0.0.1"), Contains("must start with http://"));
  CHECK_THAT(refusal("http://10.0.0.5:2019"), Contains("not a loopback address"));
  CHECK_THAT(refusal("http://localhost.example.com"), Contains("not a loopback address"));
  CHECK_THAT(refusal("http://127.0.0.1:0"), Contains("admin_api"));
  CHECK_THAT(refusal("http://127.0.0.1:2019?a=1"), Contains("query"));
  CHECK_THAT(refusal("http://a@127.0.0.1"), Contains("user info"));
  CHECK_THAT(refusal("http://"), Contains("no host"));
  CHECK_THAT(refusal("http://[::1"), Contains("unterminated"));
  CHECK_THAT(refusal("http://127.0.0.1/a b"), Contains("blank"));
  CHECK_THAT(refusal("http://ho$t:1"), Contains("not a host name"));
}

TEST_CASE("http client: Content-Length, chunked with a trailer, until close", "[deploy][http]") {
  {
    OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  b \r\n\r\nhelloEXTRA");
    auto r = httpRequest(server.endpoint(), "PATCH", "/config/", "{\"k\":1}",
                         {{"If-Match", "\"e\""}}, 5s);
    CHECK(r.status == 200);
    CHECK(r.ok());
    CHECK(r.body == "hello");
    CHECK(r.header("x-a") == "b");
    CHECK_THAT(server.request(), Contains("PATCH /base/config/ HTTP/1.1\r\n") &&
                                     Contains("Host: 127.0.0.1:" + std::to_string(server.port())) &&
                                     Contains("If-Match: \"e\"") &&
                                     Contains("Content-Length: 7\r\n\r\n{\"k\":1}"));
  }
  {
    OneShotServer server(
        "HTTP/1.1 200 OK\r\nTrailer: ETag\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\nEtag: \"/config/ 1f\"\r\n\r\n");
    auto r = httpRequest(server.endpoint(), "GET", "/config/", "", {}, 5s);
    CHECK(r.body == "{\"a\":1}");
    CHECK(r.header("etag") == "\"/config/ 1f\"");
    CHECK_THAT(server.request(), !Contains("Content-Length"));
  }
  {
    OneShotServer server("HTTP/1.0 412 Precondition Failed\r\n\r\n{\"error\":\"x\"}");
    auto r = httpRequest(server.endpoint(), "GET", "/", "", {}, 5s);
    CHECK(r.status == 412);
    CHECK_FALSE(r.ok());
    CHECK(r.body == "{\"error\":\"x\"}");
  }
  {
    OneShotServer server("garbage\r\n\r\n");
    CHECK_THROWS_WITH(httpRequest(server.endpoint(), "GET", "/", "", {}, 5s),
                      Contains("malformed status line"));
  }
  {
    OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
    CHECK_THROWS_WITH(httpRequest(server.endpoint(), "GET", "/", "", {}, 5s),
                      Contains("truncated"));
  }
}

TEST_CASE("http client: nobody listening is a connect error", "[deploy][http]") {
  const int port = certctl::testing::freeLoopbackPort();
  auto e = parseHttpEndpoint("http://127.0.0.1:" + std::to_string(port), "admin_api", false);
  CHECK_THROWS_AS(httpRequest(e, "GET", "/config/", "", {}, 2s), HttpConnectError);
}
