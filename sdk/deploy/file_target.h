#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sdk/deploy/certificate_material.h"
#include "sdk/deploy/command.h"
#include "sdk/deploy/deployment.h"
#include "sdk/deploy/tls_probe.h"

namespace certctl::sdk::deploy {

// The shape shared by targets that take certificates as files and are told
// to reload (nginx, Apache, HAProxy, Postfix, Dovecot, ...): a plugin is a
// FileTargetSpec plus its JSON schema. Config fields (seed 002):
//   cert_path, key_path, chain_path        separate files (SeparateFiles)
//   pem_path                               one file: cert + chain + key (CombinedPem)
//   cert_dir, cert_file, key_file          a directory and two names (DirectoryFiles;
//                                          the name fields per spec, e.g. Envoy's
//                                          cert_filename, plus an optional chain name)
//   validate_command, reload_command       argv arrays (or a plain command string)
//   command_timeout_seconds                per command, default 60
//   owner, group                           of the written files, default: the agent's
//   verify {host, port, sni, timeout_seconds, starttls}
//   post_deploy_verify {enabled, endpoint "host:port", timeout, sni, starttls}
//                                          the live check after reload (either form)

enum class FileLayout {
  SeparateFiles,  // cert_path, key_path, optional chain_path
  CombinedPem,    // pem_path: certificate, chain, key in that order, mode 0600
  // cert_dir + cert_file (certificate and chain) and key_file, optionally a
  // chain file: servers that read or watch a directory (Caddy, Traefik, Envoy).
  DirectoryFiles,
};

enum class ChainPlacement {
  // cert_path always holds certificate + chain (nginx serves only what is in
  // ssl_certificate); chain_path, if set, gets the chain as well.
  AlwaysWithCertificate,
  // With chain_path: cert_path holds the certificate alone and chain_path
  // the chain; without: the chain is appended to cert_path (Apache, Postfix).
  SeparateWhenChainPathSet,
};

struct FileTargetConfig;

struct FileTargetSpec {
  std::string typeName;  // "NGINX", for messages
  FileLayout layout = FileLayout::SeparateFiles;
  ChainPlacement chainPlacement = ChainPlacement::SeparateWhenChainPathSet;
  // Used when the config leaves the field out (argv; empty: none). An
  // explicit [] or "" in the config turns the step off.
  std::vector<std::string> defaultValidate;
  std::vector<std::string> defaultReload;
  // Path defaults; empty: the field is required.
  std::string defaultCertPath;
  std::string defaultKeyPath;
  std::string defaultPemPath;
  std::string defaultCertFile;  // DirectoryFiles names; empty: required
  std::string defaultKeyFile;
  // DirectoryFiles: the config fields of the names. With a chain field set
  // and given, the chain goes to its own file and cert_file holds the leaf.
  std::string certFileField = "cert_file";
  std::string keyFileField = "key_file";
  std::string chainFileField;  // empty: no separate chain file
  // Fields the plugin reads itself (not reported as unknown).
  std::vector<std::string> extraFields;
  // When set, the config may carry "mode" (the original product's dual-mode
  // connectors), and it must be this value; `modeHint` ends the refusal.
  std::string mode;
  std::string modeHint;
  // Reads the plugin's own fields (list them in extraFields) and adds the
  // files derived from the config to `parsed.companionFiles` (Traefik's
  // dynamic config, Envoy's SDS file). Throws DeployError(InvalidConfig).
  std::function<void(const nlohmann::json& config, FileTargetConfig& parsed)> parseCompanions;
};

struct VerifyEndpoint {
  std::string host;
  int port = 443;
  std::string sni;
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  StartTls startTls = StartTls::None;
};

struct FileTargetConfig {
  std::filesystem::path certPath;  // SeparateFiles, DirectoryFiles
  std::filesystem::path keyPath;
  std::optional<std::filesystem::path> chainPath;
  std::filesystem::path pemPath;  // CombinedPem
  std::optional<Command> validate;
  std::optional<Command> reload;
  std::chrono::milliseconds commandTimeout{std::chrono::seconds(60)};
  std::string owner;
  std::string group;
  std::optional<VerifyEndpoint> verify;
  // Written after the certificate files, in the same transaction: a server
  // watching them sees the new certificate files already in place.
  std::vector<PlannedFile> companionFiles;
  std::vector<std::string> warnings;  // e.g. unknown fields

  // Checks the config without touching the file system (it may be checked
  // on the server, far from the target). Throws DeployError(InvalidConfig)
  // naming the field.
  static FileTargetConfig parse(const FileTargetSpec& spec, const nlohmann::json& config);
};

// "verify" or "post_deploy_verify" (nullopt when neither, or disabled).
std::optional<VerifyEndpoint> parseVerifyEndpoint(const nlohmann::json& config);

// The files a deployment of `material` writes, with their modes.
std::vector<PlannedFile> planFiles(const FileTargetSpec& spec, const FileTargetConfig& config,
                                   const CertificateMaterial& material);

// Probes the endpoint until it presents the certificate with
// `expectedFingerprint` (a reloading server may answer with the old one for
// a moment) or the endpoint's timeout passes.
VerifyResult verifyServedCertificate(const VerifyEndpoint& endpoint,
                                     const std::string& expectedFingerprint);

// The deploy operation of target_v1.h: checks the material, writes the
// files, validates, reloads, verifies, rolls back on failure; returns the
// result document. Throws DeployError.
nlohmann::json deployFileTarget(const FileTargetSpec& spec, const FileTargetConfig& config,
                                const nlohmann::json& request,
                                const std::function<void(const std::string&)>& log = {});

// The validate_deployment operation: does the live endpoint (or, without a
// verify endpoint, the deployed certificate file) hold the request's serial?
nlohmann::json validateFileTargetDeployment(const FileTargetSpec& spec,
                                            const FileTargetConfig& config,
                                            const nlohmann::json& request);

}  // namespace certctl::sdk::deploy
