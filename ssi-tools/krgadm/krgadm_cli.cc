#include "krgadm_cli.h"

#include "nodelist.h"
#include "options.h"

namespace krgadm {

std::string usage(std::string_view topic) {
  std::string nodes =
      "  krgadm nodes status [--json]\n"
      "      List every node known to this one: online, unreachable, self.\n";
  std::string node =
      "  krgadm node evacuate NODE [--force]\n"
      "      Migrate every cluster process off NODE, in parallel, to the other\n"
      "      online nodes, then take NODE out of the cluster (needs CAP_SYS_ADMIN).\n"
      "      A process that cannot move is named, and NODE stays, unless --force:\n"
      "      then that process is killed, and NODE leaves.\n";
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
  std::string ha =
      "  krgadm ha load POLICY\n"
      "      Load the HA policy module krg_ha_POLICY on every online node, and on\n"
      "      nodes that join later (needs CAP_SYS_MODULE).\n"
      "  krgadm ha attach PID POLICY [KEY=VALUE...]\n"
      "      Protect the process tree of cluster PID with POLICY, from any node.\n"
      "      Needs the rights a checkpoint of PID needs (ptrace, CHECKPOINTABLE).\n"
      "  krgadm ha detach ID\n"
      "      Stop protecting application ID (its root's PID when attached).\n"
      "  krgadm ha status [--json]\n"
      "      Policies loaded, and every application: policy, parameters, state,\n"
      "      root, nodes it runs on, recoveries so far.\n";
  std::string head = "usage:\n";
  if (topic == "nodes") return head + nodes;
  if (topic == "node") return head + node;
  if (topic == "cluster") return head + cluster;
  if (topic == "rpc") return head + rpc;
  if (topic == "ha") return head + ha;
  return "krgadm: administer a krg cluster from any of its nodes.\n\n" + head + nodes + node +
         cluster + rpc + ha +
         "  krgadm help [nodes|node|cluster|rpc|ha]\n\n"
         "Exit status: 0 success, 1 the request failed, 2 bad usage.\n";
}

namespace {

Parsed fail(std::string msg) {
  Parsed p;
  p.error = std::move(msg);
  return p;
}

bool is_help(std::string_view a) { return a == "--help" || a == "-h"; }

using Args = std::vector<std::string_view>;

// The options and operands after a command's words.
krg::ParsedArgs tail(const Args& args, size_t words, std::span<const krg::Option> options) {
  return krg::parse_options(Args(args.begin() + static_cast<long>(words), args.end()), options);
}

constexpr krg::Option kStatusOptions[] = {{"help", 'h'}, {"json"}};

// "status [--json]" for the nodes and cluster groups.
Parsed parse_status(std::string_view group, Action action, const Args& args) {
  Parsed p;
  p.cmd.topic = std::string(group);
  if (args.size() < 2) return fail("missing " + std::string(group) + " subcommand");
  if (is_help(args[1])) return p;
  if (args[1] != "status")
    return fail("unknown " + std::string(group) + " subcommand '" + std::string(args[1]) + "'");
  p.cmd.action = action;
  auto parsed = tail(args, 2, kStatusOptions);
  if (!parsed.error.empty()) return fail(parsed.error);
  for (const auto& a : parsed.args) {
    if (a.is("help"))
      p.cmd.action = Action::help;
    else if (a.is("json"))
      p.cmd.json = true;
    else
      return fail("unexpected argument '" + std::string(a.value) + "'");
  }
  return p;
}

constexpr krg::Option kKeyOptions[] = {{"help", 'h'}};

// "key set FILE" and "key generate FILE" in the cluster group.
Parsed parse_key(const Args& args) {
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
  auto parsed = tail(args, 3, kKeyOptions);
  if (!parsed.error.empty()) return fail(parsed.error);
  bool have_file = false;
  for (const auto& a : parsed.args) {
    if (a.is("help")) {
      p.cmd.action = Action::help;
      return p;
    }
    if (a.value.empty()) return fail("FILE must not be empty");
    if (a.value == "-")
      return fail(std::string("FILE '-' is not standard ") +
                  (args[2] == "set" ? "input" : "output") + ": give a file name");
    if (have_file) return fail("unexpected argument '" + std::string(a.value) + "'");
    have_file = true;
    p.cmd.file = std::string(a.value);
  }
  if (!have_file) return fail("cluster key " + std::string(args[2]) + " needs FILE");
  return p;
}

constexpr krg::Option kPingOptions[] = {
    {"help", 'h'},
    {"json"},
    {"oneway"},
    {"size", 0, "a value"},
    {"count", 0, "a value"},
    {"timeout", 0, "a value"},
    {"type", 0, "a value"},
};

// NODES of rpc ping: one node, a list, or all.
std::string parse_nodes(std::string_view a, Command* cmd) {
  if (a == "all") {
    cmd->all = true;
  } else if (auto n = krg::parse_int(a, 1, 255)) {
    cmd->node = static_cast<int>(*n);
  } else {
    auto list = krg::parse_nodelist(a);
    if (!list || list->empty() || list->front() < 1 || list->back() > 255)
      return "bad node '" + std::string(a) + "' (want 1..255, a list like 1-3,5, or all)";
    cmd->nodes = *list;
  }
  return "";
}

Parsed parse_rpc(const Args& args) {
  Parsed p;
  p.cmd.topic = "rpc";
  if (args.size() < 2) return fail("missing rpc subcommand");
  if (is_help(args[1])) return p;
  if (args[1] != "ping") return fail("unknown rpc subcommand '" + std::string(args[1]) + "'");
  p.cmd.action = Action::rpc_ping;
  auto parsed = tail(args, 2, kPingOptions);
  if (!parsed.error.empty()) return fail(parsed.error);
  bool have_node = false;
  for (const auto& a : parsed.args) {
    std::optional<long> n;
    if (a.is("help")) {
      p.cmd.action = Action::help;
      return p;
    } else if (a.is("json")) {
      p.cmd.json = true;
    } else if (a.is("oneway")) {
      p.cmd.oneway = true;
    } else if (a.is("size") && (n = krg::parse_int(a.value, 0, 64L << 20))) {
      p.cmd.size = static_cast<uint32_t>(*n);
    } else if (a.is("count") && (n = krg::parse_int(a.value, 1, 100000))) {
      p.cmd.count = static_cast<uint32_t>(*n);
    } else if (a.is("timeout") && (n = krg::parse_int(a.value, 1, 600000))) {
      p.cmd.timeout_ms = static_cast<uint32_t>(*n);
    } else if (a.is("type") && (n = krg::parse_int(a.value, 0, 255))) {
      p.cmd.type = static_cast<int>(*n);
    } else if (a.option) {
      return fail("bad value '" + std::string(a.value) + "' for " + a.flag);
    } else if (have_node) {
      return fail("unexpected argument '" + std::string(a.value) + "'");
    } else if (auto err = parse_nodes(a.value, &p.cmd); !err.empty()) {
      return fail(err);
    } else {
      have_node = true;
    }
  }
  if (!have_node) return fail("rpc ping needs NODES");
  if (p.cmd.oneway && (p.cmd.all || !p.cmd.nodes.empty()))
    return fail("--oneway pings go to one node");
  return p;
}

constexpr krg::Option kEvacuateOptions[] = {{"help", 'h'}, {"force"}};

Parsed parse_node(const Args& args) {
  Parsed p;
  p.cmd.topic = "node";
  if (args.size() < 2) return fail("missing node subcommand");
  if (is_help(args[1])) return p;
  if (args[1] != "evacuate") return fail("unknown node subcommand '" + std::string(args[1]) + "'");
  p.cmd.action = Action::node_evacuate;
  auto parsed = tail(args, 2, kEvacuateOptions);
  if (!parsed.error.empty()) return fail(parsed.error);
  for (const auto& a : parsed.args) {
    if (a.is("help")) {
      p.cmd.action = Action::help;
      return p;
    } else if (a.is("force")) {
      p.cmd.force = true;
    } else if (p.cmd.node) {
      return fail("unexpected argument '" + std::string(a.value) + "'");
    } else if (auto n = krg::parse_int(a.value, 1, 255)) {
      p.cmd.node = static_cast<int>(*n);
    } else {
      return fail("bad node '" + std::string(a.value) + "' (want 1..255)");
    }
  }
  if (!p.cmd.node) return fail("node evacuate needs NODE");
  return p;
}

constexpr krg::Option kHaOptions[] = {{"help", 'h'}, {"json"}};

Parsed parse_ha(const Args& args) {
  Parsed p;
  p.cmd.topic = "ha";
  if (args.size() < 2) return fail("missing ha subcommand");
  if (is_help(args[1])) return p;
  auto sub = args[1];
  if (sub == "load")
    p.cmd.action = Action::ha_load;
  else if (sub == "attach")
    p.cmd.action = Action::ha_attach;
  else if (sub == "detach")
    p.cmd.action = Action::ha_detach;
  else if (sub == "status")
    p.cmd.action = Action::ha_status;
  else
    return fail("unknown ha subcommand '" + std::string(sub) + "'");
  auto parsed = tail(args, 2, kHaOptions);
  if (!parsed.error.empty()) return fail(parsed.error);
  std::vector<std::string_view> words;
  for (const auto& a : parsed.args) {
    if (a.is("help")) {
      p.cmd.action = Action::help;
      return p;
    }
    if (a.is("json") && sub == "status")
      p.cmd.json = true;
    else if (a.option)
      return fail("unexpected option " + a.flag);
    else
      words.push_back(a.value);
  }
  size_t want = sub == "status" ? 0 : sub == "attach" ? 2 : 1;
  if (words.size() < want) return fail("ha " + std::string(sub) + " needs more arguments");
  if (words.size() > want && sub != "attach")
    return fail("unexpected argument '" + std::string(words[want]) + "'");
  if (sub == "load") p.cmd.policy = std::string(words[0]);
  if (sub == "attach" || sub == "detach") {
    auto n = krg::parse_int(words[0], 1, 0x7fffffff);
    if (!n) return fail("bad PID '" + std::string(words[0]) + "'");
    p.cmd.pid = static_cast<int>(*n);
  }
  if (sub == "attach") {
    p.cmd.policy = std::string(words[1]);
    for (size_t i = 2; i < words.size(); i++) {
      auto w = words[i];
      auto eq = w.find('=');
      if (eq == 0 || eq == std::string_view::npos || w.find(' ') != std::string_view::npos)
        return fail("bad parameter '" + std::string(w) + "' (want KEY=VALUE)");
      if (!p.cmd.params.empty()) p.cmd.params += ' ';
      p.cmd.params += w;
    }
  }
  if (!p.cmd.policy.empty() && p.cmd.policy.size() > 31)
    return fail("policy name '" + p.cmd.policy + "' is longer than 31 characters");
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
    if (!p.cmd.topic.empty() && p.cmd.topic != "nodes" && p.cmd.topic != "node" &&
        p.cmd.topic != "cluster" && p.cmd.topic != "rpc" && p.cmd.topic != "ha")
      return fail("no help topic '" + p.cmd.topic + "'");
    return p;
  }
  if (group == "nodes") return parse_status(group, Action::nodes_status, args);
  if (group == "cluster" && args.size() > 1 && args[1] == "key") return parse_key(args);
  if (group == "cluster") return parse_status(group, Action::cluster_status, args);
  if (group == "rpc") return parse_rpc(args);
  if (group == "node") return parse_node(args);
  if (group == "ha") return parse_ha(args);
  return fail("unknown command '" + std::string(group) + "'");
}

}  // namespace krgadm
