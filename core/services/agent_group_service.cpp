#include "core/services/agent_group_service.h"

#include <map>

#include "core/domain/agent_group_matcher.h"
#include "core/domain/errors.h"
#include "core/domain/json_fields.h"
#include "core/domain/resources.h"

namespace certctl::services {

using nlohmann::json;

using domain::stringField;

namespace {

const domain::ResourceSpec& spec(const char* name) { return domain::requireResource(name); }

}  // namespace

std::vector<json> AgentGroupService::members(const std::string& groupId) {
  json group = resources_.get(spec("agent-groups"), groupId);
  domain::GroupCriteria criteria{
      stringField(group, "match_os"), stringField(group, "match_architecture"),
      stringField(group, "match_ip_cidr"), stringField(group, "match_version")};
  std::map<std::string, std::string> manual;
  for (auto& [agentId, membership] : memberships_.entries(groupId)) manual[agentId] = membership;
  bool enabled = !group.contains("enabled") || group["enabled"] != false;

  std::vector<json> result;
  domain::ListQuery query;
  query.keyset = true;
  query.perPage = 500;
  query.sortColumn = "created_at";
  query.descending = false;
  for (;;) {
    auto page = resources_.list(spec("agents"), query);
    for (auto& agent : page.items) {
      if (!stringField(agent, "retired_at").empty()) continue;
      std::string id = stringField(agent, "id");
      auto m = manual.find(id);
      if (m != manual.end() && m->second == "exclude") continue;
      bool dynamic =
          enabled &&
          domain::matchesCriteria({id, stringField(agent, "os"), stringField(agent, "architecture"),
                                   stringField(agent, "ip_address"), stringField(agent, "version")},
                                  criteria);
      bool included = m != manual.end() && m->second == "include";
      if (!dynamic && !included) continue;
      agent["membership"] = included ? "manual" : "dynamic";
      result.push_back(std::move(agent));
    }
    if (!page.next) break;
    query.after = page.next;
  }
  return result;
}

void AgentGroupService::setMembership(const std::string& groupId, const std::string& agentId,
                                      const std::string& membership) {
  resources_.get(spec("agent-groups"), groupId);  // 404 for an unknown group
  if (membership != "include" && membership != "exclude")
    throw domain::badRequest("membership", "membership must be include or exclude");
  if (!isValidId(agentId) || !resources_.repository().exists(spec("agents"), agentId))
    throw domain::badRequest("agent_id", "agent_id refers to an unknown agent: " + agentId);
  memberships_.set(groupId, agentId, membership);
}

void AgentGroupService::removeMembership(const std::string& groupId, const std::string& agentId) {
  resources_.get(spec("agent-groups"), groupId);
  if (!memberships_.remove(groupId, agentId))
    throw domain::notFound("agent " + agentId + " has no manual entry in group " + groupId);
}

void AgentGroupService::registerValidators(ResourceService& resources) {
  resources.addValidator("agent-groups", [](const json& values, const json*) {
    auto cidr = values.find("match_ip_cidr");
    if (cidr != values.end() && cidr->is_string() && !cidr->get<std::string>().empty())
      if (auto error = domain::validateCidr(*cidr))
        throw domain::badRequest("match_ip_cidr", "match_ip_cidr " + *error);
    auto range = values.find("match_version");
    if (range != values.end() && range->is_string() && !range->get<std::string>().empty())
      if (auto error = domain::validateVersionRange(*range))
        throw domain::badRequest("match_version", "match_version " + *error);
  });
}

}  // namespace certctl::services
