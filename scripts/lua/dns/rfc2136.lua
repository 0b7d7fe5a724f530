-- dns-01 through RFC 2136 dynamic updates (BIND, Knot, PowerDNS, Windows
-- DNS, ...) sent by `nsupdate` (docs/dns-hooks.md). ACME issuer config:
-- {"challenge_type": "dns-01", "dns_present_script": "dns/rfc2136.lua",
-- "dns_cleanup_script": "dns/rfc2136.lua"}. Settings come from the server's
-- environment (certctl.env reads CERTCTL_DNS_* only):
--   CERTCTL_DNS_RFC2136_SERVER         primary name server (host or IP), required
--   CERTCTL_DNS_RFC2136_PORT           its port (53)
--   CERTCTL_DNS_RFC2136_ZONE           the zone to update (else nsupdate looks it up)
--   CERTCTL_DNS_RFC2136_KEY_NAME       TSIG key name      } both or neither
--   CERTCTL_DNS_RFC2136_KEY_SECRET     TSIG secret, base64 }
--   CERTCTL_DNS_RFC2136_KEY_ALGORITHM  hmac-sha256 (hmac-sha1/224/384/512, hmac-md5)
--   CERTCTL_DNS_RFC2136_TTL            TTL of the TXT record (60)
-- nsupdate runs as an argv list (no shell) and gets its whole script,
-- including the TSIG key, on stdin: the secret never shows up in a process
-- listing or a log. Every value is checked before it goes into the script,
-- so no value can carry a line break (a second nsupdate command).

local ALGORITHMS = {["hmac-md5"] = true, ["hmac-sha1"] = true, ["hmac-sha224"] = true,
                    ["hmac-sha256"] = true, ["hmac-sha384"] = true, ["hmac-sha512"] = true}

local function reject(message)
  error({status = "REJECTED", message = "rfc2136: " .. message})
end

local function dns_name(value, what)
  if type(value) ~= "string" or #value == 0 or #value > 253 then reject(what .. " is not a DNS name") end
  local name = value:gsub("%.$", "")
  for label in (name .. "."):gmatch("(.-)%.") do
    if #label == 0 or #label > 63 or not label:match("^[%w_%-]+$") then
      reject(what .. " is not a DNS name")
    end
  end
  return name:lower() .. "."
end

local function number_setting(name, default, max)
  local text = certctl.env(name) or tostring(default)
  local n = text:match("^%d+$") and tonumber(text)
  if not n or n < 1 or n > max then reject(name .. " must be a number from 1 to " .. max) end
  return n
end

local function settings()
  local s = {server = certctl.env("CERTCTL_DNS_RFC2136_SERVER"),
             port = number_setting("CERTCTL_DNS_RFC2136_PORT", 53, 65535),
             ttl = number_setting("CERTCTL_DNS_RFC2136_TTL", 60, 86400),
             key_name = certctl.env("CERTCTL_DNS_RFC2136_KEY_NAME"),
             secret = certctl.env("CERTCTL_DNS_RFC2136_KEY_SECRET"),
             algorithm = certctl.env("CERTCTL_DNS_RFC2136_KEY_ALGORITHM") or "hmac-sha256"}
  if not s.server or not s.server:match("^[%w%.%-:]+$") then
    reject("CERTCTL_DNS_RFC2136_SERVER must be a host name or IP address")
  end
  local zone = certctl.env("CERTCTL_DNS_RFC2136_ZONE")
  if zone then s.zone = dns_name(zone, "CERTCTL_DNS_RFC2136_ZONE") end
  if (s.key_name == nil) ~= (s.secret == nil) then
    reject("set both CERTCTL_DNS_RFC2136_KEY_NAME and _KEY_SECRET, or neither")
  end
  if s.key_name then
    s.key_name = dns_name(s.key_name, "CERTCTL_DNS_RFC2136_KEY_NAME")
    if not s.secret:match("^[%w%+/]+=*$") then reject("CERTCTL_DNS_RFC2136_KEY_SECRET must be base64") end
    if not ALGORITHMS[s.algorithm] then reject("unsupported CERTCTL_DNS_RFC2136_KEY_ALGORITHM") end
  end
  return s
end

-- The record's owner name, inside the zone when one is set.
local function record_name(args, s)
  local fqdn = dns_name(args.CERTCTL_DNS_FQDN, "CERTCTL_DNS_FQDN")
  if s.zone and fqdn ~= s.zone and fqdn:sub(-#s.zone - 1) ~= "." .. s.zone then
    reject(args.CERTCTL_DNS_FQDN .. " is not in zone " .. s.zone)
  end
  return fqdn
end

local function txt_value(args)
  local value = args.CERTCTL_DNS_VALUE
  if type(value) ~= "string" or not value:match("^[%w_%-]+$") or #value > 255 then
    reject("CERTCTL_DNS_VALUE is not a base64url TXT value")
  end
  return value
end

local function without(text, secret)
  if not secret then return text end
  local out, from = {}, 1
  while true do
    local at = text:find(secret, from, true)
    if not at then break end
    out[#out + 1] = text:sub(from, at - 1) .. "[redacted]"
    from = at + #secret
  end
  return table.concat(out) .. text:sub(from)
end

local function nsupdate(s, update)
  local script = {"server " .. s.server .. " " .. s.port}
  if s.zone then script[#script + 1] = "zone " .. s.zone end
  if s.key_name then script[#script + 1] = "key " .. s.algorithm .. ":" .. s.key_name .. " " .. s.secret end
  script[#script + 1] = update
  script[#script + 1] = "send"
  local r = certctl.exec{argv = {"nsupdate", "-t", "20"}, stdin = table.concat(script, "\n") .. "\n",
                         timeout = 30}
  if r.exit_code ~= 0 then
    error("rfc2136: nsupdate failed (exit " .. tostring(r.exit_code) .. "): " ..
          without(r.stderr .. r.stdout, s.secret):sub(1, 500))
  end
end

function present(args)
  local s = settings()
  local name = record_name(args, s)
  nsupdate(s, "update add " .. name .. " " .. s.ttl .. " TXT \"" .. txt_value(args) .. "\"")
  certctl.log("info", "rfc2136: TXT added for " .. name .. " at " .. s.server)
  return {}
end

-- Deletes this value only: a wildcard and its base name share the record name.
function cleanup(args)
  local s = settings()
  local name = record_name(args, s)
  nsupdate(s, "update delete " .. name .. " TXT \"" .. txt_value(args) .. "\"")
  certctl.log("info", "rfc2136: TXT removed for " .. name .. " at " .. s.server)
  return {}
end
