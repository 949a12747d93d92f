#include "krgps_cli.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace {

krgps::Parsed parse(std::initializer_list<std::string_view> args) { return krgps::parse(args); }

krg::ProcInfo proc(int node, int pid, int ppid, uint32_t uid, std::vector<std::string> argv) {
  krg::ProcInfo p;
  p.node = node;
  p.pid = p.pgid = p.sid = pid;
  p.ppid = ppid;
  p.uid = uid;
  p.threads = 1;
  p.state = 'S';
  p.comm = argv.empty() ? "gone" : argv[0];
  p.argv = std::move(argv);
  return p;
}

krg::ProcList sample() {
  krg::ProcList l;
  l.processes = {proc(2, 8388609, 0, 1000, {"sleep", "100"}), proc(1, 4194306, 4194305, 0, {}),
                 proc(1, 4194305, 0, 0, {"sh"})};
  l.failed = {{3, 110}};
  return l;
}

std::string names(uint32_t uid) { return uid ? "u" + std::to_string(uid) : "root"; }

TEST(KrgpsCli, Options) {
  EXPECT_FALSE(parse({}).opt.json);
  EXPECT_TRUE(parse({"--json"}).opt.json);
  EXPECT_EQ(parse({"-n", "3"}).opt.node, 3);
  EXPECT_EQ(parse({"--node=255"}).opt.node, 255);
  EXPECT_TRUE(parse({"-h"}).opt.help);
  EXPECT_EQ(parse({"-n", "0"}).error, "-n needs a node id (1..255)");
  EXPECT_EQ(parse({"--node", "256"}).error, "--node needs a node id (1..255)");
  EXPECT_EQ(parse({"-n", "x"}).error, "-n needs a node id (1..255)");
  EXPECT_EQ(parse({"--yaml"}).error, "unknown option '--yaml'");
  EXPECT_EQ(parse({"1234"}).error, "unexpected argument '1234'");
}

TEST(KrgpsCli, TableIsSortedByPidWithZombiesInBrackets) {
  std::string t = krgps::table(sample(), {}, names);
  EXPECT_EQ(t,
            "       PID       PPID NODE USER     S THR COMMAND\n"
            "   4194305          0    1 root     S   1 sh\n"
            "   4194306    4194305    1 root     S   1 [gone]\n"
            "   8388609          0    2 u1000    S   1 sleep 100\n");
}

TEST(KrgpsCli, NodeFilter) {
  krgps::Options o;
  o.node = 2;
  std::string t = krgps::table(sample(), o, names);
  EXPECT_EQ(t.find("sh\n"), std::string::npos);
  EXPECT_NE(t.find("sleep 100"), std::string::npos);
}

TEST(KrgpsCli, Json) {
  auto j = nlohmann::json::parse(krgps::json(sample(), {}, names));
  ASSERT_EQ(j["processes"].size(), 3u);
  auto& p = j["processes"][2];
  EXPECT_EQ(p["pid"], 8388609);
  EXPECT_EQ(p["ppid"], 0);
  EXPECT_EQ(p["node"], 2);
  EXPECT_EQ(p["uid"], 1000);
  EXPECT_EQ(p["user"], "u1000");
  EXPECT_EQ(p["state"], "S");
  EXPECT_EQ(p["threads"], 1);
  EXPECT_EQ(p["cmdline"], nlohmann::json({"sleep", "100"}));
  ASSERT_EQ(j["unreachable"].size(), 1u);
  EXPECT_EQ(j["unreachable"][0]["node"], 3);
  EXPECT_EQ(j["unreachable"][0]["error"], "Connection timed out");
}

TEST(KrgpsCli, JsonTakesAnyBytes) {
  krg::ProcList l;
  l.processes = {proc(1, 4194305, 0, 0, {"a\xff"})};
  auto j = nlohmann::json::parse(krgps::json(l, {}, names));
  EXPECT_EQ(j["processes"][0]["cmdline"][0], "a\xef\xbf\xbd");
}

TEST(KrgpsCli, Unreachable) {
  EXPECT_EQ(krgps::unreachable(sample()), "node 3 did not answer: Connection timed out\n");
}

TEST(KrgpsCli, PasswdNames) {
  auto user =
      krgps::passwd_names("root:x:0:0::/root:/bin/sh\nbad\nnum:x:1x:0::/:\nuser:x:1000:1000::/:\n");
  EXPECT_EQ(user(0), "root");
  EXPECT_EQ(user(1000), "user");
  EXPECT_EQ(user(1), "1");
  EXPECT_EQ(user(42), "42");
}

}  // namespace
