#include "agent/server_client.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <sstream>

namespace certctl::agent {

std::string ApiResponse::errorMessage() const {
  if (body.is_object() && body.contains("error") && body["error"].is_object() &&
      body["error"].contains("message") && body["error"]["message"].is_string())
    return body["error"]["message"].get<std::string>();
  return raw.size() > 500 ? raw.substr(0, 500) + "..." : raw;
}

ServerClient::ServerClient(ServerClientOptions options) : options_(std::move(options)) {
  Poco::URI uri(options_.baseUrl);
  scheme_ = uri.getScheme();
  host_ = uri.getHost();
  port_ = uri.getPort();
  prefix_ = uri.getPath();
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
}

ServerClient::~ServerClient() = default;

void ServerClient::connect() {
  if (scheme_ == "https") {
    // VERIFY_RELAXED on a client verifies the server's chain; Poco also
    // checks the certificate names the host we connect to.
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", options_.caBundle,
                               Poco::Net::Context::VERIFY_RELAXED, 9, options_.caBundle.empty());
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    session_ = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port_, context);
  } else {
    session_ = std::make_unique<Poco::Net::HTTPClientSession>(host_, port_);
  }
  session_->setKeepAlive(true);
  session_->setTimeout(Poco::Timespan(static_cast<long>(options_.timeout.count()), 0));
}

ApiResponse ServerClient::call(const std::string& method, const std::string& path,
                               const nlohmann::json& body) {
  std::string payload = body.is_null() ? std::string() : body.dump();
  bool fresh = !session_;
  try {
    return attempt(method, path, payload);
  } catch (const Poco::Exception& e) {
    session_.reset();
    // A kept-alive connection the server closed meanwhile: one more try on
    // a new one. A fresh connection that failed is the answer.
    if (fresh) throw TransportError(e.displayText());
  } catch (const std::exception& e) {
    session_.reset();
    if (fresh) throw TransportError(e.what());
  }
  try {
    return attempt(method, path, payload);
  } catch (const Poco::Exception& e) {
    session_.reset();
    throw TransportError(e.displayText());
  } catch (const std::exception& e) {
    session_.reset();
    throw TransportError(e.what());
  }
}

ApiResponse ServerClient::attempt(const std::string& method, const std::string& path,
                                  const std::string& body) {
  if (!session_) connect();
  Poco::Net::HTTPRequest request(method, prefix_ + path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setKeepAlive(true);
  request.set("Authorization", "Bearer " + options_.apiKey);
  request.set("Accept", "application/json");
  request.set("User-Agent", "certctl-agent");
  if (!body.empty() || method == "POST" || method == "PUT") {
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  auto& out = session_->sendRequest(request);
  out << body;
  Poco::Net::HTTPResponse response;
  auto& in = session_->receiveResponse(response);
  ApiResponse result;
  result.status = response.getStatus();
  std::ostringstream text;
  Poco::StreamCopier::copyStream(in, text);
  result.raw = text.str();
  result.body = nlohmann::json::parse(result.raw, nullptr, false);
  if (result.body.is_discarded()) result.body = nullptr;
  if (!response.getKeepAlive()) session_.reset();
  return result;
}

}  // namespace certctl::agent
