#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace certctl::acme {

// The built-in http-01 responder (RFC 8555 section 8.3): answers
// GET /.well-known/acme-challenge/<token> with the key authorization, 404
// for anything else. It listens only while it lives: one per order, so port
// 80 is held just during validation. Thread-safe.
class Http01Responder {
 public:
  // Binds address:port; throws sdk::PluginError(Retryable) when it cannot.
  Http01Responder(const std::string& address, int port);
  ~Http01Responder();
  Http01Responder(const Http01Responder&) = delete;
  Http01Responder& operator=(const Http01Responder&) = delete;

  void add(const std::string& token, const std::string& keyAuthorization);
  void remove(const std::string& token);
  int port() const { return port_; }

 private:
  void serve();
  void answer(int client);

  int listenFd_ = -1;
  int port_ = 0;
  int wakeFds_[2] = {-1, -1};  // a pipe that ends serve()
  std::mutex mutex_;
  std::map<std::string, std::string> tokens_;
  std::thread thread_;
};

}  // namespace certctl::acme
