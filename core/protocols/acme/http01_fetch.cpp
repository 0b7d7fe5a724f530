#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>

#include <istream>

#include "core/protocols/acme/challenge_checks.h"

namespace certctl::protocols::acme {

namespace {

constexpr std::size_t kHttp01MaxBody = 16 * 1024;

std::string hostHeader(const std::string& identifier, int port) {
  std::string host =
      identifier.find(':') != std::string::npos ? "[" + identifier + "]" : identifier;
  return port == 80 ? host : host + ":" + std::to_string(port);
}

}  // namespace

std::string trimTrailingWhitespace(std::string text) {
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
    text.pop_back();
  return text;
}

Http01Result fetchHttp01(const std::string& address, int port, const std::string& identifier,
                         const std::string& token, std::chrono::milliseconds timeout) {
  Http01Result result;
  const std::string path = "/.well-known/acme-challenge/" + token;
  result.url = "http://" + hostHeader(identifier, port) + path;
  try {
    Poco::Net::HTTPClientSession session(Poco::Net::SocketAddress(address, port));
    session.setTimeout(Poco::Timespan(std::chrono::microseconds(timeout).count()));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(hostHeader(identifier, port));
    request.set("User-Agent", "certctl-acme-validator");
    request.set("Accept", "*/*");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    result.connected = true;
    result.status = response.getStatus();
    result.detail =
        result.url + " answered " + std::to_string(result.status) + " " + response.getReason();
    if (result.status >= 300 && result.status < 400)
      result.detail += " (redirects are not followed)";
    char buffer[4096];
    while (result.body.size() < kHttp01MaxBody && in.read(buffer, sizeof buffer).gcount() > 0)
      result.body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (result.body.size() > kHttp01MaxBody) result.body.resize(kHttp01MaxBody);
  } catch (const Poco::Exception& e) {
    if (!result.connected)
      result.detail = "could not fetch " + result.url + " from " + address + ": " + e.displayText();
  }
  return result;
}

}  // namespace certctl::protocols::acme
