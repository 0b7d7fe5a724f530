/*
 * certctl plugin ABI, major version 1: the parts every plugin kind shares.
 *
 * This is the contract between certctl (the "host": certctl-server or
 * certctl-agent) and a plugin shared library. It is plain C99 so that a
 * plugin built with any compiler, in any language that can export a C
 * function, keeps loading across certctl releases. docs/plugin-abi.md is
 * the guide; the comments here are the reference.
 *
 * The rules, in short:
 *  - A plugin exports exactly one function, certctl_plugin_v1 (below).
 *  - Every struct that crosses the boundary starts with uint32_t struct_size
 *    and only ever grows at the end. Whoever reads a struct made by the
 *    other side reads a field only if it lies within that struct_size
 *    (CERTCTL_HAS_FIELD); the host copies a plugin's vtable into a zeroed
 *    struct of its own size, so fields a plugin does not know are NULL.
 *  - Requests, configs and results are UTF-8 JSON documents passed as
 *    certctl_str views; results are JSON objects written to a certctl_sink.
 *  - Whoever allocates frees: inputs are borrowed for the duration of one
 *    call, outputs are copied out through the sink, nothing allocated on
 *    one side is freed on the other. Every pointer below carries an
 *    OWNERSHIP note.
 *  - Every fallible call returns a certctl_status and reports the detail
 *    through host->set_error(call, msg). No C++ exception, longjmp or
 *    abort() may cross the boundary.
 */
#ifndef CERTCTL_PLUGIN_V1_H
#define CERTCTL_PLUGIN_V1_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version these headers describe. The major is also in the name of
 * the entry symbol; the minor grows when fields are appended. What each
 * minor added (a plugin built against an older minor keeps loading, with
 * NULL in the newer slots; a newer one has its extra slots ignored):
 *   1.0  the v1 ABI.
 *   1.1  certctl_issuer_vtable.generate_crl_compact (issuer_v1.h): the CRL
 *        with its revocation list as one tab-separated string instead of an
 *        array of JSON objects, for CRLs of a million entries. */
#define CERTCTL_ABI_MAJOR 1
#define CERTCTL_ABI_MINOR 1

/* The one symbol a v1 plugin exports. A breaking change would add
 * certctl_plugin_v2; a host may accept several majors. */
#define CERTCTL_PLUGIN_ENTRY_V1 "certctl_plugin_v1"

#if defined(_WIN32) || defined(__CYGWIN__)
#define CERTCTL_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
/* Plugins should be built with -fvisibility=hidden; the entry stays visible. */
#define CERTCTL_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define CERTCTL_PLUGIN_EXPORT
#endif

/* Compile-time layout checks: _Static_assert in C11 and later, static_assert
 * in C++, a negative array size in C99 (no pedantic warning in any). */
#if defined(__cplusplus)
#define CERTCTL_STATIC_ASSERT(cond, name) static_assert(cond, #name)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define CERTCTL_STATIC_ASSERT(cond, name) _Static_assert(cond, #name)
#else
#define CERTCTL_STATIC_ASSERT(cond, name) typedef char certctl_static_assert_##name[(cond) ? 1 : -1]
#endif

/* True when `field` of struct `type` lies within what the other side
 * declared in (ptr)->struct_size, i.e. it may be read. */
#define CERTCTL_HAS_FIELD(ptr, type, field) \
  ((size_t)(ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* ---------------------------------------------------------------- status */

/* The result of every fallible call. The host decides retry vs failure
 * from the status alone; the message (set_error) is for humans. A status
 * other than CERTCTL_OK without a message is a plugin bug (logged as one).
 * Values the host does not know are treated as CERTCTL_INTERNAL. */
typedef int32_t certctl_status;
enum {
  CERTCTL_OK = 0,
  CERTCTL_INVALID_CONFIG = 1, /* the configuration is wrong: fix it, don't retry */
  CERTCTL_REJECTED = 2,       /* the request is refused (bad CSR, policy, unknown serial) */
  CERTCTL_RETRYABLE = 3,      /* a transient failure (network, rate limit): try again later */
  CERTCTL_UNSUPPORTED = 4,    /* this plugin does not implement the operation */
  CERTCTL_INTERNAL = 5        /* a bug or an unexpected failure inside the plugin */
};

/* Log levels of certctl_host.log. */
enum { CERTCTL_LOG_DEBUG = 0, CERTCTL_LOG_INFO = 1, CERTCTL_LOG_WARN = 2, CERTCTL_LOG_ERROR = 3 };

/* ----------------------------------------------------------- data views */

/* A borrowed UTF-8 byte range, not NUL-terminated. A plain value type: it
 * has no struct_size and will never grow.
 * OWNERSHIP: `ptr` belongs to whoever passed the view and is valid only for
 * the duration of the call it was passed to; copy what you keep. */
typedef struct certctl_str {
  const char* ptr;
  size_t len;
} certctl_str;

/* Where results go. Calling write() several times appends. write() returns
 * 0 on success and non-zero when the receiver refuses the data (e.g. it is
 * over the host's size limit); the caller should then fail the operation
 * with CERTCTL_INTERNAL.
 * OWNERSHIP: the sink and its ctx belong to the side that passed it and are
 * valid only during the call they were passed to. write() copies `ptr`; the
 * writer keeps ownership of its buffer. */
typedef struct certctl_sink {
  uint32_t struct_size;
  void* ctx;
  int (*write)(void* ctx, const char* ptr, size_t len);
} certctl_sink;

/* One call from the host into the plugin: an opaque handle the plugin passes
 * back to the host services (set_error, log, ...) so that errors and log
 * lines are attributed to the right plugin and request.
 * OWNERSHIP: host; valid only until the plugin function it was passed to
 * returns. Never keep it, never use it from another thread. */
typedef struct certctl_call certctl_call;

/* ------------------------------------------------------------ the host */

/* What the host offers a plugin. Handed to the entry point; fields appended
 * in later minors are read only after checking CERTCTL_HAS_FIELD(host,
 * certctl_host, field). Optional services are NULL when the host does not
 * offer them (the agent has no certificate store, for instance).
 * OWNERSHIP: host; the struct and every pointer in it stay valid from the
 * entry call until module_teardown has returned (the plugin may keep the
 * certctl_host pointer for that long). */
typedef struct certctl_host {
  uint32_t struct_size;
  uint32_t abi_major; /* CERTCTL_ABI_MAJOR of the host: 1 */
  uint32_t abi_minor; /* CERTCTL_ABI_MINOR the host implements */
  /* OWNERSHIP: host, NUL-terminated, e.g. "0.1.0" (the product, not the ABI). */
  const char* product_version;
  /* The call handle for set_error/log during the certctl_plugin_v1 entry
   * call only (e.g. to explain a NULL descriptor).
   * OWNERSHIP: host; invalid once the entry returns. */
  certctl_call* handshake_call;

  /* Structured log line attributed to the plugin. Always present.
   * `call` may be NULL (e.g. from a plugin's own thread).
   * OWNERSHIP: `msg` is borrowed (NUL-terminated UTF-8) and copied. */
  void (*log)(certctl_call* call, int32_t level, const char* msg);
  /* Detail for the status the current call is about to return; the last
   * message set wins. Always present. A NULL `call` is ignored.
   * OWNERSHIP: `msg` is borrowed (NUL-terminated UTF-8) and copied. */
  void (*set_error)(certctl_call* call, const char* msg);

  /* Optional host services. Each takes a JSON request and writes a JSON
   * object to `out`; on failure it returns a non-OK status and writes
   * {"error": "<message>"}. `call` must be the handle of the call in
   * progress. OWNERSHIP: `request` is borrowed by the host for the call,
   * `out` belongs to the plugin.
   *
   * run_lua_hook: runs a sandboxed Lua hook (e.g. DNS-01 present/cleanup).
   *   request {"hook": "dns/example.lua", "function": "present", "args": {...}}
   *   result  {"result": <whatever the hook returned>}
   * lookup_certificate_by_serial: finds a certificate the host stores.
   *   request {"serial": "<hex>", "issuer_id": "<optional>"}
   *   result  {"found": false} or {"found": true, "certificate": {...}}
   * read_secret: reads a named secret the operator configured.
   *   request {"name": "<secret name>"}
   *   result  {"value": "<secret>"} */
  certctl_status (*run_lua_hook)(certctl_call* call, certctl_str request, const certctl_sink* out);
  certctl_status (*lookup_certificate_by_serial)(certctl_call* call, certctl_str request,
                                                 const certctl_sink* out);
  certctl_status (*read_secret)(certctl_call* call, certctl_str request, const certctl_sink* out);
} certctl_host;

/* ---------------------------------------------------------- descriptor */

/* Which vtable the descriptor carries. */
enum {
  CERTCTL_KIND_ISSUER = 1,   /* certctl_issuer_vtable (issuer_v1.h) */
  CERTCTL_KIND_TARGET = 2,   /* certctl_target_vtable (target_v1.h) */
  CERTCTL_KIND_NOTIFIER = 3, /* certctl_notifier_vtable (notifier_v1.h) */
  CERTCTL_KIND_DISCOVERY = 4 /* certctl_discovery_vtable (discovery_v1.h) */
};

/* Descriptor flags. */
enum {
  /* The host serialises all calls on one instance. Without it, calls on one
   * instance may come from several threads at once. */
  CERTCTL_PLUGIN_SINGLE_THREADED = 1u << 0
};

/* The plugin's identity and entry points, returned by certctl_plugin_v1.
 * OWNERSHIP: plugin; the descriptor, its strings and its vtable must stay
 * valid and unchanged until the library is unloaded (use static data). */
typedef struct certctl_plugin_descriptor {
  uint32_t struct_size;        /* sizeof(certctl_plugin_descriptor) as the plugin built it */
  uint32_t abi_major;          /* CERTCTL_ABI_MAJOR the plugin was built against: 1 */
  uint32_t abi_minor;          /* CERTCTL_ABI_MINOR the plugin was built against (informational) */
  uint32_t min_host_abi_minor; /* the oldest host minor this plugin works with */
  uint32_t kind;               /* CERTCTL_KIND_* */
  uint32_t flags;              /* CERTCTL_PLUGIN_* flags */
  /* The `type` users configure, unique per kind, e.g. "GenericCA", "NGINX".
   * 1..64 characters of [A-Za-z0-9._-]. NUL-terminated. */
  const char* type_name;
  const char* plugin_version; /* NUL-terminated, e.g. "1.2.0" */
  const char* build_info;     /* NUL-terminated free text (compiler, commit); may be NULL */
  /* JSON Schema (a JSON object, NUL-terminated) of the instance config: the
   * host shows it to users and the UI builds its form from it. */
  const char* config_schema;
  /* Optional: called once after the host accepted the plugin, before any
   * other call. A non-OK status refuses the plugin (set_error says why). */
  certctl_status (*module_init)(certctl_call* call);
  /* Optional: called once before unloading, after every instance is gone,
   * only if the plugin was accepted and module_init (if any) succeeded. */
  void (*module_teardown)(certctl_call* call);
  /* The kind's vtable (e.g. const certctl_issuer_vtable*) and its size. The
   * vtable's own struct_size must equal vtable_size. */
  const void* vtable;
  uint32_t vtable_size;
} certctl_plugin_descriptor;

/* Callback shapes shared by every kind's vtable. In all of them `call` is
 * the host's handle for set_error/log, `config`/`request` are borrowed JSON
 * (an object; valid for the call only) and `out` receives one JSON object
 * (writing nothing means {}). */

/* Checks a config without keeping anything. May write {"warnings": [...]}. */
typedef certctl_status (*certctl_validate_config_fn)(certctl_call* call, certctl_str config,
                                                     const certctl_sink* out);
/* Makes an instance for one config. On CERTCTL_OK, *instance_out is the
 * plugin's handle (NULL is allowed) which the host passes back to every
 * instance call and finally to destroy_instance.
 * OWNERSHIP: the instance belongs to the plugin; the host only holds it. */
typedef certctl_status (*certctl_create_instance_fn)(certctl_call* call, certctl_str config,
                                                     void** instance_out);
/* Frees an instance. Called exactly once per successful create_instance,
 * after every call on the instance has returned. */
typedef void (*certctl_destroy_instance_fn)(void* instance, certctl_call* call);
/* One operation on an instance. */
typedef certctl_status (*certctl_instance_op_fn)(void* instance, certctl_call* call,
                                                 certctl_str request, const certctl_sink* out);

/* ---------------------------------------------------------------- entry */

/* The handshake. The host calls it once after loading the library, with its
 * certctl_host; the plugin returns its descriptor, or NULL after calling
 * host->set_error(host->handshake_call, "why"). It must be cheap and free of
 * side effects (no threads, no I/O): do real work in module_init.
 * OWNERSHIP: `host` as described at certctl_host; the descriptor as
 * described at certctl_plugin_descriptor. */
CERTCTL_PLUGIN_EXPORT const certctl_plugin_descriptor* certctl_plugin_v1(const certctl_host* host);

typedef const certctl_plugin_descriptor* (*certctl_plugin_entry_v1_fn)(const certctl_host* host);

/* ------------------------------------------------------ layout pins (v1) */

/* These fail the build if a v1 field moves: fields may only be appended. */
#if UINTPTR_MAX > 0xFFFFFFFFu
CERTCTL_STATIC_ASSERT(sizeof(certctl_str) == 16, certctl_str_size);
CERTCTL_STATIC_ASSERT(offsetof(certctl_str, len) == 8, certctl_str_len);

CERTCTL_STATIC_ASSERT(offsetof(certctl_sink, ctx) == 8, certctl_sink_ctx);
CERTCTL_STATIC_ASSERT(offsetof(certctl_sink, write) == 16, certctl_sink_write);
CERTCTL_STATIC_ASSERT(sizeof(certctl_sink) == 24, certctl_sink_size);

CERTCTL_STATIC_ASSERT(offsetof(certctl_host, abi_major) == 4, certctl_host_abi_major);
CERTCTL_STATIC_ASSERT(offsetof(certctl_host, abi_minor) == 8, certctl_host_abi_minor);
CERTCTL_STATIC_ASSERT(offsetof(certctl_host, product_version) == 16, certctl_host_product_version);
CERTCTL_STATIC_ASSERT(offsetof(certctl_host, handshake_call) == 24, certctl_host_handshake_call);
CERTCTL_STATIC_ASSERT(offsetof(certctl_host, log) == 32, certctl_host_log);
CERTCTL_STATIC_ASSERT(offsetof(certctl_host, set_error) == 40, certctl_host_set_error);
CERTCTL_STATIC_ASSERT(offsetof(certctl_host, run_lua_hook) == 48, certctl_host_run_lua_hook);
CERTCTL_STATIC_ASSERT(offsetof(certctl_host, lookup_certificate_by_serial) == 56,
                      certctl_host_lookup_certificate_by_serial);
CERTCTL_STATIC_ASSERT(offsetof(certctl_host, read_secret) == 64, certctl_host_read_secret);
CERTCTL_STATIC_ASSERT(sizeof(certctl_host) == 72, certctl_host_size);

CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, abi_major) == 4, certctl_desc_abi_major);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, abi_minor) == 8, certctl_desc_abi_minor);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, min_host_abi_minor) == 12,
                      certctl_desc_min_host_abi_minor);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, kind) == 16, certctl_desc_kind);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, flags) == 20, certctl_desc_flags);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, type_name) == 24, certctl_desc_type_name);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, plugin_version) == 32,
                      certctl_desc_plugin_version);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, build_info) == 40,
                      certctl_desc_build_info);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, config_schema) == 48,
                      certctl_desc_config_schema);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, module_init) == 56,
                      certctl_desc_module_init);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, module_teardown) == 64,
                      certctl_desc_module_teardown);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, vtable) == 72, certctl_desc_vtable);
CERTCTL_STATIC_ASSERT(offsetof(certctl_plugin_descriptor, vtable_size) == 80,
                      certctl_desc_vtable_size);
CERTCTL_STATIC_ASSERT(sizeof(certctl_plugin_descriptor) == 88, certctl_desc_size);
#endif

/* The smallest struct_size a v1.0 reader accepts: everything up to and
 * including the last field of minor 0. */
#define CERTCTL_HOST_V1_0_SIZE \
  (offsetof(certctl_host, read_secret) + sizeof(((certctl_host*)0)->read_secret))
#define CERTCTL_DESCRIPTOR_V1_0_SIZE                  \
  (offsetof(certctl_plugin_descriptor, vtable_size) + \
   sizeof(((certctl_plugin_descriptor*)0)->vtable_size))

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CERTCTL_PLUGIN_V1_H */
