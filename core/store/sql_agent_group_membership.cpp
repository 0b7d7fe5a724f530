#include "core/store/sql_agent_group_membership.h"

#include <Poco/Data/Statement.h>

#include "core/domain/timestamps.h"

using namespace Poco::Data::Keywords;

namespace certctl::store {

std::vector<std::pair<std::string, std::string>> SqlAgentGroupMembership::entries(
    const std::string& groupId) {
  auto lease = db_.acquire();
  std::string group = groupId;
  std::vector<std::string> agents, memberships;
  *lease << "SELECT agent_id, membership FROM agent_group_members WHERE group_id = $1 "
            "ORDER BY agent_id",
      use(group), into(agents), into(memberships), now;
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < agents.size(); ++i) out.emplace_back(agents[i], memberships[i]);
  return out;
}

void SqlAgentGroupMembership::set(const std::string& groupId, const std::string& agentId,
                                  const std::string& membership) {
  auto lease = db_.acquire();
  std::string group = groupId, agent = agentId, kind = membership;
  std::string stamp = domain::nowRfc3339();
  std::string sql =
      db_.dialect() == Dialect::Postgres
          ? "INSERT INTO agent_group_members (group_id, agent_id, membership, created_at) "
            "VALUES ($1, $2, $3, $4::timestamptz) ON CONFLICT (group_id, agent_id) DO UPDATE "
            "SET membership = EXCLUDED.membership"
          : "INSERT INTO agent_group_members (group_id, agent_id, membership, created_at) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (group_id, agent_id) DO UPDATE "
            "SET membership = excluded.membership";
  *lease << sql, use(group), use(agent), use(kind), use(stamp), now;
}

bool SqlAgentGroupMembership::remove(const std::string& groupId, const std::string& agentId) {
  auto lease = db_.acquire();
  std::string group = groupId, agent = agentId;
  Poco::Data::Statement stmt(*lease);
  stmt << "DELETE FROM agent_group_members WHERE group_id = $1 AND agent_id = $2", use(group),
      use(agent);
  return stmt.execute() > 0;
}

}  // namespace certctl::store
