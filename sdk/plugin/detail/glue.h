#pragma once

// The C side of the SDK: noexcept functions with the ABI's signatures that
// parse the JSON views, call the C++ object, write its result through the
// sink and turn every exception into a status + host->set_error. Used by the
// CERTCTL_EXPORT_* macros (sdk/plugin/export.h); not for direct use.

#include <certctl/discovery_v1.h>
#include <certctl/issuer_v1.h>
#include <certctl/notifier_v1.h>
#include <certctl/plugin_v1.h>
#include <certctl/target_v1.h>

#include <concepts>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>

#include "sdk/plugin/detail/fast_json.h"
#include "sdk/plugin/discovery.h"
#include "sdk/plugin/host.h"
#include "sdk/plugin/issuer.h"
#include "sdk/plugin/notifier.h"
#include "sdk/plugin/plugin_error.h"
#include "sdk/plugin/target.h"
#include "sdk/plugin/visibility.h"

#ifndef CERTCTL_SDK_VERSION
#define CERTCTL_SDK_VERSION "unknown"
#endif
#if defined(__clang__)
#define CERTCTL_SDK_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define CERTCTL_SDK_COMPILER "gcc " __VERSION__
#elif defined(_MSC_VER)
#define CERTCTL_SDK_COMPILER "msvc"
#else
#define CERTCTL_SDK_COMPILER "unknown compiler"
#endif
// A plugin may define CERTCTL_PLUGIN_BUILD_INFO (e.g. "commit abc123") before
// including the SDK; it is prepended to the descriptor's build_info.
#ifdef CERTCTL_PLUGIN_BUILD_INFO
#define CERTCTL_SDK_BUILD_INFO \
  CERTCTL_PLUGIN_BUILD_INFO "; certctl-sdk " CERTCTL_SDK_VERSION "; " CERTCTL_SDK_COMPILER
#else
#define CERTCTL_SDK_BUILD_INFO "certctl-sdk " CERTCTL_SDK_VERSION "; " CERTCTL_SDK_COMPILER
#endif

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::sdk::detail {

// set_error must never be called with an empty message: the host counts an
// error status without detail as a plugin bug.
inline void reportError(certctl_call* call, const char* prefix, const char* what) noexcept {
  try {
    std::string message =
        std::string(prefix) + (what != nullptr && *what ? what : "unspecified error");
    setError(call, message.c_str());
  } catch (...) {
    setError(call, "out of memory while reporting an error");
  }
}

// Runs `body` as one ABI call: no exception leaves.
template <class F>
certctl_status guarded(certctl_call* call, Status jsonErrorStatus, const char* jsonErrorPrefix,
                       F&& body) noexcept {
  CallScope scope(call);
  try {
    body();
    return CERTCTL_OK;
  } catch (const PluginError& e) {
    reportError(call, "", e.what());
    return static_cast<certctl_status>(e.status());
  } catch (const nlohmann::json::exception& e) {
    // .at("missing"), .get<int>() on a string, ...: the input was not what the plugin expects.
    reportError(call, jsonErrorPrefix, e.what());
    return static_cast<certctl_status>(jsonErrorStatus);
  } catch (const std::bad_alloc&) {
    setError(call, "out of memory");
    return CERTCTL_INTERNAL;
  } catch (const std::exception& e) {
    reportError(call, "", e.what());
    return CERTCTL_INTERNAL;
  } catch (...) {
    setError(call, "unknown exception in plugin");
    return CERTCTL_INTERNAL;
  }
}

// A borrowed JSON view as an object; empty means {}.
inline nlohmann::json parseDocument(certctl_str text, Status onError, const char* what) {
  if (text.len == 0) return nlohmann::json::object();
  if (text.ptr == nullptr) throw PluginError(onError, std::string("no ") + what + " document");
  auto doc = parseJson(std::string_view(text.ptr, text.len));
  if (doc.is_discarded()) throw PluginError(onError, std::string("malformed ") + what + " JSON");
  if (!doc.is_object()) throw PluginError(onError, std::string(what) + " must be a JSON object");
  return doc;
}

inline void writeResult(const certctl_sink* out, const nlohmann::json& result) {
  if (out == nullptr || !CERTCTL_HAS_FIELD(out, certctl_sink, write) || out->write == nullptr)
    throw PluginError::internal("the host passed no result sink");
  if (!result.is_null() && !result.is_object())
    throw PluginError::internal("the plugin's result is not a JSON object");
  auto write = [out](const char* ptr, std::size_t len) {
    return out->write(out->ctx, ptr, len) == 0;
  };
  // A long plain string member (a CRL in base64) goes to the sink uncopied.
  if (!(result.is_null() ? write("{}", 2) : writeJson(result, write)))
    throw PluginError::internal("the host refused the result (too large?)");
}

template <class T>
std::unique_ptr<T> construct(const nlohmann::json& config) {
  if constexpr (std::is_constructible_v<T, const nlohmann::json&>) {
    return std::make_unique<T>(config);
  } else {
    static_assert(std::is_default_constructible_v<T>,
                  "a plugin class needs a T(const nlohmann::json& config) or a T() constructor");
    return std::make_unique<T>();
  }
}

constexpr const char* kConfigPrefix = "invalid config: ";
constexpr const char* kRequestPrefix = "invalid request: ";

template <class T>
certctl_status validateConfig(certctl_call* call, certctl_str config,
                              const certctl_sink* out) noexcept {
  return guarded(call, Status::InvalidConfig, kConfigPrefix, [&] {
    auto cfg = parseDocument(config, Status::InvalidConfig, "config");
    nlohmann::json result = nlohmann::json::object();
    if constexpr (requires(const nlohmann::json& c) {
                    { T::validateConfig(c) } -> std::same_as<nlohmann::json>;
                  }) {
      result = T::validateConfig(cfg);
    } else if constexpr (requires(const nlohmann::json& c) { T::validateConfig(c); }) {
      T::validateConfig(cfg);
    } else {
      construct<T>(cfg);  // a constructor that accepts the config is the validation
    }
    writeResult(out, result);
  });
}

template <class Base, class T>
certctl_status createInstance(certctl_call* call, certctl_str config, void** instanceOut) noexcept {
  if (instanceOut == nullptr) {
    setError(call, "create_instance: the host passed no instance_out");
    return CERTCTL_INTERNAL;
  }
  *instanceOut = nullptr;
  return guarded(call, Status::InvalidConfig, kConfigPrefix, [&] {
    auto cfg = parseDocument(config, Status::InvalidConfig, "config");
    std::unique_ptr<Base> instance = construct<T>(cfg);
    *instanceOut = instance.release();
  });
}

template <class Base>
void destroyInstance(void* instance, certctl_call* call) noexcept {
  CallScope scope(call);
  try {
    delete static_cast<Base*>(instance);
  } catch (...) {
    // A throwing destructor would terminate; nothing may cross the boundary.
  }
}

template <class Base, auto Method>
certctl_status instanceOp(void* instance, certctl_call* call, certctl_str request,
                          const certctl_sink* out) noexcept {
  return guarded(call, Status::Rejected, kRequestPrefix, [&] {
    if (instance == nullptr) throw PluginError::internal("no instance");
    auto req = parseDocument(request, Status::Rejected, "request");
    nlohmann::json result = (static_cast<Base*>(instance)->*Method)(req);
    writeResult(out, result);
  });
}

// True when the member function is declared in a class derived from Base,
// i.e. the plugin overrides the optional operation.
template <class Base, class C, class R, class... A>
constexpr bool overrides(R (C::*)(A...)) {
  return !std::is_same_v<C, Base>;
}

template <class Base, auto Method, class Member>
constexpr certctl_instance_op_fn optionalOp(Member derivedMember) {
  return overrides<Base>(derivedMember) ? &instanceOp<Base, Method> : nullptr;
}

using ModuleInitFn = certctl_status (*)(certctl_call*);
using ModuleTeardownFn = void (*)(certctl_call*);

template <class T>
certctl_status moduleInit(certctl_call* call) noexcept {
  return guarded(call, Status::Internal, "module init: ", [] { T::moduleInit(); });
}

template <class T>
void moduleTeardown(certctl_call* call) noexcept {
  CallScope scope(call);
  try {
    T::moduleTeardown();
  } catch (...) {
  }
}

template <class T>
constexpr ModuleInitFn moduleInitSlot() {
  if constexpr (requires { T::moduleInit(); })
    return &moduleInit<T>;
  else
    return nullptr;
}

template <class T>
constexpr ModuleTeardownFn moduleTeardownSlot() {
  if constexpr (requires { T::moduleTeardown(); })
    return &moduleTeardown<T>;
  else
    return nullptr;
}

template <class T>
constexpr certctl_issuer_vtable issuerVtable() {
  static_assert(std::is_base_of_v<Issuer, T>, "CERTCTL_EXPORT_ISSUER needs a sdk::Issuer");
  certctl_issuer_vtable v{};
  v.struct_size = sizeof(certctl_issuer_vtable);
  v.validate_config = &validateConfig<T>;
  v.create_instance = &createInstance<Issuer, T>;
  v.destroy_instance = &destroyInstance<Issuer>;
  v.issue = &instanceOp<Issuer, &Issuer::issue>;
  v.renew = &instanceOp<Issuer, &Issuer::renew>;
  v.revoke = &instanceOp<Issuer, &Issuer::revoke>;
  v.get_order_status = optionalOp<Issuer, &Issuer::getOrderStatus>(&T::getOrderStatus);
  v.generate_crl = optionalOp<Issuer, &Issuer::generateCrl>(&T::generateCrl);
  v.sign_ocsp = optionalOp<Issuer, &Issuer::signOcsp>(&T::signOcsp);
  v.get_ca_chain = optionalOp<Issuer, &Issuer::getCaChain>(&T::getCaChain);
  v.test_connection = optionalOp<Issuer, &Issuer::testConnection>(&T::testConnection);
  v.generate_crl_compact =
      optionalOp<Issuer, &Issuer::generateCrlCompact>(&T::generateCrlCompact);  // ABI 1.1
  return v;
}

template <class T>
constexpr certctl_target_vtable targetVtable() {
  static_assert(std::is_base_of_v<Target, T>, "CERTCTL_EXPORT_TARGET needs a sdk::Target");
  certctl_target_vtable v{};
  v.struct_size = sizeof(certctl_target_vtable);
  v.validate_config = &validateConfig<T>;
  v.create_instance = &createInstance<Target, T>;
  v.destroy_instance = &destroyInstance<Target>;
  v.deploy = &instanceOp<Target, &Target::deploy>;
  v.validate_deployment = optionalOp<Target, &Target::validateDeployment>(&T::validateDeployment);
  return v;
}

template <class T>
constexpr certctl_notifier_vtable notifierVtable() {
  static_assert(std::is_base_of_v<Notifier, T>, "CERTCTL_EXPORT_NOTIFIER needs a sdk::Notifier");
  certctl_notifier_vtable v{};
  v.struct_size = sizeof(certctl_notifier_vtable);
  v.validate_config = &validateConfig<T>;
  v.create_instance = &createInstance<Notifier, T>;
  v.destroy_instance = &destroyInstance<Notifier>;
  v.send = &instanceOp<Notifier, &Notifier::send>;
  return v;
}

template <class T>
constexpr certctl_discovery_vtable discoveryVtable() {
  static_assert(std::is_base_of_v<Discovery, T>, "CERTCTL_EXPORT_DISCOVERY needs a sdk::Discovery");
  certctl_discovery_vtable v{};
  v.struct_size = sizeof(certctl_discovery_vtable);
  v.validate_config = &validateConfig<T>;
  v.create_instance = &createInstance<Discovery, T>;
  v.destroy_instance = &destroyInstance<Discovery>;
  v.scan = &instanceOp<Discovery, &Discovery::scan>;
  return v;
}

template <class T>
constexpr certctl_plugin_descriptor makeDescriptor(std::uint32_t kind, const char* typeName,
                                                   const char* version, const char* configSchema,
                                                   std::uint32_t flags,
                                                   std::uint32_t minHostAbiMinor,
                                                   const void* vtable, std::uint32_t vtableSize) {
  certctl_plugin_descriptor d{};
  d.struct_size = sizeof(certctl_plugin_descriptor);
  d.abi_major = CERTCTL_ABI_MAJOR;
  d.abi_minor = CERTCTL_ABI_MINOR;
  d.min_host_abi_minor = minHostAbiMinor;
  d.kind = kind;
  d.flags = flags;
  d.type_name = typeName;
  d.plugin_version = version;
  d.build_info = CERTCTL_SDK_BUILD_INFO;
  d.config_schema = configSchema;
  d.module_init = moduleInitSlot<T>();
  d.module_teardown = moduleTeardownSlot<T>();
  d.vtable = vtable;
  d.vtable_size = vtableSize;
  return d;
}

// The body of certctl_plugin_v1: remembers the host and hands back the descriptor.
inline const certctl_plugin_descriptor* handshake(
    const certctl_host* host, const certctl_plugin_descriptor* descriptor) noexcept {
  if (host == nullptr || host->struct_size < CERTCTL_HOST_V1_0_SIZE) return nullptr;
  if (host->abi_major != CERTCTL_ABI_MAJOR) {
    if (host->set_error != nullptr)
      host->set_error(host->handshake_call, "plugin built for certctl plugin ABI major 1");
    return nullptr;
  }
  g_host = host;
  return descriptor;
}

}  // namespace certctl::sdk::detail

CERTCTL_SDK_END_HIDDEN
