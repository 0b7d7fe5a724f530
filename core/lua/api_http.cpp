#include <Poco/Exception.h>

#include "core/lua/api_support.h"
#include "core/lua/certctl_api.h"
#include "core/lua/guarded_http.h"
#include "core/lua/hook_context.h"

namespace certctl::lua {

namespace {

constexpr std::chrono::milliseconds kDefaultTimeout{30'000};

std::map<std::string, std::string> headersField(lua_State* L) {
  std::map<std::string, std::string> headers;
  for (auto& [name, value] : stringMapField(L, 1, "headers", "http")) {
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos)
      luaL_error(L, "http: header names and values must not contain line breaks");
    headers[name] = std::move(value);
  }
  return headers;
}

// certctl.http.request{method, url, headers, body, timeout} -> {status, headers, body}
int request(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  auto& context = contextOf(L);
  HttpCall call;
  call.method = optionalStringField(L, 1, "method").value_or("GET");
  if (call.method.empty() ||
      call.method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
    luaL_error(L, "http: method must be an upper-case HTTP method");
  auto url = optionalStringField(L, 1, "url");
  if (!url) luaL_error(L, "http: url is required");
  call.url = *url;
  call.headers = headersField(L);
  call.body = optionalStringField(L, 1, "body").value_or("");
  call.timeout = std::min(secondsField(L, 1, "timeout", kDefaultTimeout), context.remaining());
  call.allowLoopback = context.settings.httpAllowLoopback;
  context.checkDeadline(L);
  HttpReply reply;
  try {
    reply = guardedHttpRequest(call);
  } catch (const Poco::Exception& e) {
    context.checkDeadline(L);  // a timeout caused by the hook's budget says so
    throw std::runtime_error("http: " + e.displayText());
  }
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, reply.status);
  lua_setfield(L, -2, "status");
  lua_newtable(L);
  for (const auto& [name, value] : reply.headers) {
    lua_pushlstring(L, value.data(), value.size());
    lua_setfield(L, -2, name.c_str());
  }
  lua_setfield(L, -2, "headers");
  lua_pushlstring(L, reply.body.data(), reply.body.size());
  lua_setfield(L, -2, "body");
  return 1;
}

}  // namespace

void registerHttp(lua_State* L) {
  lua_newtable(L);
  setFunction(L, "request", &guarded<request>);
  lua_setfield(L, -2, "http");
}

}  // namespace certctl::lua
