#include "http01_responder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sdk/plugin/plugin_error.h"

namespace certctl::acme {

namespace {

constexpr const char* kPrefix = "/.well-known/acme-challenge/";
constexpr std::size_t kMaxRequest = 8192;
constexpr int kClientTimeoutMs = 5000;

[[noreturn]] void failBind(const std::string& where, int err) {
  throw sdk::PluginError::retryable("http-01 responder cannot listen on " + where + ": " +
                                    std::strerror(err));
}

void sendAll(int fd, const std::string& data) {
  for (std::size_t sent = 0; sent < data.size();) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

Http01Responder::Http01Responder(const std::string& address, int port) {
  const std::string where = address + ":" + std::to_string(port);
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
      ::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    length = sizeof(sockaddr_in);
  } else if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
             ::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    length = sizeof(sockaddr_in6);
  } else {
    throw sdk::PluginError::invalidConfig("http_address: \"" + address + "\" is not an IP address");
  }
  listenFd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listenFd_ < 0) failBind(where, errno);
  const int yes = 1;
  ::setsockopt(listenFd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
      ::listen(listenFd_, 64) != 0 || ::pipe2(wakeFds_, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(listenFd_);
    if (wakeFds_[0] >= 0) ::close(wakeFds_[0]), ::close(wakeFds_[1]);
    failBind(where, err);
  }
  sockaddr_storage bound{};
  socklen_t boundLength = sizeof bound;
  ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&bound), &boundLength);
  port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                  : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  thread_ = std::thread([this] { serve(); });
}

Http01Responder::~Http01Responder() {
  if (::write(wakeFds_[1], "x", 1) < 0) {
    // The pipe is ours and empty: this cannot fail; join() regardless.
  }
  thread_.join();
  ::close(listenFd_);
  ::close(wakeFds_[0]);
  ::close(wakeFds_[1]);
}

void Http01Responder::add(const std::string& token, const std::string& keyAuthorization) {
  std::lock_guard lock(mutex_);
  tokens_[token] = keyAuthorization;
}

void Http01Responder::remove(const std::string& token) {
  std::lock_guard lock(mutex_);
  tokens_.erase(token);
}

void Http01Responder::serve() {
  for (;;) {
    pollfd fds[2] = {{listenFd_, POLLIN, 0}, {wakeFds_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    const int client = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    // The CA's validators are few and quick: one at a time is enough.
    answer(client);
    ::close(client);
  }
}

void Http01Responder::answer(int client) {
  timeval timeout{kClientTimeoutMs / 1000, 0};
  ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  std::string request;
  char buffer[2048];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < kMaxRequest) {
    const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    request.append(buffer, static_cast<std::size_t>(n));
  }
  // "GET <target> HTTP/1.x"
  std::string body;
  int status = 404;
  const auto lineEnd = request.find("\r\n");
  const std::string line = request.substr(0, lineEnd);
  const auto space = line.find(' ', 4);
  if ((line.rfind("GET ", 0) == 0 || line.rfind("HEAD ", 0) == 0) && space != std::string::npos) {
    const auto start = line.find(' ') + 1;
    const std::string target = line.substr(start, line.find(' ', start) - start);
    if (target.rfind(kPrefix, 0) == 0) {
      std::lock_guard lock(mutex_);
      auto it = tokens_.find(target.substr(std::strlen(kPrefix)));
      if (it != tokens_.end()) {
        status = 200;
        body = it->second;
      }
    }
  }
  const bool head = line.rfind("HEAD ", 0) == 0;
  sendAll(client,
          std::string("HTTP/1.1 ") + (status == 200 ? "200 OK" : "404 Not Found") +
              "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\nConnection: close\r\n\r\n" + (head ? "" : body));
}

}  // namespace certctl::acme
