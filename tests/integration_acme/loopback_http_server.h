#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>

namespace certctl::testing::acme {

// A plain-http server on a random loopback port for stand-in ACME
// endpoints: `answer` gets each request's URI (the body is discarded),
// may set the status and headers, and returns the JSON body. Calls run
// under `mutex` (the owner's, guarding what `answer` reads). Stops with
// the object.
class LoopbackHttpServer {
 public:
  using Answer = std::function<std::string(const std::string& uri, Poco::Net::HTTPServerResponse&)>;

  LoopbackHttpServer(std::mutex& mutex, Answer answer)
      : mutex_(mutex),
        answer_(std::move(answer)),
        socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket_,
                                                      new Poco::Net::HTTPServerParams);
    server_->start();
  }
  ~LoopbackHttpServer() { server_->stopAll(true); }

  std::string base() const {
    return "http://127.0.0.1:" + std::to_string(socket_.address().port());
  }

 private:
  struct Handler : Poco::Net::HTTPRequestHandler {
    explicit Handler(LoopbackHttpServer& s) : s_(s) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
      request.stream().ignore(std::numeric_limits<std::streamsize>::max());
      std::lock_guard lock(s_.mutex_);
      const std::string body = s_.answer_(request.getURI(), response);
      response.setContentType("application/json");
      response.setContentLength(static_cast<std::streamsize>(body.size()));
      response.send() << body;
    }
    LoopbackHttpServer& s_;
  };
  struct Factory : Poco::Net::HTTPRequestHandlerFactory {
    explicit Factory(LoopbackHttpServer& s) : s_(s) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(s_);
    }
    LoopbackHttpServer& s_;
  };

  std::mutex& mutex_;
  Answer answer_;
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace certctl::testing::acme
