#pragma once

// The export macros: one line turns a C++ class into a certctl plugin.
//
//   class MyIssuer : public certctl::sdk::Issuer { ... };
//   CERTCTL_EXPORT_ISSUER(MyIssuer, "MyCA", "1.0.0", R"({"type": "object"})")
//
// Use once per plugin library, at global scope in one .cpp file. It emits
// the visible extern "C" entry point certctl_plugin_v1, a static descriptor
// and a vtable whose every function catches all exceptions. The strings must
// be string literals (or other constants with static storage): the host
// reads them for as long as the library is loaded. The _EX forms also take
// descriptor flags (CERTCTL_PLUGIN_SINGLE_THREADED) and the oldest host ABI
// minor the plugin needs.

#include "sdk/plugin/detail/glue.h"

#define CERTCTL_SDK_EXPORT_(Kind, VtableType, VtableFn, Class, TypeName, Version, Schema, Flags, \
                            MinHostAbiMinor)                                                     \
  namespace {                                                                                    \
  const VtableType certctl_sdk_vtable_ = ::certctl::sdk::detail::VtableFn<Class>();              \
  const certctl_plugin_descriptor certctl_sdk_descriptor_ =                                      \
      ::certctl::sdk::detail::makeDescriptor<Class>(Kind, TypeName, Version, Schema, Flags,      \
                                                    MinHostAbiMinor, &certctl_sdk_vtable_,       \
                                                    sizeof(VtableType));                         \
  }                                                                                              \
  extern "C" CERTCTL_PLUGIN_EXPORT const certctl_plugin_descriptor* certctl_plugin_v1(           \
      const certctl_host* host) {                                                                \
    return ::certctl::sdk::detail::handshake(host, &certctl_sdk_descriptor_);                    \
  }

#define CERTCTL_EXPORT_ISSUER_EX(Class, TypeName, Version, Schema, Flags, MinHostAbiMinor)       \
  CERTCTL_SDK_EXPORT_(CERTCTL_KIND_ISSUER, certctl_issuer_vtable, issuerVtable, Class, TypeName, \
                      Version, Schema, Flags, MinHostAbiMinor)
#define CERTCTL_EXPORT_TARGET_EX(Class, TypeName, Version, Schema, Flags, MinHostAbiMinor)       \
  CERTCTL_SDK_EXPORT_(CERTCTL_KIND_TARGET, certctl_target_vtable, targetVtable, Class, TypeName, \
                      Version, Schema, Flags, MinHostAbiMinor)
#define CERTCTL_EXPORT_NOTIFIER_EX(Class, TypeName, Version, Schema, Flags, MinHostAbiMinor) \
  CERTCTL_SDK_EXPORT_(CERTCTL_KIND_NOTIFIER, certctl_notifier_vtable, notifierVtable, Class, \
                      TypeName, Version, Schema, Flags, MinHostAbiMinor)
#define CERTCTL_EXPORT_DISCOVERY_EX(Class, TypeName, Version, Schema, Flags, MinHostAbiMinor)   \
  CERTCTL_SDK_EXPORT_(CERTCTL_KIND_DISCOVERY, certctl_discovery_vtable, discoveryVtable, Class, \
                      TypeName, Version, Schema, Flags, MinHostAbiMinor)

#define CERTCTL_EXPORT_ISSUER(Class, TypeName, Version, Schema) \
  CERTCTL_EXPORT_ISSUER_EX(Class, TypeName, Version, Schema, 0u, 0u)
#define CERTCTL_EXPORT_TARGET(Class, TypeName, Version, Schema) \
  CERTCTL_EXPORT_TARGET_EX(Class, TypeName, Version, Schema, 0u, 0u)
#define CERTCTL_EXPORT_NOTIFIER(Class, TypeName, Version, Schema) \
  CERTCTL_EXPORT_NOTIFIER_EX(Class, TypeName, Version, Schema, 0u, 0u)
#define CERTCTL_EXPORT_DISCOVERY(Class, TypeName, Version, Schema) \
  CERTCTL_EXPORT_DISCOVERY_EX(Class, TypeName, Version, Schema, 0u, 0u)
