#include "core/plugins/plugin_module.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <cstring>
#include <map>
#include <mutex>

#include "core/plugins/call_context.h"
#include "core/plugins/plugin_call_error.h"
#include "sdk/plugin/detail/fast_json.h"

namespace certctl::plugins {

namespace {

constexpr std::size_t kMaxTypeName = 64;
constexpr std::size_t kMaxVersion = 64;
constexpr std::size_t kMaxBuildInfo = 1024;
constexpr std::size_t kMaxSchemaBytes = 1 << 20;
constexpr int kHighestMajorProbed = 9;

}  // namespace

// A document for the plugin; a null json (a default-constructed request) is {}.
std::string requestText(const nlohmann::json& value) {
  if (value.is_null()) return "{}";
  return sdk::detail::dumpJson(value);
}

namespace {

// The dlerror text out of Boost.DLL's message (its errno part is wrong).
std::string loadErrorText(const std::string& what) {
  const std::string marker = "dlerror system message: ";
  auto start = what.find(marker);
  if (start == std::string::npos) return what;
  start += marker.size();
  auto end = what.rfind("):");
  return what.substr(start,
                     end != std::string::npos && end > start ? end - start : std::string::npos);
}

// A NUL-terminated string owned by the plugin, read without running past `max`.
std::string pluginString(const char* text, std::size_t max, const char* field, bool required) {
  if (text == nullptr || *text == '\0') {
    if (required) throw PluginRefused(std::string("descriptor has no ") + field);
    return {};
  }
  std::size_t n = strnlen(text, max + 1);
  if (n > max)
    throw PluginRefused(std::string("descriptor ") + field + " is longer than " +
                        std::to_string(max) + " bytes");
  return std::string(text, n);
}

bool validTypeName(const std::string& name) {
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool printable(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return c >= 0x20 && c != 0x7f; });
}

std::string abiText(std::uint32_t minor) {
  return std::to_string(CERTCTL_ABI_MAJOR) + "." + std::to_string(minor);
}

struct Slot {
  const char* name;
  bool present;
  bool required;
};

// Libraries that a live PluginModule owns, by dlopen handle. dlopen hands
// out the same handle (and the same statics) for a file it already loaded,
// so a second handshake would overwrite the host pointer the first module's
// plugin keeps and pair one module_init with two teardowns: refused instead.
std::mutex liveLibrariesMutex;
std::map<const void*, std::string> liveLibraries;

std::size_t minimumVtableSize(PluginKind kind) {
  switch (kind) {
    case PluginKind::Issuer:
      return CERTCTL_ISSUER_VTABLE_V1_MIN_SIZE;
    case PluginKind::Target:
      return CERTCTL_TARGET_VTABLE_V1_MIN_SIZE;
    case PluginKind::Notifier:
      return CERTCTL_NOTIFIER_VTABLE_V1_MIN_SIZE;
    case PluginKind::Discovery:
      return CERTCTL_DISCOVERY_VTABLE_V1_MIN_SIZE;
  }
  return 0;
}

}  // namespace

bool PluginInfo::supports(std::string_view operation) const {
  return std::find(operations.begin(), operations.end(), operation) != operations.end();
}

nlohmann::json PluginInfo::toJson() const {
  nlohmann::json flagNames = nlohmann::json::array();
  if (singleThreaded()) flagNames.push_back("single_threaded");
  return {{"kind", kindName(kind)},
          {"type", type},
          {"version", version},
          {"build", buildInfo},
          {"config_schema", configSchema},
          {"path", path},
          {"abi", abiText(abiMinor)},
          {"min_host_abi", abiText(minHostAbiMinor)},
          {"flags", flagNames},
          {"operations", operations}};
}

PluginModule::PluginModule(std::filesystem::path path, std::shared_ptr<const HostContext> context)
    : library_(std::make_unique<boost::dll::shared_library>()), context_(std::move(context)) {
  info_.path = path.string();
  host_ = makeHostStruct(*context_);
}

std::shared_ptr<PluginModule> PluginModule::load(const std::filesystem::path& path,
                                                 std::shared_ptr<const HostContext> context) {
  std::shared_ptr<PluginModule> module(new PluginModule(path, std::move(context)));
  try {
    // RTLD_NOW: an unresolved symbol refuses the plugin now, not a call later.
    module->library_->load(boost::dll::fs::path(path.string()),
                           boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw PluginRefused("cannot load: " + loadErrorText(e.what()));
  }
  {
    std::lock_guard lock(liveLibrariesMutex);
    auto [it, inserted] = liveLibraries.emplace(module->library_->native(), module->info_.path);
    if (!inserted) throw PluginRefused("the same library is already loaded from " + it->second);
    module->registered_ = true;
  }
  try {
    module->handshakeAndValidate();
  } catch (const PluginRefused&) {
    throw;
  } catch (const std::exception& e) {
    throw PluginRefused(std::string("cannot read the plugin: ") + e.what());
  }
  return module;
}

void PluginModule::handshakeAndValidate() {
  auto& lib = *library_;
  if (!lib.has(CERTCTL_PLUGIN_ENTRY_V1)) {
    for (int major = 2; major <= kHighestMajorProbed; ++major) {
      std::string entry = "certctl_plugin_v" + std::to_string(major);
      if (lib.has(entry))
        throw PluginRefused("built for plugin ABI major " + std::to_string(major) + " (exports " +
                            entry + "); this host implements plugin ABI " +
                            abiText(CERTCTL_ABI_MINOR));
    }
    throw PluginRefused("no entry symbol certctl_plugin_v1: not a certctl plugin");
  }
  auto& entry =
      lib.get<const certctl_plugin_descriptor*(const certctl_host*)>(CERTCTL_PLUGIN_ENTRY_V1);

  certctl_call call;
  call.host = context_.get();
  call.label = std::filesystem::path(info_.path).filename().string();
  host_.handshake_call = &call;
  const certctl_plugin_descriptor* d = nullptr;
  try {
    d = entry(&host_);
  } catch (...) {
    host_.handshake_call = nullptr;
    throw PluginRefused("certctl_plugin_v1 threw an exception across the C ABI");
  }
  host_.handshake_call = nullptr;
  if (d == nullptr)
    throw PluginRefused("certctl_plugin_v1 returned no descriptor" +
                        (call.hasError ? ": " + call.error : std::string()));

  if (d->struct_size < CERTCTL_DESCRIPTOR_V1_0_SIZE)
    throw PluginRefused("descriptor struct_size " + std::to_string(d->struct_size) +
                        " is smaller than the v1.0 minimum of " +
                        std::to_string(CERTCTL_DESCRIPTOR_V1_0_SIZE));
  std::memcpy(&descriptor_, d, std::min<std::size_t>(d->struct_size, sizeof descriptor_));

  if (descriptor_.abi_major != CERTCTL_ABI_MAJOR)
    throw PluginRefused("descriptor declares plugin ABI major " +
                        std::to_string(descriptor_.abi_major) + "; this host implements ABI " +
                        abiText(CERTCTL_ABI_MINOR));
  if (descriptor_.min_host_abi_minor > CERTCTL_ABI_MINOR)
    throw PluginRefused("needs host plugin ABI " + abiText(descriptor_.min_host_abi_minor) +
                        " or newer; this host implements ABI " + abiText(CERTCTL_ABI_MINOR));
  auto kind = kindFromCode(descriptor_.kind);
  if (!kind) throw PluginRefused("unknown plugin kind " + std::to_string(descriptor_.kind));

  info_.kind = *kind;
  info_.flags = descriptor_.flags;
  info_.abiMinor = descriptor_.abi_minor;
  info_.minHostAbiMinor = descriptor_.min_host_abi_minor;
  info_.type = pluginString(descriptor_.type_name, kMaxTypeName, "type_name", true);
  if (!validTypeName(info_.type))
    throw PluginRefused("type name '" + info_.type +
                        "' is invalid: use 1-64 characters of A-Z a-z 0-9 . _ -");
  info_.version = pluginString(descriptor_.plugin_version, kMaxVersion, "plugin_version", true);
  if (!printable(info_.version)) throw PluginRefused("plugin_version has control characters");
  info_.buildInfo = pluginString(descriptor_.build_info, kMaxBuildInfo, "build_info", false);
  auto schemaText = pluginString(descriptor_.config_schema, kMaxSchemaBytes, "config_schema", true);
  info_.configSchema = nlohmann::json::parse(schemaText, nullptr, false);
  if (info_.configSchema.is_discarded() || !info_.configSchema.is_object())
    throw PluginRefused("config_schema is not a JSON object");

  if (descriptor_.vtable == nullptr) throw PluginRefused("descriptor has no vtable");
  std::size_t minimum = minimumVtableSize(info_.kind);
  if (descriptor_.vtable_size < minimum)
    throw PluginRefused(std::string(kindName(info_.kind)) + " vtable_size " +
                        std::to_string(descriptor_.vtable_size) +
                        " is smaller than the v1.0 minimum of " + std::to_string(minimum));
  std::uint32_t declared = 0;
  std::memcpy(&declared, descriptor_.vtable, sizeof declared);
  if (declared != descriptor_.vtable_size)
    throw PluginRefused("vtable struct_size " + std::to_string(declared) +
                        " disagrees with the descriptor's vtable_size " +
                        std::to_string(descriptor_.vtable_size));
  copyVtable(descriptor_.vtable, descriptor_.vtable_size);
}

void PluginModule::copyVtable(const void* vtable, std::uint32_t size) {
  // Into a zeroed struct of the host's size: slots the plugin doesn't know stay NULL.
  auto copy = [&](auto& target) {
    std::memcpy(&target, vtable, std::min<std::size_t>(size, sizeof target));
    validate_ = target.validate_config;
    create_ = target.create_instance;
    destroy_ = target.destroy_instance;
  };
  std::vector<Slot> slots;
  switch (info_.kind) {
    case PluginKind::Issuer:
      copy(issuer_);
      slots = {{"issue", issuer_.issue != nullptr, true},
               {"renew", issuer_.renew != nullptr, true},
               {"revoke", issuer_.revoke != nullptr, true},
               {"get_order_status", issuer_.get_order_status != nullptr, false},
               {"generate_crl", issuer_.generate_crl != nullptr, false},
               {"sign_ocsp", issuer_.sign_ocsp != nullptr, false},
               {"get_ca_chain", issuer_.get_ca_chain != nullptr, false},
               {"test_connection", issuer_.test_connection != nullptr, false},
               // ABI 1.1: NULL (copied as zero) when the plugin's vtable_size ends before it.
               {"generate_crl_compact", issuer_.generate_crl_compact != nullptr, false}};
      break;
    case PluginKind::Target:
      copy(target_);
      slots = {{"deploy", target_.deploy != nullptr, true},
               {"validate_deployment", target_.validate_deployment != nullptr, false}};
      break;
    case PluginKind::Notifier:
      copy(notifier_);
      slots = {{"send", notifier_.send != nullptr, true}};
      break;
    case PluginKind::Discovery:
      copy(discovery_);
      slots = {{"scan", discovery_.scan != nullptr, true}};
      break;
  }
  for (const auto& [name, fn] :
       {std::pair<const char*, bool>{"validate_config", validate_ != nullptr},
        {"create_instance", create_ != nullptr},
        {"destroy_instance", destroy_ != nullptr}})
    if (!fn) throw PluginRefused(std::string("vtable lacks required callback '") + name + "'");
  for (const auto& slot : slots) {
    if (slot.required && !slot.present)
      throw PluginRefused(std::string("vtable lacks required callback '") + slot.name + "'");
    if (slot.present) info_.operations.push_back(slot.name);
  }
}

void PluginModule::initialize() {
  if (initialized_) return;
  if (descriptor_.module_init != nullptr) {
    try {
      invoke("module_init", [this](certctl_call* call, const certctl_sink*) {
        return descriptor_.module_init(call);
      });
    } catch (const PluginCallError& e) {
      throw PluginRefused("module_init failed (" + statusName(e.status()) + "): " + e.what());
    }
  }
  initialized_ = true;
}

PluginModule::~PluginModule() {
  if (initialized_ && descriptor_.module_teardown != nullptr) {
    certctl_call call;
    call.host = context_.get();
    call.label = label();
    try {
      descriptor_.module_teardown(&call);
    } catch (...) {
      spdlog::error("plugin {}: module_teardown threw an exception across the C ABI", label());
    }
  }
  if (registered_) {
    std::lock_guard lock(liveLibrariesMutex);
    liveLibraries.erase(library_->native());
  }
  // library_ (declared first) is destroyed last and unloads the code.
}

std::string PluginModule::label() const {
  return std::string(kindName(info_.kind)) + " '" + info_.type + "'";
}

nlohmann::json PluginModule::invoke(std::string_view operation, const RawCall& fn) const {
  certctl_call call;
  call.host = context_.get();
  call.label = label();
  const std::size_t limit = context_->resultLimit(operation);
  OutputBuffer output(limit);
  certctl_sink sink = output.sink();
  certctl_status status = CERTCTL_INTERNAL;
  std::string where = label() + " " + std::string(operation);
  try {
    status = fn(&call, &sink);
  } catch (...) {
    spdlog::error("plugin bug: {} let an exception cross the C ABI", where);
    throw PluginCallError(CERTCTL_INTERNAL,
                          where + ": the plugin failed (exception across the ABI)");
  }
  // Checked first: a plugin whose write was refused reports some error of its own.
  if (output.overflowed())
    throw PluginCallError(CERTCTL_INTERNAL, where + ": the result exceeds the host's limit of " +
                                                std::to_string(limit) + " bytes for " +
                                                std::string(operation));
  if (status != CERTCTL_OK) {
    std::string detail = call.error;
    if (!call.hasError || detail.empty()) {
      spdlog::warn("plugin bug: {} returned {} without an error message", where,
                   statusName(status));
      detail = "no detail given by the plugin";
    }
    if (!isKnownStatus(status)) {
      spdlog::warn("plugin bug: {} returned unknown status {}", where, status);
      detail = "unknown status " + std::to_string(status) + ": " + detail;
    }
    throw PluginCallError(status, where + ": " + detail);
  }
  if (output.data().empty()) return nlohmann::json::object();
  // String members (a CRL in base64: tens of MB) are scanned in bulk.
  auto result = sdk::detail::parseJson(output.data());
  if (result.is_discarded()) {
    spdlog::warn("plugin bug: {} returned malformed JSON ({} bytes)", where, output.data().size());
    throw PluginCallError(CERTCTL_INTERNAL, where + ": the plugin returned malformed JSON");
  }
  if (!result.is_object()) {
    spdlog::warn("plugin bug: {} returned a JSON {} instead of an object", where,
                 result.type_name());
    throw PluginCallError(CERTCTL_INTERNAL, where + ": the plugin returned a JSON " +
                                                result.type_name() + " instead of an object");
  }
  return result;
}

nlohmann::json PluginModule::validateConfig(const nlohmann::json& config) const {
  std::string text = requestText(config);
  return invoke("validate_config", [&](certctl_call* call, const certctl_sink* out) {
    return validate_(call, certctl_str{text.data(), text.size()}, out);
  });
}

void* PluginModule::createInstance(const nlohmann::json& config) const {
  std::string text = requestText(config);
  void* instance = nullptr;
  invoke("create_instance", [&](certctl_call* call, const certctl_sink*) {
    return create_(call, certctl_str{text.data(), text.size()}, &instance);
  });
  return instance;
}

void PluginModule::destroyInstance(void* instance) const noexcept {
  try {
    certctl_call call;
    call.host = context_.get();
    call.label = label();
    destroy_(instance, &call);
  } catch (...) {
    spdlog::error("plugin bug: {} destroy_instance let an exception cross the C ABI", label());
  }
}

}  // namespace certctl::plugins
