#include "krgadm_cli.h"

#include "nodelist.h"

namespace krgadm {

std::string usage(std::string_view topic) {
  std::string nodes =
      "  krgadm nodes status [--json]\n"
      "      List every node known to this one: online, unreachable, self.\n";
  std::string cluster =
      "  krgadm cluster status [--json]\n"
      "      This node's identity, the online and present node sets, and whether\n"
      "      links are encrypted.\n"
      "  krgadm cluster key set FILE\n"
      "      Give the kernel the cluster key in FILE (needs CAP_SYS_ADMIN, once\n"
      "      per boot): the node joins only once it has the key. FILE is one line\n"
      "      of 72 hexadecimal digits, a regular file owned by root that no group\n"
      "      or other user may read or write.\n"
      "  krgadm cluster key generate FILE\n"
      "      Write a new random cluster key to FILE (mode 0400; FILE must not\n"
      "      exist). Copy it to every node of the cluster.\n";
  std::string rpc =
      "  krgadm rpc ping NODES [--size BYTES] [--count N] [--timeout MS] [--oneway]\n"
      "                  [--json]\n"
      "      Time N echo round trips of BYTES bytes over krg RPC to NODES: one\n"
      "      node, a list (1-3,5: each round is one multicast call) or 'all'\n"
      "      online nodes (needs CAP_NET_ADMIN). Defaults: 0 bytes, 1 round\n"
      "      trip, 10000 ms. --oneway: send N one-way pings to one node and wait\n"
      "      until it has counted them all.\n";
  std::string head = "usage:\n";
  if (topic == "nodes") return head + nodes;
  if (topic == "cluster") return head + cluster;
  if (topic == "rpc") return head + rpc;
  return "krgadm: administer a krg cluster from any of its nodes.\n\n" + head + nodes + cluster +
         rpc +
         "  krgadm help [nodes|cluster|rpc]\n\n"
         "Exit status: 0 success, 1 the request failed, 2 bad usage.\n";
}

namespace {

Parsed fail(std::string msg) {
  Parsed p;
  p.error = std::move(msg);
  return p;
}

bool is_help(std::string_view a) { return a == "--help" || a == "-h"; }

// "status [--json]" for the nodes and cluster groups.
Parsed parse_status(std::string_view group, Action action,
                    const std::vector<std::string_view>& args) {
  Parsed p;
  p.cmd.topic = std::string(group);
  if (args.size() < 2) return fail("missing " + std::string(group) + " subcommand");
  if (is_help(args[1])) return p;
  if (args[1] != "status")
    return fail("unknown " + std::string(group) + " subcommand '" + std::string(args[1]) + "'");
  p.cmd.action = action;
  for (size_t i = 2; i < args.size(); ++i) {
    if (is_help(args[i])) {
      p.cmd.action = Action::help;
    } else if (args[i] == "--json") {
      p.cmd.json = true;
    } else {
      return fail("unexpected argument '" + std::string(args[i]) + "'");
    }
  }
  return p;
}

// "key set FILE" and "key generate FILE" in the cluster group.
Parsed parse_key(const std::vector<std::string_view>& args) {
  Parsed p;
  p.cmd.topic = "cluster";
  if (args.size() < 3) return fail("missing cluster key subcommand");
  if (is_help(args[2])) return p;
  if (args[2] == "set")
    p.cmd.action = Action::cluster_key_set;
  else if (args[2] == "generate")
    p.cmd.action = Action::cluster_key_generate;
  else
    return fail("unknown cluster key subcommand '" + std::string(args[2]) + "'");
  bool have_file = false;
  for (size_t i = 3; i < args.size(); ++i) {
    auto a = args[i];
    if (is_help(a)) {
      p.cmd.action = Action::help;
      return p;
    }
    if (a.empty()) return fail("FILE must not be empty");
    if (a[0] == '-') return fail("unknown option '" + std::string(a) + "'");
    if (have_file) return fail("unexpected argument '" + std::string(a) + "'");
    have_file = true;
    p.cmd.file = std::string(a);
  }
  if (!have_file) return fail("cluster key " + std::string(args[2]) + " needs FILE");
  return p;
}

Parsed parse_rpc(const std::vector<std::string_view>& args) {
  Parsed p;
  p.cmd.topic = "rpc";
  if (args.size() < 2) return fail("missing rpc subcommand");
  if (is_help(args[1])) return p;
  if (args[1] != "ping") return fail("unknown rpc subcommand '" + std::string(args[1]) + "'");
  p.cmd.action = Action::rpc_ping;
  bool have_node = false;
  for (size_t i = 2; i < args.size(); ++i) {
    auto a = args[i];
    if (is_help(a)) {
      p.cmd.action = Action::help;
      return p;
    }
    if (a == "--json") {
      p.cmd.json = true;
      continue;
    }
    if (a == "--oneway") {
      p.cmd.oneway = true;
      continue;
    }
    if (a == "--size" || a == "--count" || a == "--timeout" || a == "--type") {
      if (i + 1 >= args.size()) return fail(std::string(a) + " needs a value");
      auto v = args[++i];
      std::optional<long> n;
      if (a == "--size" && (n = krg::parse_int(v, 0, 64L << 20))) {
        p.cmd.size = static_cast<uint32_t>(*n);
      } else if (a == "--count" && (n = krg::parse_int(v, 1, 100000))) {
        p.cmd.count = static_cast<uint32_t>(*n);
      } else if (a == "--timeout" && (n = krg::parse_int(v, 1, 600000))) {
        p.cmd.timeout_ms = static_cast<uint32_t>(*n);
      } else if (a == "--type" && (n = krg::parse_int(v, 0, 255))) {
        p.cmd.type = static_cast<int>(*n);
      } else {
        return fail("bad value '" + std::string(v) + "' for " + std::string(a));
      }
      continue;
    }
    if (!a.empty() && a[0] == '-') return fail("unknown option '" + std::string(a) + "'");
    if (have_node) return fail("unexpected argument '" + std::string(a) + "'");
    have_node = true;
    if (a == "all") {
      p.cmd.all = true;
      continue;
    }
    if (auto n = krg::parse_int(a, 1, 255)) {
      p.cmd.node = static_cast<int>(*n);
      continue;
    }
    auto list = krg::parse_nodelist(a);
    if (!list || list->empty() || list->front() < 1 || list->back() > 255)
      return fail("bad node '" + std::string(a) + "' (want 1..255, a list like 1-3,5, or all)");
    p.cmd.nodes = *list;
  }
  if (!have_node) return fail("rpc ping needs NODES");
  if (p.cmd.oneway && (p.cmd.all || !p.cmd.nodes.empty()))
    return fail("--oneway pings go to one node");
  return p;
}

}  // namespace

Parsed parse(const std::vector<std::string_view>& args) {
  if (args.empty()) return fail("missing command");
  auto group = args[0];
  if (is_help(group)) return Parsed{};
  if (group == "help") {
    Parsed p;
    if (args.size() > 1) p.cmd.topic = std::string(args[1]);
    if (!p.cmd.topic.empty() && p.cmd.topic != "nodes" && p.cmd.topic != "cluster" &&
        p.cmd.topic != "rpc")
      return fail("no help topic '" + p.cmd.topic + "'");
    return p;
  }
  if (group == "nodes") return parse_status(group, Action::nodes_status, args);
  if (group == "cluster" && args.size() > 1 && args[1] == "key") return parse_key(args);
  if (group == "cluster") return parse_status(group, Action::cluster_status, args);
  if (group == "rpc") return parse_rpc(args);
  return fail("unknown command '" + std::string(group) + "'");
}

}  // namespace krgadm
