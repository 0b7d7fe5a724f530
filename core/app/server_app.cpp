#include "core/app/server_app.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>

#include "certctl/build_info.h"
#include "core/app/api_key_file.h"
#include "core/app/lua_services.h"
#include "core/app/routes.h"
#include "core/config/config.h"
#include "core/config/logging.h"
#include "core/http/pipeline.h"
#include "core/http/server.h"
#include "core/http/tls_bootstrap.h"
#include "core/plugins/plugin_host.h"
#include "core/protocols/acme/acme_problem.h"
#include "core/protocols/acme/acme_routes.h"
#include "core/protocols/acme/network_challenge_validator.h"
#include "core/protocols/est_routes.h"
#include "core/protocols/ocsp_responder.h"
#include "core/protocols/scep_routes.h"
#include "core/scheduler/crl_generation_loop.h"
#include "core/scheduler/job_scheduler.h"
#include "core/scheduler/periodic_loop.h"
#include "core/services/agent_retirement.h"
#include "core/services/agent_service.h"
#include "core/services/certificate_export.h"
#include "core/services/certificate_lifecycle.h"
#include "core/services/crl_service.h"
#include "core/services/discovery_service.h"
#include "core/services/instance_id.h"
#include "core/services/issuance.h"
#include "core/services/issuer_registry.h"
#include "core/services/job_control.h"
#include "core/services/resource_service.h"
#include "core/services/revocation_issuer_gateway.h"
#include "core/services/revocation_service.h"
#include "core/store/database.h"
#include "core/store/demo_seed.h"
#include "core/store/migrator.h"
#include "core/store/sql_acme_store.h"
#include "core/store/sql_agent_group_membership.h"
#include "core/store/sql_agent_retirement_store.h"
#include "core/store/sql_agent_store.h"
#include "core/store/sql_audit_log.h"
#include "core/store/sql_discovery_store.h"
#include "core/store/sql_job_store.h"
#include "core/store/sql_lifecycle_store.h"
#include "core/store/sql_resource_repository.h"
#include "core/store/sql_revocation_store.h"

namespace certctl::app {

namespace {

// The CERTCTL_ACME_* settings as the ACME plugin's config (its numbers and
// booleans typed; the plugin checks every value).
nlohmann::json acmeIssuerConfig(const config::Config& cfg) {
  nlohmann::json config = nlohmann::json::object();
  for (const auto& [field, value] : cfg.acmeIssuer) {
    if (field == "ari_enabled")
      config[field] = value == "true";
    else if (field == "http_port" && !value.empty() &&
             value.find_first_not_of("0123456789") == std::string::npos && value.size() <= 5)
      config[field] = std::stoi(value);
    else
      config[field] = value;
  }
  if (!config.contains("directory_url"))
    throw std::runtime_error(
        "CERTCTL_ACME_DIRECTORY_URL is required when other CERTCTL_ACME_* settings are set");
  return config;
}

struct CommandLine {
  std::string configFile;
  bool demo = false;
  bool insecureHttp = false;
  bool migrateOnly = false;
};

bool isLoopbackOrAny(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "0.0.0.0" ||
         host == "::" || host.empty();
}

// Where relying parties reach us (AIA/CRLDP URLs in issued certificates).
std::string publicUrl(const config::Config& cfg, bool tls) {
  if (!cfg.publicUrl.empty()) return cfg.publicUrl;
  std::string host = cfg.serverHost;
  if (host == "0.0.0.0" || host == "::" || host.empty()) {
    char name[256] = {};
    host = gethostname(name, sizeof name - 1) == 0 ? name : "localhost";
  }
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(cfg.serverPort);
}

void blockTerminationSignals(sigset_t& set) {
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // EST trust reload, handled by the same sigwait loop
  // Block before any thread starts so only sigwait() below receives them.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

// How the ACME server's `challenge` auth mode reaches clients.
protocols::acme::ChallengeValidationSettings acmeValidationSettings(const config::Config& cfg) {
  protocols::acme::ChallengeValidationSettings settings;
  if (!cfg.acmeServerDnsResolver.empty())
    settings.dnsServer = protocols::acme::DnsServer::parse(cfg.acmeServerDnsResolver);
  settings.http01Port = cfg.acmeServerHttp01Port;
  settings.tlsAlpn01Port = cfg.acmeServerTlsAlpn01Port;
  settings.timeout = cfg.acmeServerValidationTimeout;
  settings.allowLoopback = cfg.acmeServerValidationAllowLoopback;
  return settings;
}

int serve(const config::Config& cfg) {
  std::filesystem::path dataDir = cfg.dataDir;
  std::filesystem::create_directories(dataDir);
  ::chmod(dataDir.c_str(), 0700);

  std::string dbUrl =
      cfg.databaseUrl.empty() ? "sqlite://" + (dataDir / "certctl.db").string() : cfg.databaseUrl;
  auto db = store::Database::open(dbUrl, cfg.databaseMaxConns);
  spdlog::info("database: {}", db->redactedUrl());
  auto migrationsRoot = store::findMigrationsRoot(cfg.migrationsPath);
  store::Migrator migrator(*db, migrationsRoot);
  auto applied = migrator.applyPending();
  spdlog::info("migrations: {} applied now from {}, schema up to date", applied.size(),
               migrationsRoot.string());

  if (cfg.demo) {
    auto counts = store::seedDemoData(*db);
    spdlog::info("demo data: {} records present", counts);
  }

  std::unique_ptr<http::ApiKeyAuth> auth;
  if (cfg.authType == "none") {
    spdlog::warn(
        "!!! CERTCTL_AUTH_TYPE=none: the API is open to anyone who can reach {}:{}. "
        "Never run like this outside a lab. !!!",
        cfg.serverHost, cfg.serverPort);
  } else {
    auto secrets = cfg.authSecrets;
    if (secrets.empty() && cfg.namedApiKeys.empty()) {
      bool created = false;
      secrets.push_back(loadOrCreateApiKey(dataDir, created));
      spdlog::info("API key {} {} (set CERTCTL_AUTH_SECRET to use your own)",
                   created ? "generated in" : "read from", (dataDir / "api-key").string());
    }
    // CERTCTL_AUTH_SECRET's keys are admins named key-<n>, as before named
    // keys existed; CERTCTL_API_KEYS_NAMED's carry their own name and role.
    std::vector<http::ApiKeyAuth::NamedKey> keys;
    for (std::size_t i = 0; i < secrets.size(); ++i)
      keys.push_back({"key-" + std::to_string(i + 1), "admin", secrets[i]});
    for (const auto& k : cfg.namedApiKeys)
      keys.push_back({k.name, k.admin ? "admin" : "operator", k.key});
    for (std::size_t i = 0; i < keys.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (keys[i].plaintext == keys[j].plaintext)
          throw std::runtime_error("API key " + keys[i].name + " is also API key " + keys[j].name +
                                   ": give each key one name");
    auth = std::make_unique<http::ApiKeyAuth>(http::ApiKeyAuth::fromNamedKeys(keys));
  }
  if (cfg.keygenMode == "server")
    spdlog::warn(
        "CERTCTL_KEYGEN_MODE=server: private keys are generated on the server. "
        "Demo use only; agents should make their own keys.");

  http::ServerOptions serverOptions;
  serverOptions.host = cfg.serverHost;
  serverOptions.port = cfg.serverPort;
  serverOptions.maxBodyBytes = cfg.maxBodyBytes;
  serverOptions.maxThreads = cfg.serverMaxThreads;
  serverOptions.keepAliveTimeout = cfg.serverKeepAliveTimeout;
  serverOptions.tls = !cfg.insecureHttp;
  if (cfg.insecureHttp) {
    spdlog::warn("CERTCTL_INSECURE_HTTP: serving plain HTTP. Development only.");
  } else if (!cfg.tlsCertPath.empty()) {
    serverOptions.certFile = cfg.tlsCertPath;
    serverOptions.keyFile = cfg.tlsKeyPath;
  } else {
    std::vector<std::string> names;
    if (!isLoopbackOrAny(cfg.serverHost)) names.push_back(cfg.serverHost);
    if (cfg.serverHost == "0.0.0.0" || cfg.serverHost == "::") {
      // Listening on every interface: clients will likely use this machine's name.
      char host[256] = {};
      std::string name = gethostname(host, sizeof host - 1) == 0 ? host : "";
      bool dnsSafe = !name.empty() && name != "localhost" &&
                     name.find_first_not_of(
                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789.-") == std::string::npos;
      if (dnsSafe) names.push_back(name);
    }
    auto tls = http::ensureBootstrapTls(dataDir / "tls", names);
    if (tls.created) spdlog::info("TLS: {}", tls.reason);
    spdlog::info("TLS: clients trust {}", tls.caCert.string());
    serverOptions.certFile = tls.serverCert.string();
    serverOptions.keyFile = tls.serverKey.string();
  }

  // Lua hooks (DNS-01, CA scripts, policy rules): plugins reach them only
  // through the host services of the ABI.
  lua::LuaRuntime luaRuntime(luaSettings(cfg));
  spdlog::info("lua hooks: loaded from {}", luaRuntime.settings().hookDir.string());
  registerLuaPolicyRule(luaRuntime);

  plugins::PluginHostOptions pluginOptions;
  pluginOptions.searchDirs = plugins::PluginHost::defaultSearchDirs(cfg.pluginDir);
  pluginOptions.services.runLuaHook = runLuaHookService(luaRuntime);
  plugins::PluginHost pluginHost(std::move(pluginOptions));
  pluginHost.scan();
  spdlog::info("plugins: {} loaded, {} refused (GET /api/v1/plugins lists them)",
               pluginHost.loaded().size(), pluginHost.refused().size());

  store::SqlResourceRepository repository(*db);
  services::ResourceService resources(repository);
  services::AgentGroupService::registerValidators(resources);
  store::SqlAgentGroupMembership memberships(*db);
  services::AgentGroupService agentGroups(resources, memberships);
  // One group committer for the hot writes (issuance completions, durable
  // audit rows): concurrent requests share transactions. SQLite allows one
  // writer; PostgreSQL gets a few so their round trips overlap.
  store::GroupCommit writer(*db, db->dialect() == store::Dialect::Sqlite ? 1 : 3);
  store::SqlAuditLog auditLog(*db, &writer);

  services::IssuerHostSettings issuerSettings;
  issuerSettings.dataDir = dataDir;
  issuerSettings.publicUrl = publicUrl(cfg, serverOptions.tls);
  issuerSettings.ocspRotationGrace =
      std::chrono::duration_cast<std::chrono::seconds>(cfg.ocspResponderRotationGrace);
  services::IssuerRegistry issuers(pluginHost, resources, issuerSettings);
  issuers.attach();
  issuers.ensureDefaultLocalIssuer(cfg.caCertPath, cfg.caKeyPath);
  if (!cfg.acmeIssuer.empty()) issuers.ensureEnvironmentAcmeIssuer(acmeIssuerConfig(cfg));

  // Issuance and renewal jobs: started at once by an in-process runner,
  // picked up, retried and timed out by the scheduler (docs/jobs.md).
  store::SqlLifecycleStore lifecycleStore(*db, &writer);
  services::IssuanceSettings issuanceSettings{
      cfg.keygenMode, dataDir, services::makeInstanceId(), cfg.jobMaxAttempts,
      std::chrono::duration_cast<std::chrono::seconds>(cfg.jobRetryBackoff)};
  services::IssuanceService issuance(resources, lifecycleStore, issuers, auditLog,
                                     issuanceSettings);
  services::CertificateLifecycle lifecycle(resources, lifecycleStore, issuance);
  lifecycle.attach();
  services::CertificateExport exports(resources, lifecycleStore, auditLog);
  // The agent API: heartbeats flushed in batches, deployment jobs for
  // mapped targets after each issuance.
  store::SqlAgentStore agentStore(*db, &writer);
  services::AgentService agents(resources, lifecycleStore, agentStore, auditLog);
  agents.attach(issuance);
  agents.start();
  lifecycle.start();
  services::JobControl jobControl(resources, lifecycleStore, auditLog,
                                  [&lifecycle](const std::string& id) { lifecycle.enqueue(id); });
  store::SqlJobStore jobStore(*db);
  jobStore.holdInstanceLock(issuanceSettings.instanceId);
  services::JobDispatcher dispatcher(jobStore, lifecycleStore, issuance, cfg.jobTimeoutInterval);
  services::RenewalCheck renewalCheck(jobStore, lifecycle);
  services::AgentHealth agentHealth(jobStore, auditLog, [&agents] { agents.flush(); });
  services::ShortLivedExpiry shortLivedExpiry(jobStore, auditLog);
  scheduler::JobSchedulerIntervals intervals;
  intervals.renewalCheck = cfg.schedulerRenewalCheckInterval;
  intervals.jobProcessor = cfg.schedulerJobProcessorInterval;
  intervals.retry = cfg.schedulerRetryInterval;
  intervals.agentHealth = cfg.schedulerAgentHealthCheckInterval;
  intervals.jobTimeoutCheck =
      std::clamp(cfg.jobTimeoutInterval / 2, std::chrono::milliseconds(1000),
                 std::chrono::milliseconds(60000));
  scheduler::JobScheduler jobScheduler(
      intervals, {jobStore, dispatcher, renewalCheck, agentHealth, shortLivedExpiry});
  jobScheduler.start();

  // Revocation, CRL and OCSP: a revocation invalidates the OCSP answers of its
  // serials and asks for a new CRL; loops keep CRLs and cached answers fresh.
  store::SqlRevocationStore revocationStore(*db);
  services::RegistryIssuerGateway revocationIssuers(issuers);
  services::CrlService crls(revocationStore, revocationIssuers);
  protocols::OcspResponder ocsp(revocationStore, revocationIssuers);
  services::RevocationService revocations(revocationStore, revocationIssuers, auditLog,
                                          &agentGroups);
  revocations.addListener(
      [&crls, &ocsp](const std::string& issuerId, const std::vector<std::string>& serials) {
        ocsp.invalidate(issuerId, serials);
        crls.regenerateAsync(issuerId);
      });
  scheduler::CrlGenerationLoop crlLoop(crls, cfg.crlGenerationInterval);
  crlLoop.start();
  scheduler::PeriodicLoop ocspRefreshLoop({"ocsp_response_refresh", std::chrono::seconds(60)},
                                          [&ocsp] { ocsp.refreshDue(); });
  ocspRefreshLoop.start();

  // Certificate discovery: scan reports from agents, triage by operators.
  store::SqlDiscoveryStore discoveryStore(*db, &writer);
  services::DiscoveryService discovery(resources, discoveryStore, auditLog);
  // DELETE /agents/{id}: soft delete, with the cascade on force.
  store::SqlAgentRetirementStore retirementStore(*db, &writer);
  services::AgentRetirement retirement(
      resources, retirementStore, auditLog,
      [&agents](const std::string& id) { agents.forgetAgent(id); });

  http::Router router;
  registerAllRoutes(router, {resources,
                             repository,
                             auditLog,
                             agentGroups,
                             {[&db] { return db->ping(); },
                              [&migrator] { return migrator.upToDate(); }, cfg.authType},
                             pluginHost,
                             issuers,
                             lifecycle,
                             issuance,
                             exports,
                             revocations,
                             crls,
                             ocsp,
                             agents,
                             jobControl,
                             discovery,
                             retirement});
  // EST (docs/est.md): one endpoint group per profile; an unusable mTLS
  // trust bundle refuses the start.
  std::unique_ptr<protocols::est::EstServer> est;
  if (!cfg.estProfiles.empty()) {
    est = std::make_unique<protocols::est::EstServer>(
        cfg.estProfiles,
        protocols::est::EstDependencies{issuers, issuance, resources, &auditLog, &revocationStore});
    protocols::registerEstRoutes(router, *est);
    serverOptions.recordTlsConnections = true;  // mTLS and tls-exporter channel binding
    serverOptions.requestClientCertificate = est->needsClientCertificates();
    spdlog::info(
        "EST server enabled: {} profile(s){}", cfg.estProfiles.size(),
        serverOptions.requestClientCertificate ? ", TLS asks for client certificates" : "");
  }
  // SCEP (docs/scep.md): /scep alone, or one /scep/<pathID> per profile;
  // listed by the admin API, their mTLS trust bundles reloaded on SIGHUP.
  std::vector<protocols::ScepEndpoint> scepEndpoints;
  if (cfg.scepEnabled && cfg.scepProfiles.empty()) {
    scepEndpoints.push_back(protocols::registerScepRoutes(
        router, issuers, issuance, revocationStore,
        {cfg.scepIssuerId, cfg.scepChallengePassword, cfg.scepRaCertPath, cfg.scepRaKeyPath,
         cfg.scepProfileId, "/scep"}));
    spdlog::info("SCEP server enabled: /scep issues with {}", cfg.scepIssuerId);
  }
  for (const auto& p : cfg.scepProfiles) {
    const std::string mtlsPath = p.mtlsEnabled ? "/scep-mtls/" + p.pathId : std::string();
    if (!mtlsPath.empty() && !serverOptions.tls)
      throw std::runtime_error("CERTCTL_SCEP_PROFILE_" + p.name +
                               "_MTLS_ENABLED needs HTTPS (not --insecure-http)");
    scepEndpoints.push_back(protocols::registerScepRoutes(
        router, issuers, issuance, revocationStore,
        {p.issuerId, p.challengePassword, p.raCertPath, p.raKeyPath, p.profileId,
         "/scep/" + p.pathId, mtlsPath, p.mtlsClientCaTrustBundlePath}));
    spdlog::info("SCEP profile {}: /scep/{}{} issues with {}", p.pathId, p.pathId,
                 mtlsPath.empty() ? std::string() : " and " + mtlsPath, p.issuerId);
    if (!mtlsPath.empty()) {
      serverOptions.recordTlsConnections = true;
      serverOptions.requestClientCertificate = true;
    }
  }
  protocols::registerScepAdminRoutes(router, scepEndpoints);
  // The built-in ACME server (docs/acme-server.md).
  store::SqlAcmeStore acmeStore(*db);
  protocols::acme::ServiceAcmeIssuance acmeIssuance(issuance, revocations);
  std::shared_ptr<protocols::acme::AcmeServer> acmeServer;
  if (cfg.acmeServerEnabled) {
    protocols::acme::AcmeServerSettings acmeSettings;
    acmeSettings.publicUrl = publicUrl(cfg, serverOptions.tls);
    acmeSettings.defaultProfileId = cfg.acmeServerDefaultProfileId;
    acmeSettings.issuerId = cfg.acmeServerIssuerId;
    acmeSettings.nonceTtl =
        std::chrono::duration_cast<std::chrono::seconds>(cfg.acmeServerNonceTtl);
    acmeSettings.ordersPerHour = cfg.acmeServerOrdersPerHour;
    acmeSettings.ordersPageSize = cfg.acmeServerOrdersPageSize;
    acmeSettings.termsOfServiceUrl = cfg.acmeServerTosUrl;
    acmeServer = std::make_shared<protocols::acme::AcmeServer>(
        acmeStore, repository, acmeIssuance, auditLog, std::move(acmeSettings),
        std::make_shared<protocols::acme::NetworkChallengeValidator>(acmeValidationSettings(cfg)));
    protocols::acme::registerAcmeRoutes(router, acmeServer);
    spdlog::info("ACME server enabled: {}/acme/profile/<id>/directory issues with {}{}",
                 acmeServer->settings().publicUrl, cfg.acmeServerIssuerId,
                 cfg.acmeServerDefaultProfileId.empty()
                     ? std::string()
                     : ", /acme/directory serves profile " + cfg.acmeServerDefaultProfileId);
  }

  std::unique_ptr<http::RateLimiter> limiter;
  if (cfg.rateLimitEnabled)
    limiter = std::make_unique<http::RateLimiter>(cfg.rateLimitRps, cfg.rateLimitBurst);
  http::PipelineOptions pipelineOptions{
      auth.get(), limiter.get(),    http::CorsPolicy(cfg.corsOrigins), &auditLog,
      {},         cfg.maxBodyBytes, cfg.logFormat == "json",           {}};
  if (acmeServer)
    pipelineOptions.errorFormats.push_back(
        {"/acme/", [server = acmeServer](const http::Request& request, int status,
                                         const std::string&, const std::string& message) {
           return server->pipelineProblem(request, status, message);
         }});
  http::Pipeline pipeline(router, std::move(pipelineOptions));
  http::Server server(serverOptions, pipeline);
  server.start();
  spdlog::info("certctl-server {} listening on {}://{}:{}", build::kVersion,
               serverOptions.tls ? "https" : "http", cfg.serverHost, server.port());

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  int received = 0;
  // SIGHUP re-reads the EST and SCEP mTLS trust bundles (a bad bundle keeps
  // the old pool).
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) {
    spdlog::info("received SIGHUP: reloading EST and SCEP trust bundles");
    if (est) {
      http::Request cause;
      cause.actor = "sighup";
      cause.method = "SIGHUP";
      est->reloadTrust("*", cause);
    }
    for (const auto& endpoint : scepEndpoints)
      if (endpoint.trustAnchor)
        protocols::reloadScepTrust(*endpoint.trustAnchor, endpoint.settings.mtlsPath, auditLog);
  }
  spdlog::info("received signal {}, shutting down", received);
  server.stop();
  ocspRefreshLoop.stop();
  crlLoop.stop();
  jobScheduler.stop();
  lifecycle.stop();
  agents.stop();
  auditLog.flush();
  services::registerExternalPolicyRule("Lua", {});  // it refers to luaRuntime
  return 0;
}

}  // namespace

int runServer(int argc, char** argv) {
  sigset_t signals;
  blockTerminationSignals(signals);

  CLI::App cli{
      "certctl-server: certificate lifecycle management control plane.\n"
      "Configuration comes from CERTCTL_* environment variables (see below),\n"
      "optionally from a --config file with the same keys (environment wins)."};
  CommandLine cmd;
  cli.add_option("-c,--config", cmd.configFile, "KEY=VALUE file with CERTCTL_* settings")
      ->check(CLI::ExistingFile);
  cli.add_flag("--demo", cmd.demo, "seed demo data (idempotent); same as CERTCTL_DEMO=true");
  cli.add_flag("--insecure-http", cmd.insecureHttp,
               "serve plain HTTP instead of HTTPS (development only)");
  cli.add_flag("--migrate-only", cmd.migrateOnly, "apply database migrations and exit");
  cli.set_version_flag("--version", build::kVersion);
  cli.footer("\nEnvironment variables:\n" + config::configHelpText());
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);    // prints help/version, or the error
    return rc == 0 ? 0 : 2;  // one exit code for every start-up configuration error
  }

  config::Config cfg;
  try {
    std::map<std::string, std::string> fileValues;
    if (!cmd.configFile.empty()) fileValues = config::readConfigFile(cmd.configFile);
    cfg = config::loadConfig(config::environmentMap(), fileValues);
  } catch (const config::ConfigError& e) {
    std::cerr << "certctl-server: invalid configuration: " << e.what() << "\n";
    return 2;
  }
  if (cmd.demo) cfg.demo = true;
  if (cmd.insecureHttp) cfg.insecureHttp = true;
  config::setupLogging(cfg.logLevel, cfg.logFormat);

  try {
    if (cmd.migrateOnly) {
      std::string dbUrl =
          cfg.databaseUrl.empty()
              ? "sqlite://" + (std::filesystem::path(cfg.dataDir) / "certctl.db").string()
              : cfg.databaseUrl;
      auto db = store::Database::open(dbUrl, 1);
      auto root = store::findMigrationsRoot(cfg.migrationsPath);
      store::Migrator migrator(*db, root);
      auto applied = migrator.applyPending();
      spdlog::info("migrations: {} applied from {}", applied.size(), root.string());
      return 0;
    }
    return serve(cfg);
  } catch (const std::exception& e) {
    spdlog::critical("certctl-server failed to start: {}", e.what());
    return 1;
  }
}

}  // namespace certctl::app
