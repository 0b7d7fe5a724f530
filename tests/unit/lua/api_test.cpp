#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <stdlib.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "core/lua/address_guard.h"
#include "core/lua/lua_error.h"
#include "tests/unit/lua/lua_test_support.h"

using certctl::lua::LuaError;
using certctl::testing::LuaFixture;
using nlohmann::json;

namespace {

// Answers one HTTP request on 127.0.0.1 with 200 and the request line as body.
class OneShotServer {
 public:
  OneShotServer() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    thread_ = std::thread([this] {
      try {
        Poco::Net::StreamSocket client = socket_.acceptConnection();
        char buffer[4096];
        int n = client.receiveBytes(buffer, sizeof buffer);
        std::string request(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
        std::string line = request.substr(0, request.find("\r\n"));
        std::string reply =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Test: yes\r\n"
            "Content-Length: " +
            std::to_string(line.size()) + "\r\nConnection: close\r\n\r\n" + line;
        client.sendBytes(reply.data(), static_cast<int>(reply.size()));
      } catch (...) {
      }
    });
  }
  ~OneShotServer() {
    socket_.close();
    thread_.join();
  }
  int port() const { return socket_.address().port(); }

 private:
  Poco::Net::ServerSocket socket_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("lua exec: argv is passed literally, never through a shell", "[lua]") {
  LuaFixture f;
  auto r = f.run(R"(function main()
    return certctl.exec{argv = {"printf", "%s", "a; rm -rf / $(id) `id` | cat"}}
  end)");
  CHECK(r["exit_code"] == 0);
  CHECK(r["stdout"] == "a; rm -rf / $(id) `id` | cat");
}

TEST_CASE("lua exec: stdin, stderr and the exit code come back", "[lua]") {
  LuaFixture f;
  auto r = f.run(R"(function main()
    local a = certctl.exec{argv = {"cat"}, stdin = "hello"}
    local b = certctl.exec{argv = {"ls", "/nonexistent-dir"}}
    return {a = a.stdout, code = b.exit_code, err = #b.stderr > 0}
  end)");
  CHECK(r["a"] == "hello");
  CHECK(r["code"] != 0);
  CHECK(r["err"] == true);
}

TEST_CASE("lua exec: the timeout kills the child", "[lua]") {
  LuaFixture f;
  f.settings.wallClockBudget = std::chrono::seconds(20);
  auto start = std::chrono::steady_clock::now();
  auto r = f.run(R"(function main()
    return certctl.exec{argv = {"sleep", "30"}, timeout = 0.3}
  end)");
  CHECK(r["timed_out"] == true);
  CHECK(r["signal"] == 9);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("lua exec: the server's environment does not leak to children", "[lua]") {
  ::setenv("CERTCTL_AUTH_SECRET", "do-not-leak-this", 1);
  LuaFixture f;
  auto r = f.run(R"(function main()
    return certctl.exec{argv = {"env"}, env = {FOO = "bar"}}.stdout
  end)");
  CHECK_THAT(r.get<std::string>(), Catch::Contains("FOO=bar"));
  CHECK_THAT(r.get<std::string>(), !Catch::Contains("do-not-leak-this"));
  ::unsetenv("CERTCTL_AUTH_SECRET");
}

TEST_CASE("lua http: loopback is refused unless allowed", "[lua]") {
  LuaFixture f;
  const std::string script = R"(function main(args)
    local r = certctl.http.request{url = args.url, method = "GET", timeout = 5}
    return {status = r.status, body = r.body, x = r.headers["x-test"]}
  end)";
  {
    OneShotServer server;
    json args = {{"url", "http://127.0.0.1:" + std::to_string(server.port()) + "/path?q=1"}};
    CHECK_THROWS_WITH(f.run(script, args), Catch::Contains("loopback"));
    f.settings.httpAllowLoopback = true;
    auto r = f.run(script, args);
    CHECK(r["status"] == 200);
    CHECK(r["body"] == "GET /path?q=1 HTTP/1.1");
    CHECK(r["x"] == "yes");
  }
  // Metadata and link-local stay refused even with loopback allowed.
  CHECK_THROWS_WITH(f.run(script, {{"url", "http://169.254.169.254/latest/meta-data/"}}),
                    Catch::Contains("metadata"));
  CHECK_THROWS_WITH(f.run(script, {{"url", "http://[::ffff:169.254.1.1]/"}}),
                    Catch::Contains("link-local"));
  CHECK_THROWS_WITH(f.run(script, {{"url", "file:///etc/passwd"}}), Catch::Contains("http://"));
}

TEST_CASE("lua http: the address guard judges every address", "[lua]") {
  using certctl::lua::refusalReason;
  using Poco::Net::IPAddress;
  CHECK(refusalReason(IPAddress("127.0.0.1"), false) != "");
  CHECK(refusalReason(IPAddress("127.0.0.1"), true) == "");
  CHECK(refusalReason(IPAddress("::1"), false) != "");
  CHECK(refusalReason(IPAddress("::ffff:127.0.0.1"), false) != "");
  CHECK(refusalReason(IPAddress("0.0.0.0"), true) != "");
  CHECK(refusalReason(IPAddress("fe80::1"), true) != "");
  CHECK(refusalReason(IPAddress("fd00:ec2::254"), true) != "");
  CHECK(refusalReason(IPAddress("100.100.100.200"), true) != "");
  CHECK(refusalReason(IPAddress("93.184.216.34"), false) == "");
  CHECK(certctl::lua::resolveHost("localhost").size() >= 1);
}

TEST_CASE("lua env: only allowed variables are readable", "[lua]") {
  ::setenv("CERTCTL_DNS_ZONE", "example.test", 1);
  ::setenv("LUA_TEST_ALLOWED", "yes", 1);
  ::setenv("LUA_TEST_SECRET", "no", 1);
  LuaFixture f;
  f.settings.envAllow = {"LUA_TEST_ALLOWED"};
  auto r = f.run(R"(function main()
    return {zone = certctl.env("CERTCTL_DNS_ZONE"), allowed = certctl.env("LUA_TEST_ALLOWED"),
            secret = certctl.env("LUA_TEST_SECRET") == nil, home = certctl.env("HOME") == nil}
  end)");
  CHECK(r["zone"] == "example.test");
  CHECK(r["allowed"] == "yes");
  CHECK(r["secret"] == true);
  CHECK(r["home"] == true);
}

TEST_CASE("lua pki: parse_csr and parse_cert", "[lua]") {
  LuaFixture f;
  certctl::testing::TempDir dir;
  auto key = (dir.path() / "k.pem").string(), csr = (dir.path() / "c.csr").string(),
       crt = (dir.path() / "c.crt").string();
  REQUIRE(std::system(("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                       "-subj /CN=lua.example.test -addext subjectAltName=DNS:lua.example.test "
                       "-keyout " +
                       key + " -out " + csr +
                       " 2>/dev/null && openssl x509 -req "
                       "-in " +
                       csr + " -signkey " + key + " -days 2 -copy_extensions copy -out " + crt +
                       " 2>/dev/null")
                          .c_str()) == 0);
  auto read = [](const std::string& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto r = f.run(R"(function main(args)
    return {csr = certctl.pki.parse_csr(args.csr), cert = certctl.pki.parse_cert(args.cert)}
  end)",
                 {{"csr", read(csr)}, {"cert", read(crt)}});
  CHECK(r["csr"]["common_name"] == "lua.example.test");
  CHECK(r["csr"]["sans"]["dns"] == json({"lua.example.test"}));
  CHECK(r["csr"]["key_algorithm"] == "ECDSA");
  CHECK(r["csr"]["signature_valid"] == true);
  CHECK(r["cert"]["common_name"] == "lua.example.test");
  CHECK(r["cert"]["serial"].get<std::string>().size() > 0);
  CHECK(r["cert"]["not_after"].get<std::string>().size() == 20);
  CHECK_THROWS_AS(f.run("function main() return certctl.pki.parse_csr('junk') end"), LuaError);
}
