// The v1 layout as a C++ compiler sees it: the same offsets the C headers
// pin, so a plugin built by a C compiler and a host built by a C++ compiler
// agree on every field. Fields may only ever be appended.
#include <catch2/catch.hpp>

#include <certctl/discovery_v1.h>
#include <certctl/issuer_v1.h>
#include <certctl/notifier_v1.h>
#include <certctl/plugin_v1.h>
#include <certctl/target_v1.h>

#include <cstddef>
#include <type_traits>

static_assert(sizeof(void*) == 8, "the pinned offsets below are for 64-bit targets");
static_assert(std::is_standard_layout_v<certctl_host>);
static_assert(std::is_standard_layout_v<certctl_plugin_descriptor>);
static_assert(std::is_trivially_copyable_v<certctl_issuer_vtable>);
static_assert(std::is_same_v<certctl_status, std::int32_t>);

TEST_CASE("plugin ABI v1 offsets are pinned", "[plugins][abi]") {
  CHECK(offsetof(certctl_str, ptr) == 0);
  CHECK(offsetof(certctl_str, len) == 8);
  CHECK(offsetof(certctl_sink, struct_size) == 0);
  CHECK(offsetof(certctl_sink, write) == 16);

  CHECK(offsetof(certctl_host, struct_size) == 0);
  CHECK(offsetof(certctl_host, product_version) == 16);
  CHECK(offsetof(certctl_host, handshake_call) == 24);
  CHECK(offsetof(certctl_host, log) == 32);
  CHECK(offsetof(certctl_host, set_error) == 40);
  CHECK(offsetof(certctl_host, run_lua_hook) == 48);
  CHECK(offsetof(certctl_host, lookup_certificate_by_serial) == 56);
  CHECK(offsetof(certctl_host, read_secret) == 64);
  CHECK(CERTCTL_HOST_V1_0_SIZE == 72);

  CHECK(offsetof(certctl_plugin_descriptor, min_host_abi_minor) == 12);
  CHECK(offsetof(certctl_plugin_descriptor, kind) == 16);
  CHECK(offsetof(certctl_plugin_descriptor, type_name) == 24);
  CHECK(offsetof(certctl_plugin_descriptor, config_schema) == 48);
  CHECK(offsetof(certctl_plugin_descriptor, module_init) == 56);
  CHECK(offsetof(certctl_plugin_descriptor, vtable) == 72);
  CHECK(offsetof(certctl_plugin_descriptor, vtable_size) == 80);
  CHECK(CERTCTL_DESCRIPTOR_V1_0_SIZE == 84);

  CHECK(offsetof(certctl_issuer_vtable, validate_config) == 8);
  CHECK(offsetof(certctl_issuer_vtable, issue) == 32);
  CHECK(offsetof(certctl_issuer_vtable, revoke) == 48);
  CHECK(offsetof(certctl_issuer_vtable, test_connection) == 88);
  CHECK(CERTCTL_ISSUER_VTABLE_V1_MIN_SIZE == 56);
  CHECK(CERTCTL_ISSUER_VTABLE_V1_0_SIZE == 96);
  CHECK(offsetof(certctl_issuer_vtable, generate_crl_compact) == 96);  // appended in 1.1
  CHECK(sizeof(certctl_issuer_vtable) == 104);
  CHECK(offsetof(certctl_target_vtable, deploy) == 32);
  CHECK(offsetof(certctl_target_vtable, validate_deployment) == 40);
  CHECK(offsetof(certctl_notifier_vtable, send) == 32);
  CHECK(offsetof(certctl_discovery_vtable, scan) == 32);
}

TEST_CASE("status, kind and log-level values are fixed", "[plugins][abi]") {
  CHECK(CERTCTL_OK == 0);
  CHECK(CERTCTL_INVALID_CONFIG == 1);
  CHECK(CERTCTL_REJECTED == 2);
  CHECK(CERTCTL_RETRYABLE == 3);
  CHECK(CERTCTL_UNSUPPORTED == 4);
  CHECK(CERTCTL_INTERNAL == 5);
  CHECK(CERTCTL_KIND_ISSUER == 1);
  CHECK(CERTCTL_KIND_TARGET == 2);
  CHECK(CERTCTL_KIND_NOTIFIER == 3);
  CHECK(CERTCTL_KIND_DISCOVERY == 4);
  CHECK(CERTCTL_LOG_DEBUG == 0);
  CHECK(CERTCTL_LOG_ERROR == 3);
  CHECK(CERTCTL_PLUGIN_SINGLE_THREADED == 1u);
  CHECK(CERTCTL_ABI_MAJOR == 1);
  CHECK(CERTCTL_ABI_MINOR == 1);
}

TEST_CASE("CERTCTL_HAS_FIELD reads a field only within struct_size", "[plugins][abi]") {
  certctl_host host{};
  host.struct_size = offsetof(certctl_host, run_lua_hook);  // an imaginary older host
  CHECK(CERTCTL_HAS_FIELD(&host, certctl_host, set_error));
  CHECK_FALSE(CERTCTL_HAS_FIELD(&host, certctl_host, run_lua_hook));
  CHECK_FALSE(CERTCTL_HAS_FIELD(&host, certctl_host, read_secret));
  host.struct_size = sizeof host;
  CHECK(CERTCTL_HAS_FIELD(&host, certctl_host, read_secret));
}
