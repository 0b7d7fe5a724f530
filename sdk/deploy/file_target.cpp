#include "sdk/deploy/file_target.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <set>
#include <thread>

#include "sdk/deploy/config_fields.h"
#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/deploy_result.h"
#include "sdk/pki/certificate.h"

namespace certctl::sdk::deploy {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void invalid(const std::string& path, const std::string& why) {
  throw DeployError::invalidConfig(path, why);
}

// Fields every file target understands, whatever its layout.
const std::vector<std::string>& commonFields() {
  static const std::vector<std::string> fields = {
      "validate_command", "reload_command",    "command_timeout_seconds", "owner", "group",
      "verify",           "post_deploy_verify"};
  return fields;
}

std::optional<Command> commandField(const json& config, const std::string& key,
                                    const std::vector<std::string>& fallback) {
  if (config.is_object() && config.contains(key)) return parseCommand(config.at(key), key);
  if (fallback.empty()) return std::nullopt;
  return Command{fallback};
}

// A file name inside cert_dir: no directory part.
std::string fileNameField(const json& config, const std::string& key, const std::string& fallback) {
  std::string name = stringField(config, key, key).value_or("");
  if (name.empty()) name = fallback;
  if (name.empty()) invalid(key, "is required (a file name inside cert_dir)");
  if (name.size() > 255 || name == "." || name == ".." ||
      name.find_first_of(std::string("/\0", 2)) != std::string::npos)
    invalid(key, "must be a plain file name, got \"" + name + "\"");
  return name;
}

fs::path pathOrDefault(const json& config, const std::string& key, const std::string& fallback) {
  if (auto p = filePathField(config, key, key)) return *p;
  if (fallback.empty()) invalid(key, "is required (an absolute file path)");
  return fallback;
}

StartTls startTlsField(const json& object, const std::string& path) {
  auto value = stringField(object, "starttls", path);
  if (!value || value->empty() || *value == "none") return StartTls::None;
  if (*value == "smtp") return StartTls::Smtp;
  if (*value == "imap") return StartTls::Imap;
  invalid(path, "must be \"smtp\", \"imap\" or \"none\", got \"" + *value + "\"");
}

std::string hostField(const std::string& host, const std::string& path) {
  if (host.empty()) invalid(path, "the host is empty");
  if (host.size() > 253) invalid(path, "the host is longer than 253 characters");
  for (unsigned char c : host) {
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '_'))
      invalid(path, "\"" + host + "\" is not a host name or IP address");
  }
  return host;
}

// "host:port" or "[v6]:port".
std::pair<std::string, int> splitEndpoint(const std::string& endpoint, const std::string& path) {
  std::string host;
  std::string port;
  if (!endpoint.empty() && endpoint.front() == '[') {
    auto close = endpoint.find(']');
    if (close == std::string::npos || close + 1 >= endpoint.size() || endpoint[close + 1] != ':')
      invalid(path, "must be \"host:port\" or \"[ipv6]:port\", got \"" + endpoint + "\"");
    host = endpoint.substr(1, close - 1);
    port = endpoint.substr(close + 2);
  } else {
    auto colon = endpoint.rfind(':');
    if (colon == std::string::npos || endpoint.find(':') != colon)
      invalid(path, "must be \"host:port\" or \"[ipv6]:port\", got \"" + endpoint + "\"");
    host = endpoint.substr(0, colon);
    port = endpoint.substr(colon + 1);
  }
  json probe = {{"port", port}};
  return {hostField(host, path), static_cast<int>(*integerField(probe, "port", 1, 65535, path))};
}

VerifyEndpoint endpointFrom(const json& object, const std::string& name, const std::string& host,
                            int port) {
  VerifyEndpoint e;
  e.host = host;
  e.port = port;
  e.sni = stringField(object, "sni", name + ".sni").value_or(isIpLiteral(host) ? "" : host);
  if (!e.sni.empty()) hostField(e.sni, name + ".sni");
  if (auto t = durationField(object, "timeout_seconds", 100, 300000, name + ".timeout_seconds"))
    e.timeout = *t;
  else if (auto t2 = durationField(object, "timeout", 100, 300000, name + ".timeout"))
    e.timeout = *t2;
  e.startTls = startTlsField(object, name + ".starttls");
  return e;
}

std::string ensureNewline(std::string pem) {
  if (!pem.empty() && pem.back() != '\n') pem.push_back('\n');
  return pem;
}

std::string targetAddress(const FileTargetSpec& spec, const FileTargetConfig& config) {
  if (config.verify) return endpointString(config.verify->host, config.verify->port);
  return (spec.layout == FileLayout::CombinedPem ? config.pemPath : config.certPath).string();
}

}  // namespace

std::optional<VerifyEndpoint> parseVerifyEndpoint(const json& config) {
  const json* verify = configMember(config, "verify");
  const json* seedForm = configMember(config, "post_deploy_verify");
  if (verify != nullptr && seedForm != nullptr)
    invalid("verify", "give either verify or post_deploy_verify, not both");
  if (verify != nullptr) {
    if (!verify->is_object())
      invalid("verify", "must be an object {\"host\", \"port\", \"sni\", \"timeout_seconds\"}");
    auto host = stringField(*verify, "host", "verify.host");
    if (!host) invalid("verify.host", "is required");
    auto port = integerField(*verify, "port", 1, 65535, "verify.port");
    if (!port) invalid("verify.port", "is required");
    return endpointFrom(*verify, "verify", hostField(*host, "verify.host"),
                        static_cast<int>(*port));
  }
  if (seedForm != nullptr) {
    if (!seedForm->is_object())
      invalid("post_deploy_verify",
              "must be an object {\"enabled\", \"endpoint\": \"host:port\", \"timeout\"}");
    if (!boolField(*seedForm, "enabled", "post_deploy_verify.enabled").value_or(true))
      return std::nullopt;
    auto endpoint = stringField(*seedForm, "endpoint", "post_deploy_verify.endpoint");
    if (!endpoint || endpoint->empty()) invalid("post_deploy_verify.endpoint", "is required");
    auto [host, port] = splitEndpoint(*endpoint, "post_deploy_verify.endpoint");
    return endpointFrom(*seedForm, "post_deploy_verify", host, port);
  }
  return std::nullopt;
}

FileTargetConfig FileTargetConfig::parse(const FileTargetSpec& spec, const json& config) {
  if (!config.is_object()) invalid("config", "must be a JSON object");
  FileTargetConfig c;
  std::vector<std::string> known = commonFields();
  known.insert(known.end(), spec.extraFields.begin(), spec.extraFields.end());
  if (spec.layout == FileLayout::SeparateFiles) {
    c.certPath = pathOrDefault(config, "cert_path", spec.defaultCertPath);
    c.keyPath = pathOrDefault(config, "key_path", spec.defaultKeyPath);
    c.chainPath = filePathField(config, "chain_path", "chain_path");
    if (c.keyPath == c.certPath) invalid("key_path", "must differ from cert_path");
    if (c.chainPath && (*c.chainPath == c.certPath || *c.chainPath == c.keyPath))
      invalid("chain_path", "must differ from cert_path and key_path");
    known.insert(known.end(), {"cert_path", "key_path", "chain_path"});
  } else if (spec.layout == FileLayout::DirectoryFiles) {
    auto dir = filePathField(config, "cert_dir", "cert_dir", true);
    if (!dir) invalid("cert_dir", "is required (an absolute directory path)");
    c.certPath = *dir / fileNameField(config, spec.certFileField, spec.defaultCertFile);
    c.keyPath = *dir / fileNameField(config, spec.keyFileField, spec.defaultKeyFile);
    if (c.keyPath == c.certPath)
      invalid(spec.keyFileField, "must differ from " + spec.certFileField);
    known.insert(known.end(), {"cert_dir", spec.certFileField, spec.keyFileField});
    if (!spec.chainFileField.empty()) {
      known.push_back(spec.chainFileField);
      auto chain = stringField(config, spec.chainFileField, spec.chainFileField).value_or("");
      if (!chain.empty()) {
        c.chainPath = *dir / fileNameField(config, spec.chainFileField, "");
        if (*c.chainPath == c.certPath || *c.chainPath == c.keyPath)
          invalid(spec.chainFileField,
                  "must differ from " + spec.certFileField + " and " + spec.keyFileField);
      }
    }
  } else {
    c.pemPath = pathOrDefault(config, "pem_path", spec.defaultPemPath);
    known.push_back("pem_path");
  }
  c.validate = commandField(config, "validate_command", spec.defaultValidate);
  c.reload = commandField(config, "reload_command", spec.defaultReload);
  if (auto t = integerField(config, "command_timeout_seconds", 1, 3600, "command_timeout_seconds"))
    c.commandTimeout = std::chrono::seconds(*t);
  auto checkName = [](const std::string& field, const std::optional<std::string>& v) {
    if (!v) return std::string();
    if (v->size() > 64 || v->find_first_of(" :/\t\n\r") != std::string::npos ||
        v->find('\0') != std::string::npos)
      invalid(field, "\"" + *v + "\" is not a user or group name or a numeric id");
    return *v;
  };
  c.owner = checkName("owner", stringField(config, "owner", "owner"));
  c.group = checkName("group", stringField(config, "group", "group"));
  c.verify = parseVerifyEndpoint(config);
  if (!spec.mode.empty()) {
    known.push_back("mode");
    auto mode = stringField(config, "mode", "mode");
    if (mode && !mode->empty() && *mode != spec.mode)
      invalid("mode", "must be \"" + spec.mode + "\" for the " + spec.typeName + " target, got \"" +
                          *mode + "\"" + spec.modeHint);
  }
  if (spec.parseCompanions) {
    spec.parseCompanions(config, c);
    for (const auto& f : c.companionFiles)
      if (f.path == c.certPath || f.path == c.keyPath || (c.chainPath && f.path == *c.chainPath))
        invalid(f.field, f.path.string() + " is also the path of a certificate or key file");
  }
  for (const auto& [key, value] : config.items()) {
    if (key == "host") continue;  // filled in by a host, never by users
    if (std::find(known.begin(), known.end(), key) == known.end())
      c.warnings.push_back("unknown field \"" + key + "\" is ignored");
  }
  return c;
}

namespace {

std::vector<PlannedFile> certificateFiles(const FileTargetSpec& spec,
                                          const FileTargetConfig& config,
                                          const CertificateMaterial& m) {
  std::vector<PlannedFile> files;
  if (spec.layout == FileLayout::CombinedPem) {
    files.push_back({"pem_path", config.pemPath, ensureNewline(m.combinedPem()), kPrivateKeyMode});
    return files;
  }
  if (spec.layout == FileLayout::DirectoryFiles) {
    files.push_back({spec.certFileField, config.certPath,
                     config.chainPath ? m.certPem : m.fullChainPem(), kCertificateMode});
    if (config.chainPath)
      files.push_back({spec.chainFileField, *config.chainPath, m.chainPem, kCertificateMode});
    files.push_back({spec.keyFileField, config.keyPath, m.keyPem, kPrivateKeyMode});
    return files;
  }
  const bool separateChain =
      config.chainPath && spec.chainPlacement == ChainPlacement::SeparateWhenChainPathSet;
  files.push_back({"cert_path", config.certPath, separateChain ? m.certPem : m.fullChainPem(),
                   kCertificateMode});
  if (config.chainPath)
    files.push_back({"chain_path", *config.chainPath, m.chainPem, kCertificateMode});
  files.push_back({"key_path", config.keyPath, m.keyPem, kPrivateKeyMode});
  return files;
}

}  // namespace

std::vector<PlannedFile> planFiles(const FileTargetSpec& spec, const FileTargetConfig& config,
                                   const CertificateMaterial& m) {
  std::vector<PlannedFile> files = certificateFiles(spec, config, m);
  files.insert(files.end(), config.companionFiles.begin(), config.companionFiles.end());
  return files;
}

VerifyResult verifyServedCertificate(const VerifyEndpoint& endpoint,
                                     const std::string& expectedFingerprint) {
  const auto deadline = std::chrono::steady_clock::now() + endpoint.timeout;
  const std::string where = endpointString(endpoint.host, endpoint.port);
  // What the endpoint last presented, and the last failure to get an answer:
  // a reload can make a few handshakes fail, the mismatch is the real news.
  std::string mismatch;
  std::string error;
  bool lastWasError = false;
  // While a server reloads, old workers may still take a connection or two
  // for a moment: the new certificate must be seen on every handshake for a
  // while, not once.
  const auto settle =
      std::min<std::chrono::milliseconds>(std::chrono::milliseconds(500), endpoint.timeout / 4);
  std::optional<std::chrono::steady_clock::time_point> firstMatch;
  std::string matched;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    TlsProbeOptions o{
        endpoint.host, endpoint.port, endpoint.sni,
        std::clamp(left, std::chrono::milliseconds(100), std::chrono::milliseconds(5000)),
        endpoint.startTls};
    try {
      TlsProbeResult r = probeTls(o);
      if (r.fingerprintSha256 == expectedFingerprint) {
        auto now = std::chrono::steady_clock::now();
        if (!firstMatch) firstMatch = now;
        matched = where + " presents the new certificate (serial " + r.serial + ")";
        if (now - *firstMatch >= settle) return {true, matched};
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      firstMatch.reset();
      mismatch = where + " still presents another certificate: serial " + r.serial + ", " +
                 r.subject + ", SHA-256 " + r.fingerprintSha256;
      lastWasError = false;
    } catch (const TlsProbeError& e) {
      firstMatch.reset();
      error = e.what();
      lastWasError = true;
    }
    if (std::chrono::steady_clock::now() + std::chrono::milliseconds(200) >= deadline) {
      std::string message = mismatch.empty() ? error : mismatch;
      if (!mismatch.empty() && lastWasError) message += " (last attempt: " + error + ")";
      return {false, message + " (after " + std::to_string(endpoint.timeout.count()) + " ms)"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

json deployFileTarget(const FileTargetSpec& spec, const FileTargetConfig& config,
                      const json& request, const std::function<void(const std::string&)>& log) {
  CertificateMaterial material = CertificateMaterial::fromRequest(request);
  struct Wipe {
    CertificateMaterial& m;
    ~Wipe() { wipe(m); }
  } wipeOnExit{material};

  DeployPlan plan;
  struct WipeKeys {
    DeployPlan& p;
    ~WipeKeys() {
      for (auto& f : p.files)
        if (f.mode == kPrivateKeyMode && !f.content.empty())
          OPENSSL_cleanse(f.content.data(), f.content.size());
    }
  } wipeKeys{plan};
  plan.files = planFiles(spec, config, material);
  plan.ownership = resolveOwnership(config.owner, config.group);
  plan.validate = config.validate;
  plan.reload = config.reload;
  plan.commandTimeout = config.commandTimeout;
  plan.log = log;
  if (config.verify) {
    plan.verify = [&endpoint = *config.verify, fp = material.fingerprintSha256] {
      return verifyServedCertificate(endpoint, fp);
    };
  }
  DeployOutcome outcome = executeDeploy(plan);

  json files = json::object();
  for (const auto& f : plan.files) files[f.field] = f.path.string();
  json metadata = {
      {"target_type", spec.typeName},
      {"serial", material.serial},
      {"fingerprint_sha256", material.fingerprintSha256},
      {"unchanged", outcome.unchanged ? "true" : "false"},
      {"validated", outcome.validated ? "true" : "false"},
      {"reloaded", outcome.reloaded ? "true" : "false"},
      {"verified", outcome.verified ? "true" : (config.verify ? "false" : "skipped")},
  };
  for (const auto& [field, path] : files.items()) metadata[field] = path;
  return deploymentResult(targetAddress(spec, config), outcome.message, std::move(metadata));
}

json validateFileTargetDeployment(const FileTargetSpec& spec, const FileTargetConfig& config,
                                  const json& request) {
  const std::string expected = requestedSerial(request);
  const std::string address = targetAddress(spec, config);
  json metadata = {{"target_type", spec.typeName}};
  if (config.verify) return validateByTls(*config.verify, address, expected, std::move(metadata));

  metadata["method"] = "file";
  const fs::path file = spec.layout == FileLayout::CombinedPem ? config.pemPath : config.certPath;
  std::string served;
  try {
    auto snapshot = readFileSnapshot(file);
    if (!snapshot) return unreachableResult(address, file.string() + " does not exist", metadata);
    auto certs = pki::Certificate::chainFromPem(snapshot->content);
    if (!snapshot->content.empty())
      OPENSSL_cleanse(snapshot->content.data(), snapshot->content.size());
    served = certs.front().serialHex();
    metadata["fingerprint_sha256"] = certs.front().sha256FingerprintHex();
  } catch (const std::exception& ex) {
    return unreachableResult(address, file.string() + ": " + ex.what(), metadata);
  }
  return validationResult(address, address + " holds", served, expected, std::move(metadata));
}

}  // namespace certctl::sdk::deploy
