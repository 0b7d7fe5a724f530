#include "core/plugins/host_services.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "core/plugins/call_context.h"
#include "core/plugins/plugin_kind.h"

namespace certctl::plugins {

namespace {

constexpr std::size_t kMaxMessageBytes = 8192;

std::string boundedMessage(const char* msg) {
  if (msg == nullptr) return "(null)";
  std::size_t n = strnlen(msg, kMaxMessageBytes + 1);
  std::string text(msg, n > kMaxMessageBytes ? kMaxMessageBytes : n);
  if (n > kMaxMessageBytes) text += "...";
  return text;
}

spdlog::level::level_enum spdlogLevel(std::int32_t level) {
  switch (level) {
    case CERTCTL_LOG_DEBUG:
      return spdlog::level::debug;
    case CERTCTL_LOG_WARN:
      return spdlog::level::warn;
    case CERTCTL_LOG_ERROR:
      return spdlog::level::err;
    default:
      return spdlog::level::info;
  }
}

void hostLog(certctl_call* call, std::int32_t level, const char* msg) noexcept {
  try {
    nlohmann::json line = {{"msg", boundedMessage(msg)},
                           {"plugin", call != nullptr ? call->label : std::string("(unknown)")}};
    spdlog::log(spdlogLevel(level), "{}",
                line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } catch (...) {
  }
}

void hostSetError(certctl_call* call, const char* msg) noexcept {
  if (call == nullptr) return;
  try {
    call->error = msg != nullptr ? boundedMessage(msg) : std::string();
    call->hasError = msg != nullptr && *msg != '\0';
  } catch (...) {
  }
}

using ServiceMember = std::function<nlohmann::json(const nlohmann::json&)> HostServices::*;

// One trampoline per service: parse the request, run the C++ function, write
// the result (or {"error"}) to the plugin's sink. Nothing may throw out.
template <ServiceMember Member>
certctl_status hostService(certctl_call* call, certctl_str request,
                           const certctl_sink* out) noexcept {
  auto reply = [out](const nlohmann::json& doc) {
    if (out == nullptr || out->write == nullptr) return false;
    std::string text = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return out->write(out->ctx, text.data(), text.size()) == 0;
  };
  try {
    if (call == nullptr || call->host == nullptr) {
      reply({{"error", "host services need the handle of the call in progress"}});
      return CERTCTL_INTERNAL;
    }
    const auto& fn = call->host->services.*Member;
    if (!fn) {
      reply({{"error", "service not offered by this host"}});
      return CERTCTL_UNSUPPORTED;
    }
    if (request.ptr == nullptr && request.len != 0) {
      reply({{"error", "no request"}});
      return CERTCTL_REJECTED;
    }
    auto doc = request.len == 0
                   ? nlohmann::json::object()
                   : nlohmann::json::parse(request.ptr, request.ptr + request.len, nullptr, false);
    if (!doc.is_object()) {
      reply({{"error", "the request is not a JSON object"}});
      return CERTCTL_REJECTED;
    }
    auto result = fn(doc);
    if (!result.is_object()) result = nlohmann::json{{"result", result}};
    return reply(result) ? CERTCTL_OK : CERTCTL_INTERNAL;
  } catch (const HostServiceError& e) {
    try {
      reply({{"error", e.what()}});
    } catch (...) {
    }
    return isKnownStatus(e.status()) && e.status() != CERTCTL_OK ? e.status() : CERTCTL_INTERNAL;
  } catch (const std::exception& e) {
    try {
      reply({{"error", e.what()}});
    } catch (...) {
    }
    return CERTCTL_INTERNAL;
  } catch (...) {
    return CERTCTL_INTERNAL;
  }
}

}  // namespace

certctl_host makeHostStruct(const HostContext& context) {
  certctl_host host{};
  host.struct_size = sizeof(certctl_host);
  host.abi_major = CERTCTL_ABI_MAJOR;
  host.abi_minor = CERTCTL_ABI_MINOR;
  host.product_version = context.productVersion.c_str();
  host.handshake_call = nullptr;
  host.log = &hostLog;
  host.set_error = &hostSetError;
  if (context.services.runLuaHook) host.run_lua_hook = &hostService<&HostServices::runLuaHook>;
  if (context.services.lookupCertificateBySerial)
    host.lookup_certificate_by_serial = &hostService<&HostServices::lookupCertificateBySerial>;
  if (context.services.readSecret) host.read_secret = &hostService<&HostServices::readSecret>;
  return host;
}

int OutputBuffer::write(void* ctx, const char* ptr, size_t len) noexcept {
  auto* self = static_cast<OutputBuffer*>(ctx);
  if (self == nullptr || (ptr == nullptr && len != 0)) return 1;
  if (self->overflowed_ || len > self->limit_ - self->data_.size()) {
    self->overflowed_ = true;
    return 1;
  }
  try {
    // Room for what usually follows a long piece (the `"}` after a CRL in
    // base64), so a 65 MB result is not copied again for its last 2 bytes;
    // never more than the limit (size + len is within it, checked above).
    if (self->data_.capacity() - self->data_.size() < len)
      self->data_.reserve(
          std::min(std::max(self->data_.capacity() * 2, self->data_.size() + len + 64 * 1024),
                   self->limit_));
    self->data_.append(ptr, len);
    return 0;
  } catch (...) {
    self->overflowed_ = true;
    return 1;
  }
}

}  // namespace certctl::plugins
