// krgadm ha: the HA framework's commands (Documentation/ha.md).
#include "ha.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "nodelist.h"

namespace krgadm {

namespace {

using Json = nlohmann::ordered_json;

int status(krg::Client& c, const Command& cmd) {
  auto st = c.ha_status();
  if (cmd.json) {
    Json apps = Json::array();
    for (const auto& a : st.apps)
      apps.push_back({{"id", a.id},
                      {"root", a.root},
                      {"policy", a.policy},
                      {"params", a.params},
                      {"owner", a.owner},
                      {"state", a.state},
                      {"recoveries", a.recoveries},
                      {"committed", a.committed},
                      {"nodes", a.footprint}});
    std::cout << Json{{"node", st.node}, {"policies", st.policies}, {"applications", apps}}.dump()
              << "\n";
    return 0;
  }
  std::string loaded;
  for (const auto& p : st.policies) loaded += (loaded.empty() ? "" : " ") + p;
  std::cout << "policies loaded: " << (loaded.empty() ? "none" : loaded) << "\n";
  if (st.apps.empty()) {
    std::cout << "no application is attached\n";
    return 0;
  }
  std::printf("%-9s %-9s %-21s %-11s %-6s %-9s %-4s %s\n", "ID", "ROOT", "POLICY", "STATE", "NODES",
              "RECOVERED", "SET", "PARAMS");
  for (const auto& a : st.apps) {
    // No node left in its footprint: none of its tasks runs any more.
    std::string nodes = a.footprint.empty() ? "-" : krg::format_nodelist(a.footprint);
    // SET: its last committed checkpoint set ("-": none).
    std::string set = a.committed ? std::to_string(a.committed) : "-";
    std::printf("%-9d %-9d %-21s %-11s %-6s %-9u %-4s %s\n", a.id, a.root, a.policy.c_str(),
                a.state.c_str(), nodes.c_str(), a.recoveries, set.c_str(), a.params.c_str());
  }
  return 0;
}

}  // namespace

int ha(krg::Client& c, const Command& cmd) {
  switch (cmd.action) {
    case Action::ha_load:
      c.ha_load(cmd.policy);
      std::cout << "policy " << cmd.policy << " loaded on every online node\n";
      return 0;
    case Action::ha_attach:
      c.ha_attach(cmd.pid, cmd.policy, cmd.params);
      std::cout << "application " << cmd.pid << " attached to " << cmd.policy << "\n";
      return 0;
    case Action::ha_detach:
      c.ha_detach(cmd.pid);
      std::cout << "application " << cmd.pid << " detached\n";
      return 0;
    case Action::ha_status:
      return status(c, cmd);
    default:
      return 2;
  }
}

}  // namespace krgadm
