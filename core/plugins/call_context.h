#pragma once

// The host's definition of the opaque certctl_call handle, and the sink that
// collects a plugin's output. Private to core/plugins.

#include <certctl/plugin_v1.h>

#include <cstddef>
#include <string>

namespace certctl::plugins {
struct HostContext;
}

struct certctl_call {
  const certctl::plugins::HostContext* host = nullptr;
  std::string label;  // "issuer 'local-ca'", or the file name during the handshake
  std::string error;
  bool hasError = false;
};

namespace certctl::plugins {

// Collects what a plugin writes to a sink, refusing more than `limit` bytes.
class OutputBuffer {
 public:
  explicit OutputBuffer(std::size_t limit) : limit_(limit) {}

  certctl_sink sink() { return certctl_sink{sizeof(certctl_sink), this, &OutputBuffer::write}; }
  const std::string& data() const { return data_; }
  bool overflowed() const { return overflowed_; }

 private:
  static int write(void* ctx, const char* ptr, size_t len) noexcept;

  std::string data_;
  std::size_t limit_;
  bool overflowed_ = false;
};

}  // namespace certctl::plugins
