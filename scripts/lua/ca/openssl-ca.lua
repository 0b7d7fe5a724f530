-- A custom CA driven by the openssl command line (docs/script-issuer.md).
-- Issuer config: {"sign_script": "ca/openssl-ca.lua", "revoke_script":
-- "ca/openssl-ca.lua", "script_args": {"ca_dir": "/etc/certctl/ca"}}.
-- ca_dir holds ca.crt and ca.key (and gets revoked.txt). Every command is an
-- argv list run by certctl.exec: nothing passes through a shell.

local OPENSSL = "/usr/bin/openssl"

local function ca_dir(args)
  local dir = args.config and args.config.ca_dir
  if type(dir) ~= "string" or dir:sub(1, 1) ~= "/" then
    error({status = "REJECTED", message = "script_args.ca_dir must be an absolute path"})
  end
  return dir
end

local function run(spec)
  local r = certctl.exec(spec)
  if r.exit_code ~= 0 then
    error(spec.argv[1] .. " " .. spec.argv[2] .. " failed (exit " .. r.exit_code .. "): " .. r.stderr)
  end
  return r.stdout
end

-- A positive 128-bit serial from the CA's own random generator.
local function new_serial()
  local hex = run({argv = {OPENSSL, "rand", "-hex", "16"}}):gsub("%s", "")
  return "0x" .. string.format("%x", tonumber(hex:sub(1, 1), 16) % 8) .. hex:sub(2)
end

function sign(args)
  local dir = ca_dir(args)
  local csr = certctl.pki.parse_csr(args.csr_pem)
  if not csr.signature_valid then
    error({status = "REJECTED", message = "the CSR signature does not verify"})
  end
  certctl.log("info", "openssl-ca: signing " .. csr.common_name .. " for " .. args.validity_days .. " days")
  local cert = run({
    argv = {OPENSSL, "x509", "-req", "-CA", dir .. "/ca.crt", "-CAkey", dir .. "/ca.key",
            "-set_serial", new_serial(), "-days", tostring(args.validity_days), "-sha256",
            "-copy_extensions", "copyall"},
    stdin = args.csr_pem,
    timeout = 20,
  })
  local chain = run({argv = {OPENSSL, "x509", "-in", dir .. "/ca.crt"}})
  return {certificate_pem = cert, chain_pem = chain}
end

-- The serial reaches us as hex digits only and the reason as an RFC 5280
-- name: the issuer plugin checked both before calling.
function revoke(args)
  local dir = ca_dir(args)
  run({argv = {"/usr/bin/tee", "-a", dir .. "/revoked.txt"},
       stdin = args.serial .. " " .. args.reason .. " " .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. "\n"})
  certctl.log("info", "openssl-ca: revoked serial " .. args.serial .. " (" .. args.reason .. ")")
  return {}
end
