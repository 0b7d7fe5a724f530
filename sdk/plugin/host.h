#pragma once

#include <certctl/plugin_v1.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "sdk/plugin/plugin_error.h"
#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::sdk {

enum class LogLevel : std::int32_t {
  Debug = CERTCTL_LOG_DEBUG,
  Info = CERTCTL_LOG_INFO,
  Warn = CERTCTL_LOG_WARN,
  Error = CERTCTL_LOG_ERROR,
};

namespace detail {

// Per plugin module (hidden visibility): the host from the handshake, and the
// host's handle of the call running on this thread. The thread_local is a
// plain pointer on purpose: no TLS destructor, so the library can be unloaded.
inline const certctl_host* g_host = nullptr;
inline thread_local certctl_call* t_call = nullptr;

// Makes `call` the current call for the SDK's host-service helpers.
class CallScope {
 public:
  explicit CallScope(certctl_call* call) noexcept : previous_(t_call) { t_call = call; }
  ~CallScope() { t_call = previous_; }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  certctl_call* previous_;
};

inline int appendToString(void* ctx, const char* ptr, size_t len) noexcept {
  if (ctx == nullptr || (ptr == nullptr && len != 0)) return 1;
  try {
    static_cast<std::string*>(ctx)->append(ptr, len);
    return 0;
  } catch (...) {
    return 1;
  }
}

inline void setError(certctl_call* call, const char* message) noexcept {
  if (g_host != nullptr && g_host->set_error != nullptr) g_host->set_error(call, message);
}

using HostServiceFn = certctl_status (*)(certctl_call*, certctl_str, const certctl_sink*);

// Calls one optional host service and returns its JSON result, or throws
// PluginError with the service's status and message.
inline nlohmann::json callHostService(HostServiceFn fn, const char* name,
                                      const nlohmann::json& request) {
  if (fn == nullptr)
    throw PluginError::unsupported(std::string("the host offers no ") + name + " service");
  std::string body = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  certctl_sink sink{sizeof(certctl_sink), &out, &appendToString};
  auto status = fn(t_call, certctl_str{body.data(), body.size()}, &sink);
  auto result = nlohmann::json::parse(out.empty() ? std::string("{}") : out, nullptr, false);
  if (status != CERTCTL_OK) {
    std::string message =
        result.is_object() && result.contains("error") && result["error"].is_string()
            ? result["error"].get<std::string>()
            : std::string("failed");
    auto s = static_cast<Status>(status);
    if (status < CERTCTL_INVALID_CONFIG || status > CERTCTL_INTERNAL) s = Status::Internal;
    throw PluginError(s, std::string(name) + ": " + message);
  }
  if (!result.is_object())
    throw PluginError::internal(std::string(name) + ": the host returned malformed JSON");
  return result;
}

}  // namespace detail

// The host this plugin was loaded into (nullptr before the handshake). Keep
// to the helpers below unless you need a field they don't cover.
inline const certctl_host* host() noexcept { return detail::g_host; }

// The ABI minor the host implements (fields beyond v1.0 need this check).
inline std::uint32_t hostAbiMinor() noexcept {
  return detail::g_host != nullptr ? detail::g_host->abi_minor : 0;
}

inline std::string productVersion() {
  return detail::g_host != nullptr && detail::g_host->product_version != nullptr
             ? detail::g_host->product_version
             : "";
}

// A log line attributed to this plugin (and to the current call, if any).
inline void log(LogLevel level, const std::string& message) noexcept {
  if (detail::g_host != nullptr && detail::g_host->log != nullptr)
    detail::g_host->log(detail::t_call, static_cast<std::int32_t>(level), message.c_str());
}

// The host services. Each throws PluginError(Unsupported) when the host does
// not offer the service (certctl-agent has no certificate store, say) and
// PluginError(<status>) when it fails. Only valid inside a call.
inline nlohmann::json readSecret(const std::string& name) {
  const certctl_host* h = detail::g_host;
  return detail::callHostService(
      h != nullptr && CERTCTL_HAS_FIELD(h, certctl_host, read_secret) ? h->read_secret : nullptr,
      "read_secret", {{"name", name}});
}

inline nlohmann::json lookupCertificateBySerial(const std::string& serial,
                                                const std::string& issuerId = {}) {
  const certctl_host* h = detail::g_host;
  nlohmann::json request = {{"serial", serial}};
  if (!issuerId.empty()) request["issuer_id"] = issuerId;
  return detail::callHostService(
      h != nullptr && CERTCTL_HAS_FIELD(h, certctl_host, lookup_certificate_by_serial)
          ? h->lookup_certificate_by_serial
          : nullptr,
      "lookup_certificate_by_serial", request);
}

// `timeoutSeconds` > 0 asks for a wall-clock budget shorter than the host's.
inline nlohmann::json runLuaHook(const std::string& hook, const std::string& function,
                                 const nlohmann::json& args, int timeoutSeconds = 0) {
  const certctl_host* h = detail::g_host;
  nlohmann::json request = {{"hook", hook}, {"function", function}, {"args", args}};
  if (timeoutSeconds > 0) request["timeout_seconds"] = timeoutSeconds;
  return detail::callHostService(
      h != nullptr && CERTCTL_HAS_FIELD(h, certctl_host, run_lua_hook) ? h->run_lua_hook : nullptr,
      "run_lua_hook", request);
}

}  // namespace certctl::sdk

CERTCTL_SDK_END_HIDDEN
