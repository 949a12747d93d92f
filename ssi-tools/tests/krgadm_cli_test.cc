#include "krgadm_cli.h"

#include <gtest/gtest.h>

using krgadm::Action;
using krgadm::parse;

namespace {
krgadm::Parsed p(std::initializer_list<std::string_view> a) { return parse({a}); }
}  // namespace

TEST(KrgadmCli, StatusCommands) {
  auto r = p({"nodes", "status"});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.action, Action::nodes_status);
  EXPECT_FALSE(r.cmd.json);
  r = p({"nodes", "status", "--json"});
  EXPECT_EQ(r.cmd.action, Action::nodes_status);
  EXPECT_TRUE(r.cmd.json);
  r = p({"cluster", "status"});
  EXPECT_EQ(r.cmd.action, Action::cluster_status);
}

TEST(KrgadmCli, HelpEverywhere) {
  EXPECT_EQ(p({"--help"}).cmd.action, Action::help);
  EXPECT_EQ(p({"-h"}).cmd.action, Action::help);
  EXPECT_EQ(p({"help", "rpc"}).cmd.topic, "rpc");
  auto r = p({"nodes", "--help"});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.action, Action::help);
  EXPECT_EQ(r.cmd.topic, "nodes");
  EXPECT_EQ(p({"nodes", "status", "--help"}).cmd.action, Action::help);
  EXPECT_EQ(p({"rpc", "ping", "2", "--help"}).cmd.action, Action::help);
  EXPECT_NE(krgadm::usage("rpc").find("rpc ping NODE"), std::string::npos);
}

TEST(KrgadmCli, RejectsBadUsage) {
  EXPECT_NE(p({}).error, "");
  EXPECT_NE(p({"frobnicate"}).error.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_NE(p({"nodes"}).error, "");
  EXPECT_NE(p({"nodes", "list"}).error.find("'list'"), std::string::npos);
  EXPECT_NE(p({"nodes", "status", "--yaml"}).error.find("--yaml"), std::string::npos);
  EXPECT_NE(p({"help", "bogus"}).error, "");
}

TEST(KrgadmCli, RpcPing) {
  auto r = p({"rpc", "ping", "3", "--size", "65536", "--count", "10", "--timeout", "500"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.action, Action::rpc_ping);
  EXPECT_EQ(r.cmd.node, 3);
  EXPECT_EQ(r.cmd.size, 65536u);
  EXPECT_EQ(r.cmd.count, 10u);
  EXPECT_EQ(r.cmd.timeout_ms, 500u);
  EXPECT_EQ(r.cmd.type, -1);
  r = p({"rpc", "ping", "--count=4", "2", "--json"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.node, 2);
  EXPECT_EQ(r.cmd.count, 4u);
  EXPECT_TRUE(r.cmd.json);
}

TEST(KrgadmCli, RpcPingNodeLists) {
  auto r = p({"rpc", "ping", "1-3,5"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.nodes, (std::vector<int>{1, 2, 3, 5}));
  EXPECT_FALSE(r.cmd.all);
  r = p({"rpc", "ping", "all", "--count", "2"});
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.cmd.all);
  EXPECT_TRUE(r.cmd.nodes.empty());
}

TEST(KrgadmCli, RpcPingOneway) {
  auto r = p({"rpc", "ping", "2", "--oneway", "--count", "50"});
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.cmd.oneway);
  EXPECT_EQ(p({"rpc", "ping", "all", "--oneway"}).error, "--oneway pings go to one node");
}

TEST(KrgadmCli, RpcPingRejects) {
  EXPECT_NE(p({"rpc", "ping"}).error.find("needs NODES"), std::string::npos);
  EXPECT_NE(p({"rpc", "ping", "0"}).error.find("bad node '0'"), std::string::npos);
  EXPECT_NE(p({"rpc", "ping", "0-2"}).error, "");
  EXPECT_NE(p({"rpc", "ping", "250-260"}).error, "");
  EXPECT_NE(p({"rpc", "ping", "1,"}).error, "");
  EXPECT_NE(p({"rpc", "ping", "256"}).error, "");
  EXPECT_NE(p({"rpc", "ping", "x"}).error, "");
  EXPECT_NE(p({"rpc", "ping", "2", "3"}).error.find("'3'"), std::string::npos);
  EXPECT_NE(p({"rpc", "ping", "2", "--count"}).error.find("needs a value"), std::string::npos);
  EXPECT_NE(p({"rpc", "ping", "2", "--count", "0"}).error.find("bad value"), std::string::npos);
  EXPECT_NE(p({"rpc", "ping", "2", "--size", "-1"}).error, "");
  EXPECT_NE(p({"rpc", "ping", "2", "--bogus"}).error.find("unknown option"), std::string::npos);
  EXPECT_NE(p({"rpc", "pong"}).error, "");
}

TEST(KrgadmCli, ClusterKey) {
  auto r = p({"cluster", "key", "set", "/etc/krg/cluster.key"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.action, Action::cluster_key_set);
  EXPECT_EQ(r.cmd.file, "/etc/krg/cluster.key");
  r = p({"cluster", "key", "generate", "new.key"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.action, Action::cluster_key_generate);
  EXPECT_EQ(r.cmd.file, "new.key");
  EXPECT_EQ(p({"cluster", "status"}).cmd.file, "");
}

TEST(KrgadmCli, ClusterKeyHelp) {
  for (auto r : {p({"cluster", "key", "--help"}), p({"cluster", "key", "-h"}),
                 p({"cluster", "key", "set", "--help"}), p({"cluster", "key", "set", "k", "-h"}),
                 p({"cluster", "key", "generate", "--help"}), p({"cluster", "--help"}),
                 p({"help", "cluster"})}) {
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.cmd.action, Action::help);
    EXPECT_EQ(r.cmd.topic, "cluster");
  }
  auto text = krgadm::usage("cluster");
  EXPECT_NE(text.find("krgadm cluster status"), std::string::npos);
  EXPECT_NE(text.find("krgadm cluster key set FILE"), std::string::npos);
  EXPECT_NE(text.find("krgadm cluster key generate FILE"), std::string::npos);
  EXPECT_NE(krgadm::usage("").find("krgadm cluster key set FILE"), std::string::npos);
}

TEST(KrgadmCli, ClusterKeyRejects) {
  EXPECT_EQ(p({"cluster", "key"}).error, "missing cluster key subcommand");
  EXPECT_EQ(p({"cluster", "key", "get"}).error, "unknown cluster key subcommand 'get'");
  EXPECT_EQ(p({"cluster", "key", "set"}).error, "cluster key set needs FILE");
  EXPECT_EQ(p({"cluster", "key", "generate"}).error, "cluster key generate needs FILE");
  EXPECT_EQ(p({"cluster", "key", "set", "a", "b"}).error, "unexpected argument 'b'");
  EXPECT_EQ(p({"cluster", "key", "set", "a", "--json"}).error, "unknown option '--json'");
  EXPECT_EQ(p({"cluster", "key", "generate", "-"}).error,
            "FILE '-' is not standard output: give a file name");
  EXPECT_EQ(p({"cluster", "key", "set", ""}).error, "FILE must not be empty");
  EXPECT_EQ(p({"cluster", "key", "set", "k"}).cmd.topic, "cluster");
  EXPECT_EQ(p({"cluster", "keys"}).error, "unknown cluster subcommand 'keys'");
  EXPECT_EQ(p({"cluster", "status", "key"}).error, "unexpected argument 'key'");
}

TEST(KrgadmCli, NodeEvacuate) {
  auto r = p({"node", "evacuate", "3"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.action, Action::node_evacuate);
  EXPECT_EQ(r.cmd.node, 3);
  EXPECT_FALSE(r.cmd.force);
  r = p({"node", "evacuate", "--force", "255"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.node, 255);
  EXPECT_TRUE(r.cmd.force);
  EXPECT_EQ(p({"node", "evacuate", "2", "--help"}).cmd.action, Action::help);
  EXPECT_EQ(p({"node", "--help"}).cmd.topic, "node");
  EXPECT_EQ(p({"help", "node"}).error, "");
  EXPECT_NE(krgadm::usage("node").find("node evacuate NODE [--force]"), std::string::npos);
}

TEST(KrgadmCli, NodeEvacuateRejects) {
  EXPECT_NE(p({"node"}).error.find("missing node subcommand"), std::string::npos);
  EXPECT_NE(p({"node", "remove", "2"}).error.find("'remove'"), std::string::npos);
  EXPECT_NE(p({"node", "evacuate"}).error.find("needs NODE"), std::string::npos);
  EXPECT_NE(p({"node", "evacuate", "0"}).error.find("bad node '0'"), std::string::npos);
  EXPECT_NE(p({"node", "evacuate", "256"}).error.find("bad node '256'"), std::string::npos);
  EXPECT_NE(p({"node", "evacuate", "2", "3"}).error.find("unexpected argument '3'"),
            std::string::npos);
  EXPECT_NE(p({"node", "evacuate", "2", "--now"}).error.find("--now"), std::string::npos);
}

TEST(KrgadmCli, Ha) {
  auto r = p({"ha", "load", "restart_scratch"});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.action, Action::ha_load);
  EXPECT_EQ(r.cmd.policy, "restart_scratch");
  r = p({"ha", "attach", "4194310", "restart_scratch", "max_restarts=3", "a=1"});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.cmd.action, Action::ha_attach);
  EXPECT_EQ(r.cmd.pid, 4194310);
  EXPECT_EQ(r.cmd.policy, "restart_scratch");
  EXPECT_EQ(r.cmd.params, "max_restarts=3 a=1");
  r = p({"ha", "detach", "4194310"});
  EXPECT_EQ(r.cmd.action, Action::ha_detach);
  EXPECT_EQ(r.cmd.pid, 4194310);
  r = p({"ha", "status", "--json"});
  EXPECT_EQ(r.cmd.action, Action::ha_status);
  EXPECT_TRUE(r.cmd.json);
  EXPECT_EQ(p({"ha", "attach", "--help"}).cmd.action, Action::help);
  EXPECT_EQ(p({"help", "ha"}).cmd.topic, "ha");
  EXPECT_NE(krgadm::usage("ha").find("krgadm ha attach PID POLICY"), std::string::npos);
}

TEST(KrgadmCli, HaRejects) {
  EXPECT_NE(p({"ha"}).error.find("missing ha subcommand"), std::string::npos);
  EXPECT_NE(p({"ha", "start"}).error.find("unknown ha subcommand 'start'"), std::string::npos);
  EXPECT_NE(p({"ha", "load"}).error.find("needs more arguments"), std::string::npos);
  EXPECT_NE(p({"ha", "attach", "12"}).error.find("needs more arguments"), std::string::npos);
  EXPECT_NE(p({"ha", "attach", "x", "p"}).error.find("bad PID 'x'"), std::string::npos);
  EXPECT_NE(p({"ha", "attach", "12", "p", "novalue"}).error.find("bad parameter 'novalue'"),
            std::string::npos);
  EXPECT_NE(p({"ha", "attach", "12", "p", "=1"}).error.find("bad parameter '=1'"),
            std::string::npos);
  EXPECT_NE(p({"ha", "detach", "12", "13"}).error.find("unexpected argument '13'"),
            std::string::npos);
  EXPECT_NE(p({"ha", "load", "--json", "x"}).error.find("unexpected option --json"),
            std::string::npos);
  EXPECT_NE(p({"ha", "status", "x"}).error.find("unexpected argument 'x'"), std::string::npos);
}
