#include "cr_cli.h"

#include <gtest/gtest.h>
#include <linux/krg_netlink.h>

namespace {

using Args = std::vector<std::string_view>;

TEST(CheckpointCli, DefaultsToResumeAndADirectoryNamedAfterThePid) {
  auto p = krg::parse_checkpoint(Args{"4194305"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.opt.pid, 4194305);
  EXPECT_EQ(p.opt.flags, 0u);
  EXPECT_EQ(p.opt.dir, "checkpoint-4194305");
}

TEST(CheckpointCli, TakesEveryOption) {
  auto p =
      krg::parse_checkpoint(Args{"--kill", "--ignore-unsupported", "-o", "/krg/shared/x", "7"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.opt.flags, unsigned(KRG_CR_KILL | KRG_CR_IGNORE_UNSUPPORTED));
  EXPECT_EQ(p.opt.dir, "/krg/shared/x");
  EXPECT_EQ(krg::parse_checkpoint(Args{"-s", "7"}).opt.flags, unsigned(KRG_CR_STOP));
  EXPECT_TRUE(krg::parse_checkpoint(Args{"--help"}).opt.help);
}

TEST(CheckpointCli, TakesOptionsAsGetoptDoes) {
  auto p = krg::parse_checkpoint(Args{"7", "--output=img", "-k"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.opt.pid, 7);
  EXPECT_EQ(p.opt.dir, "img");
  EXPECT_EQ(p.opt.flags, unsigned(KRG_CR_KILL));
  EXPECT_EQ(krg::parse_checkpoint(Args{"-ks", "-oimg", "7"}).error,
            "--kill and --stop exclude each other");
  EXPECT_EQ(krg::parse_checkpoint(Args{"-oimg", "7"}).opt.dir, "img");
  EXPECT_EQ(krg::parse_checkpoint(Args{"--", "-7"}).error, "'-7' is not a PID");
  EXPECT_EQ(krg::parse_checkpoint(Args{"--kill=1", "7"}).error, "--kill takes no value");
}

TEST(CheckpointCli, RejectsBadInputByName) {
  EXPECT_EQ(krg::parse_checkpoint(Args{}).error, "which PID?");
  EXPECT_EQ(krg::parse_checkpoint(Args{"12x"}).error, "'12x' is not a PID");
  EXPECT_EQ(krg::parse_checkpoint(Args{"0"}).error, "'0' is not a PID");
  EXPECT_EQ(krg::parse_checkpoint(Args{"1", "2"}).error, "one PID only ('2')");
  EXPECT_EQ(krg::parse_checkpoint(Args{"--kill", "--stop", "1"}).error,
            "--kill and --stop exclude each other");
  EXPECT_EQ(krg::parse_checkpoint(Args{"-x", "1"}).error, "unknown option '-x'");
  EXPECT_EQ(krg::parse_checkpoint(Args{"1", "-o"}).error, "-o needs a directory");
}

TEST(CrResult, CountsProcessesAndTheirThreads) {
  EXPECT_EQ(krg::tree_size(1, 1), "1 process");
  EXPECT_EQ(krg::tree_size(8, 8), "8 processes");
  EXPECT_EQ(krg::tree_size(1, 4), "1 process, 4 threads");
}

TEST(RestartCli, TakesADirectoryAndOptions) {
  auto p = krg::parse_restart(Args{"--stopped", "--node", "2", "img"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.opt.dir, "img");
  EXPECT_EQ(p.opt.node, 2);
  EXPECT_EQ(p.opt.flags, unsigned(KRG_CR_STOPPED));
  EXPECT_TRUE(krg::parse_restart(Args{"-w", "img"}).opt.wait);
  EXPECT_EQ(krg::parse_restart(Args{"--eager", "img"}).opt.flags, unsigned(KRG_CR_EAGER));
  EXPECT_EQ(krg::parse_restart(Args{"--trust", "img"}).opt.flags, unsigned(KRG_CR_TRUST));
}

TEST(RestartCli, RejectsBadInputByName) {
  EXPECT_EQ(krg::parse_restart(Args{}).error, "which image directory?");
  EXPECT_EQ(krg::parse_restart(Args{"a", "b"}).error, "one image directory only ('b')");
  EXPECT_EQ(krg::parse_restart(Args{"--node", "0", "a"}).error, "--node needs a node id (1..255)");
  EXPECT_EQ(krg::parse_restart(Args{"--node", "256", "a"}).error,
            "--node needs a node id (1..255)");
  EXPECT_EQ(krg::parse_restart(Args{"--wait", "--stopped", "a"}).error,
            "--wait and --stopped exclude each other");
}

TEST(MigrateCli, TakesAPidANodeAndTree) {
  auto p = krg::parse_migrate(Args{"--tree", "42", "3"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.opt.pid, 42);
  EXPECT_EQ(p.opt.node, 3);
  EXPECT_EQ(p.opt.flags, unsigned(KRG_CR_TREE));
  EXPECT_EQ(krg::parse_migrate(Args{"42", "3"}).opt.flags, 0u);
  EXPECT_TRUE(krg::parse_migrate(Args{"-h"}).opt.help);
  EXPECT_TRUE(krg::parse_migrate(Args{"--stats", "42", "3"}).opt.stats);
}

TEST(MigrateCli, RejectsBadInputByName) {
  EXPECT_EQ(krg::parse_migrate(Args{}).error, "which PID?");
  EXPECT_EQ(krg::parse_migrate(Args{"42"}).error, "to which node?");
  EXPECT_EQ(krg::parse_migrate(Args{"x", "3"}).error, "'x' is not a PID");
  EXPECT_EQ(krg::parse_migrate(Args{"42", "0"}).error, "'0' is not a node id (1..255)");
  EXPECT_EQ(krg::parse_migrate(Args{"42", "256"}).error, "'256' is not a node id (1..255)");
  EXPECT_EQ(krg::parse_migrate(Args{"42", "3", "4"}).error, "one PID and one node only ('4')");
}

}  // namespace
