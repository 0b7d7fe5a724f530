#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace certctl::sdk::deploy {

// A connected TCP socket (the fd, closed on destruction). Shared by the TLS
// probe and the small HTTP client of the admin-API targets.
class TcpSocket {
 public:
  TcpSocket() = default;
  explicit TcpSocket(int fd) : fd_(fd) {}
  ~TcpSocket();
  TcpSocket(TcpSocket&& other) noexcept;
  TcpSocket& operator=(TcpSocket&& other) noexcept;
  TcpSocket(const TcpSocket&) = delete;
  TcpSocket& operator=(const TcpSocket&) = delete;

  int fd() const { return fd_; }

  // Sets the receive and send timeouts to the time left until `deadline`
  // (at least 1 ms).
  void setIoDeadline(std::chrono::steady_clock::time_point deadline) const;

 private:
  int fd_ = -1;
};

class ConnectError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Resolves `host` and connects to each address in turn (non-blocking, within
// the deadline); the socket returned is blocking. Throws ConnectError
// "cannot resolve ..." / "cannot connect to host:port: ...".
TcpSocket connectTcp(const std::string& host, int port,
                     std::chrono::steady_clock::time_point deadline);

// Milliseconds from now until `deadline`, 0 when it has passed.
int remainingMs(std::chrono::steady_clock::time_point deadline);

}  // namespace certctl::sdk::deploy
