// krgadm command line: parsed into a Command, separate from running it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace krgadm {

enum class Action {
  help,
  nodes_status,
  cluster_status,
  cluster_key_set,
  cluster_key_generate,
  rpc_ping,
  node_evacuate,
  ha_load,
  ha_attach,
  ha_detach,
  ha_status
};

struct Command {
  Action action = Action::help;
  std::string topic;  // help: "", "nodes", "node", "cluster", "rpc" or "ha"
  bool json = false;
  std::string file;        // cluster key set/generate: the key file
  int node = 0;            // rpc ping: one node,
  std::vector<int> nodes;  // a node list,
  bool all = false;        // or every online node
  uint32_t size = 0;
  uint32_t count = 1;
  uint32_t timeout_ms = 10000;
  int type = -1;
  bool oneway = false;
  bool force = false;  // node evacuate: stop what cannot move
  int pid = 0;         // ha attach, detach: the application's root
  std::string policy;  // ha load, attach
  std::string params;  // ha attach: "key=value ..."
};

struct Parsed {
  Command cmd;
  std::string error;  // non-empty: a usage error, exit 2
};

Parsed parse(const std::vector<std::string_view>& args);

// Usage text for a topic ("" for the whole tool).
std::string usage(std::string_view topic);

}  // namespace krgadm
