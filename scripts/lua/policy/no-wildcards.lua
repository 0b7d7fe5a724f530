-- Policy rule type "Lua" (docs/lua.md): config {"script": "no-wildcards.lua",
-- "params": {"max_days": 90}}. Refuses wildcard names and, when max_days is
-- set, lifetimes above it. Returns a list of {message, severity}; severity
-- may be left out to use the rule's own.
function evaluate(input)
  local facts, params = input.facts, input.params or {}
  local violations = {}
  local seen = {}
  local function check(name)
    if type(name) ~= "string" or seen[name] then return end
    seen[name] = true
    if name:find("*", 1, true) then
      violations[#violations + 1] = {message = "wildcard name " .. name .. " is not allowed"}
    end
  end
  check(facts.common_name)
  for _, san in ipairs(facts.sans or {}) do check(san) end
  if params.max_days and facts.lifetime_seconds and
     facts.lifetime_seconds > params.max_days * 86400 then
    violations[#violations + 1] = {
      message = "lifetime of " .. facts.lifetime_seconds // 86400 .. " days exceeds " ..
                params.max_days, severity = "Warning"}
  end
  return violations
end
