#include "core/plugins/plugin_host.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <system_error>

#include "certctl/build_info.h"
#include "core/domain/errors.h"
#include "core/plugins/plugin_call_error.h"

namespace certctl::plugins {

namespace fs = std::filesystem;

namespace {

std::string jsonLine(const nlohmann::json& fields) {
  // A JSON message is merged into the JSON log line (core/config/logging.cpp).
  return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The plugin files directly inside `dir`, sorted for a stable load order.
std::vector<fs::path> pluginFilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  const std::string suffix = boost::dll::shared_library::suffix().string();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code typeEc;
    if (!it->is_regular_file(typeEc)) continue;
    const auto name = it->path().filename().string();
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        name.front() != '.')
      files.push_back(it->path());
  }
  if (ec)
    spdlog::warn(jsonLine(
        {{"msg", "cannot list plugin directory"}, {"dir", dir.string()}, {"error", ec.message()}}));
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

PluginHost::PluginHost(PluginHostOptions options) : searchDirs_(std::move(options.searchDirs)) {
  auto context = std::make_shared<HostContext>();
  context->services = std::move(options.services);
  context->productVersion =
      options.productVersion.empty() ? std::string(build::kVersion) : options.productVersion;
  context->maxResultBytes = options.maxResultBytes;
  context->maxCrlResultBytes = options.maxCrlResultBytes;
  context_ = std::move(context);
}

// Modules still used by instances stay loaded; the rest unload here.
PluginHost::~PluginHost() = default;

std::vector<fs::path> PluginHost::defaultSearchDirs(const std::string& pluginDir) {
  std::vector<fs::path> dirs;
  if (!pluginDir.empty()) dirs.emplace_back(pluginDir);
  boost::dll::fs::error_code ec;
  auto exe = boost::dll::program_location(ec);
  if (!ec)
    dirs.push_back(
        (fs::path(exe.parent_path().string()) / build::kRelPluginDir).lexically_normal());
  return dirs;
}

std::size_t PluginHost::scan() {
  std::size_t loadedNow = 0;
  for (const auto& root : searchDirs_) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      spdlog::debug(jsonLine({{"msg", "plugin directory absent"}, {"dir", root.string()}}));
      continue;
    }
    std::vector<fs::path> candidates = pluginFilesIn(root);
    for (auto kind : kAllPluginKinds) {
      auto more = pluginFilesIn(root / kindDirectory(kind));
      candidates.insert(candidates.end(), more.begin(), more.end());
    }
    for (const auto& file : candidates)
      if (loadFile(file)) ++loadedNow;
  }
  return loadedNow;
}

void PluginHost::refuse(const std::string& path, const std::string& reason) {
  spdlog::warn(jsonLine({{"msg", "plugin refused"}, {"path", path}, {"reason", reason}}));
  std::lock_guard lock(mutex_);
  refused_.push_back({path, reason});
}

bool PluginHost::loadFile(const fs::path& file) {
  std::lock_guard loadLock(loadMutex_);
  std::error_code ec;
  auto canonical = fs::weakly_canonical(fs::absolute(file, ec), ec);
  std::string path = (ec ? file : canonical).string();
  {
    std::lock_guard lock(mutex_);
    if (!seen_.insert(path).second) return false;
  }
  std::shared_ptr<PluginModule> module;
  try {
    module = PluginModule::load(path, context_);
    {
      std::lock_guard lock(mutex_);
      for (const auto& other : modules_)
        if (other->info().kind == module->info().kind && other->info().type == module->info().type)
          throw PluginRefused("duplicate type name: " + other->label() +
                              " is already loaded from " + other->info().path);
    }
    module->initialize();
  } catch (const PluginRefused& e) {
    module.reset();  // unload before recording, so a refused library never lingers
    refuse(path, e.what());
    return false;
  }
  const auto& info = module->info();
  spdlog::info(jsonLine({{"msg", "plugin loaded"},
                         {"kind", kindName(info.kind)},
                         {"type", info.type},
                         {"version", info.version},
                         {"path", path}}));
  std::lock_guard lock(mutex_);
  modules_.push_back(std::move(module));
  return true;
}

std::vector<PluginInfo> PluginHost::loaded() const {
  std::lock_guard lock(mutex_);
  std::vector<PluginInfo> out;
  for (const auto& m : modules_) out.push_back(m->info());
  return out;
}

std::vector<PluginRefusal> PluginHost::refused() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

nlohmann::json PluginHost::listPlugins() const {
  nlohmann::json loadedJson = nlohmann::json::array();
  nlohmann::json refusedJson = nlohmann::json::array();
  for (const auto& info : loaded()) loadedJson.push_back(info.toJson());
  for (const auto& r : refused()) refusedJson.push_back({{"path", r.path}, {"reason", r.reason}});
  return {{"loaded", loadedJson}, {"refused", refusedJson}};
}

bool PluginHost::has(PluginKind kind, const std::string& type) const {
  std::lock_guard lock(mutex_);
  return std::any_of(modules_.begin(), modules_.end(), [&](const auto& m) {
    return m->info().kind == kind && m->info().type == type;
  });
}

std::shared_ptr<const PluginModule> PluginHost::find(PluginKind kind,
                                                     const std::string& type) const {
  std::lock_guard lock(mutex_);
  for (const auto& m : modules_)
    if (m->info().kind == kind && m->info().type == type) return m;
  throw domain::badRequest(
      "type", "no " + std::string(kindName(kind)) + " plugin of type '" + type + "' is loaded");
}

nlohmann::json PluginHost::validateConfig(PluginKind kind, const std::string& type,
                                          const nlohmann::json& config) const {
  return find(kind, type)->validateConfig(config);
}

namespace {

template <class Instance>
std::unique_ptr<Instance> makeInstance(std::shared_ptr<const PluginModule> module,
                                       const nlohmann::json& config) {
  void* handle = module->createInstance(config);
  return std::make_unique<Instance>(std::move(module), handle);
}

}  // namespace

std::unique_ptr<IssuerPlugin> PluginHost::createIssuer(const std::string& type,
                                                       const nlohmann::json& config) const {
  return makeInstance<IssuerPlugin>(find(PluginKind::Issuer, type), config);
}

std::unique_ptr<TargetPlugin> PluginHost::createTarget(const std::string& type,
                                                       const nlohmann::json& config) const {
  return makeInstance<TargetPlugin>(find(PluginKind::Target, type), config);
}

std::unique_ptr<NotifierPlugin> PluginHost::createNotifier(const std::string& type,
                                                           const nlohmann::json& config) const {
  return makeInstance<NotifierPlugin>(find(PluginKind::Notifier, type), config);
}

std::unique_ptr<DiscoveryPlugin> PluginHost::createDiscovery(const std::string& type,
                                                             const nlohmann::json& config) const {
  return makeInstance<DiscoveryPlugin>(find(PluginKind::Discovery, type), config);
}

}  // namespace certctl::plugins
