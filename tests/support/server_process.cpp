#include "tests/support/server_process.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/process.h"

extern char** environ;

namespace certctl::testing {

namespace {

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ServerProcess::ServerProcess(ServerProcessOptions options) : options_(std::move(options)) {
  if (options_.ownDatabase && !options_.env.count("CERTCTL_DATABASE_URL")) {
    std::string dialect = TestDatabase::dialectFromEnvironment();
    if (dialect == "postgres") {
      database_ = std::make_unique<TestDatabase>(dialect);
      databaseUrl_ = database_->url();
    }
  }
  if (databaseUrl_.empty() && options_.env.count("CERTCTL_DATABASE_URL"))
    databaseUrl_ = options_.env["CERTCTL_DATABASE_URL"];
  if (databaseUrl_.empty()) databaseUrl_ = "sqlite://" + (dataDir() / "certctl.db").string();

  port_ = freeLoopbackPort();
  std::map<std::string, std::string> env = {
      {"CERTCTL_SERVER_HOST", "127.0.0.1"},     {"CERTCTL_SERVER_PORT", std::to_string(port_)},
      {"CERTCTL_DATA_DIR", dataDir().string()}, {"CERTCTL_DATABASE_URL", databaseUrl_},
      {"CERTCTL_LOG_FORMAT", "json"},           {"CERTCTL_RATE_LIMIT_ENABLED", "false"},
  };
  for (const auto& [k, v] : options_.env) env[k] = v;

  std::vector<std::string> envStrings;
  for (char** e = environ; *e; ++e)
    if (std::string(*e).rfind("CERTCTL_", 0) != 0) envStrings.push_back(*e);
  for (const auto& [k, v] : env) envStrings.push_back(k + "=" + v);
  // CERTCTL_TEST_SERVER_BINARY: another build of the server (benchmarks
  // comparing two revisions in one sitting).
  const char* binary = std::getenv("CERTCTL_TEST_SERVER_BINARY");
  std::vector<std::string> args = {binary && *binary ? binary : CERTCTL_SERVER_BINARY};
  if (!options_.tls) args.push_back("--insecure-http");
  for (const auto& a : options_.args) args.push_back(a);

  std::vector<char*> argp, envp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  for (auto& e : envStrings) envp.push_back(e.data());
  envp.push_back(nullptr);

  std::string logPath = (dataDir() / "server.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  int rc = posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start certctl-server");
  waitUntilHealthy();
}

ServerProcess::~ServerProcess() {
  try {
    stop();
  } catch (...) {
  }
}

std::string ServerProcess::baseUrl() const {
  return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::string ServerProcess::apiKey() const {
  auto it = options_.env.find("CERTCTL_AUTH_SECRET");
  if (it != options_.env.end()) return it->second.substr(0, it->second.find(','));
  std::string key = readFile(dataDir() / "api-key");
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return key;
}

void ServerProcess::waitUntilHealthy() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("certctl-server exited during start:\n" + log());
    }
    try {
      if (doRequest("GET", "/health", "", {}, "-").status == 200) return;
    } catch (...) {
      session_.reset();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("certctl-server did not become healthy:\n" + log());
}

HttpResult ServerProcess::request(const std::string& method, const std::string& path,
                                  const std::string& body,
                                  const std::map<std::string, std::string>& headers,
                                  const std::string& key) {
  try {
    return doRequest(method, path, body, headers, key);
  } catch (const Poco::Exception&) {
    session_.reset();  // the server closed the keep-alive connection: retry once
    return doRequest(method, path, body, headers, key);
  }
}

HttpResult ServerProcess::doRequest(const std::string& method, const std::string& path,
                                    const std::string& body,
                                    const std::map<std::string, std::string>& headers,
                                    const std::string& key) {
  if (!session_) {
    if (options_.tls) {
      Poco::Net::Context::Ptr context =
          new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", caFile().string(),
                                 Poco::Net::Context::VERIFY_STRICT, 9, false);
      session_ = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", port_, context);
    } else {
      session_ = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", port_);
    }
    session_->setKeepAlive(true);
    session_->setTimeout(Poco::Timespan(30, 0));
  }
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  req.setKeepAlive(true);
  std::string apiKeyValue = key.empty() ? (options_.env.count("CERTCTL_AUTH_TYPE") &&
                                                   options_.env.at("CERTCTL_AUTH_TYPE") == "none"
                                               ? std::string()
                                               : apiKey())
                                        : key;
  if (apiKeyValue != "-" && !apiKeyValue.empty()) req.set("Authorization", "Bearer " + apiKeyValue);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT") {
    if (!req.has("Content-Type")) req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  auto& out = session_->sendRequest(req);
  out << body;
  Poco::Net::HTTPResponse resp;
  auto& in = session_->receiveResponse(resp);
  HttpResult result;
  result.status = resp.getStatus();
  for (const auto& [k, v] : resp) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    result.headers[lower] = v;
  }
  Poco::StreamCopier::copyToString(in, result.body);
  if (!resp.getKeepAlive()) session_.reset();
  return result;
}

void ServerProcess::crash() {
  session_.reset();
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ServerProcess::stop() {
  session_.reset();
  if (pid_ <= 0) return 0;
  int status = stopProcess(pid_, std::chrono::seconds(6));
  pid_ = -1;
  return status;
}

std::string ServerProcess::log() const { return readFile(dataDir() / "server.log"); }

}  // namespace certctl::testing
