-- dns-01 through pebble-challtestsrv's management API (a test DNS server):
-- present() adds the TXT record, cleanup() clears the name
-- (docs/dns-hooks.md). ACME issuer config: {"challenge_type": "dns-01",
-- "dns_present_script": "dns/challtestsrv.lua", "dns_cleanup_script":
-- "dns/challtestsrv.lua"}. CERTCTL_DNS_CHALLTESTSRV_URL is the management
-- URL (default http://127.0.0.1:8055); a loopback URL needs
-- CERTCTL_LUA_HTTP_ALLOW_LOOPBACK=true.

local function reject(message)
  error({status = "REJECTED", message = "challtestsrv: " .. message})
end

local function management_url()
  local url = certctl.env("CERTCTL_DNS_CHALLTESTSRV_URL") or "http://127.0.0.1:8055"
  if not url:match("^https?://[%w%.%-%[%]:]+/?$") then
    reject("CERTCTL_DNS_CHALLTESTSRV_URL must be http(s)://host[:port]")
  end
  return (url:gsub("/$", ""))
end

-- The FQDN as challtestsrv wants it: a DNS name with a trailing dot.
local function fqdn(args)
  local name = args.CERTCTL_DNS_FQDN
  if type(name) ~= "string" or #name > 253 or not name:match("^[%w_][%w_%.%-]*$") then
    reject("CERTCTL_DNS_FQDN is not a DNS name")
  end
  return name .. "."
end

local function post(path, body)
  local r = certctl.http.request{
    method = "POST", url = management_url() .. path, timeout = 10,
    headers = {["content-type"] = "application/json"}, body = certctl.json.encode(body)}
  if r.status ~= 200 then
    error("challtestsrv " .. path .. ": HTTP " .. r.status .. " " .. r.body:sub(1, 200))
  end
end

function present(args)
  local value = args.CERTCTL_DNS_VALUE
  if type(value) ~= "string" or not value:match("^[%w_%-]+$") then
    reject("CERTCTL_DNS_VALUE is not a base64url TXT value")
  end
  post("/set-txt", {host = fqdn(args), value = value})
  certctl.log("info", "challtestsrv: TXT set for " .. args.CERTCTL_DNS_FQDN)
  return {}
end

function cleanup(args)
  post("/clear-txt", {host = fqdn(args)})
  certctl.log("info", "challtestsrv: TXT cleared for " .. args.CERTCTL_DNS_FQDN)
  return {}
end
