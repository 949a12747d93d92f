#include "krgcapset_cli.h"

#include <gtest/gtest.h>
#include <linux/krg_cap.h>

#include "caps.h"

using krgcapset::parse;

namespace {
krgcapset::Parsed p(std::initializer_list<std::string_view> a) { return parse({a}); }
constexpr uint32_t bit(int b) { return 1u << b; }
}  // namespace

TEST(CapList, RelativeChanges) {
  std::string err;
  auto c = krg::parse_caplist("+CAN_MIGRATE,-checkpointable", &err);
  ASSERT_TRUE(c) << err;
  EXPECT_TRUE(c->relative);
  EXPECT_EQ(c->apply(bit(KRG_CAP_CHECKPOINTABLE) | bit(KRG_CAP_CHANGE_KERRIGHED_CAP)),
            bit(KRG_CAP_CAN_MIGRATE) | bit(KRG_CAP_CHANGE_KERRIGHED_CAP));
}

TEST(CapList, AbsoluteListsAndNumbers) {
  std::string err;
  auto c = krg::parse_caplist("DISTANT_FORK,CAN_MIGRATE", &err);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->relative);
  EXPECT_EQ(c->apply(0x3f), bit(KRG_CAP_DISTANT_FORK) | bit(KRG_CAP_CAN_MIGRATE));
  EXPECT_EQ(krg::parse_caplist("0x09", &err)->apply(0), 9u);
  EXPECT_EQ(krg::parse_caplist("5", &err)->apply(0x3f), 5u);
  EXPECT_EQ(krg::parse_caplist("", &err)->apply(0x3f), 0u);
}

TEST(CapList, ErrorsNameTheBadToken) {
  std::string err;
  EXPECT_FALSE(krg::parse_caplist("+CAN_MIGRATE,-FLY", &err));
  EXPECT_EQ(err, "unknown capability 'FLY'");
  EXPECT_FALSE(krg::parse_caplist("CAN_MIGRATE,+DISTANT_FORK", &err));
  EXPECT_NE(err.find("'+DISTANT_FORK'"), std::string::npos);
  EXPECT_FALSE(krg::parse_caplist("CAN_MIGRATE,,DISTANT_FORK", &err));
  EXPECT_EQ(err, "empty capability name in the list");
  EXPECT_FALSE(krg::parse_caplist("CAN_MIGRATE,", &err));
  EXPECT_FALSE(krg::parse_caplist("0x40", &err));
  EXPECT_EQ(err, "capability mask '0x40' has unknown bits");
  EXPECT_FALSE(krg::parse_caplist("12abc", &err));
  EXPECT_EQ(err, "bad capability mask '12abc'");
}

TEST(CapNames, RoundTrip) {
  for (int b = 0; b < KRG_CAP_NR; ++b) EXPECT_EQ(krg::cap_bit(krg::cap_name(b)), b);
  EXPECT_EQ(krg::cap_names(0), "none");
  EXPECT_EQ(krg::cap_names(bit(KRG_CAP_CHECKPOINTABLE) | bit(KRG_CAP_CAN_MIGRATE)),
            "CAN_MIGRATE,CHECKPOINTABLE");
}

TEST(KrgcapsetCli, Options) {
  auto r = p({"-k", "42", "-e", "-CAN_MIGRATE", "--permitted=CHECKPOINTABLE", "-i+DISTANT_FORK",
              "-d", "0", "-f", "-s"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.opt.pid, 42);
  EXPECT_TRUE(r.opt.force && r.opt.show);
  EXPECT_TRUE(r.opt.effective->relative);
  EXPECT_EQ(r.opt.effective->remove, bit(KRG_CAP_CAN_MIGRATE));
  EXPECT_EQ(r.opt.permitted->apply(0x3f), bit(KRG_CAP_CHECKPOINTABLE));
  EXPECT_EQ(r.opt.inheritable_effective->add, bit(KRG_CAP_DISTANT_FORK));
  EXPECT_EQ(r.opt.inheritable_permitted->apply(0x3f), 0u);
  EXPECT_TRUE(p({"--help"}).opt.help);
  EXPECT_FALSE(p({}).opt.changes());
}

TEST(KrgcapsetCli, Rejects) {
  EXPECT_EQ(p({"-e", "+BOGUS"}).error, "unknown capability 'BOGUS'");
  EXPECT_EQ(p({"-e"}).error, "-e needs a capability list");
  EXPECT_EQ(p({"-k"}).error, "-k needs a PID");
  EXPECT_EQ(p({"-k", "x"}).error, "bad PID 'x'");
  EXPECT_EQ(p({"-e", "1", "-e", "2"}).error, "-e given twice");
  EXPECT_EQ(p({"-x"}).error, "unknown option '-x'");
}
