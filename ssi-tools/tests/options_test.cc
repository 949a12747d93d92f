#include "options.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace {

using Args = std::vector<std::string_view>;

constexpr krg::Option kOptions[] = {
    {"kill", 'k'},
    {"output", 'o', "a directory"},
    {"json"},
    {"count", 0, "a number"},
};

TEST(Options, OptionsAndOperandsInOrder) {
  auto p = krg::parse_options(Args{"12", "-k", "--output", "d", "--count=3", "x"}, kOptions);
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.args.size(), 5u);
  EXPECT_EQ(p.args[0].option, nullptr);
  EXPECT_EQ(p.args[0].value, "12");
  EXPECT_TRUE(p.args[1].is("kill"));
  EXPECT_EQ(p.args[1].flag, "-k");
  EXPECT_TRUE(p.args[2].is("output"));
  EXPECT_EQ(p.args[2].value, "d");
  EXPECT_EQ(p.args[2].flag, "--output");
  EXPECT_TRUE(p.args[3].is("count"));
  EXPECT_EQ(p.args[3].value, "3");
  EXPECT_EQ(p.args[4].option, nullptr);
  EXPECT_EQ(p.args[4].value, "x");
}

TEST(Options, OperandsAfterOptionsEvenWhenPosixlyCorrect) {
  setenv("POSIXLY_CORRECT", "1", 1);
  auto p = krg::parse_options(Args{"12", "-k"}, kOptions);
  unsetenv("POSIXLY_CORRECT");
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.args.size(), 2u);
  EXPECT_TRUE(p.args[1].is("kill"));
}

TEST(Options, ShortValueJoinedAndDashDash) {
  auto p = krg::parse_options(Args{"-odir", "--", "-k"}, kOptions);
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.args.size(), 2u);
  EXPECT_EQ(p.args[0].value, "dir");
  EXPECT_EQ(p.args[1].option, nullptr);
  EXPECT_EQ(p.args[1].value, "-k");
}

TEST(Options, ValuesOutliveTheParse) {
  std::string owned = "--output=somewhere/long/enough/to/be/on/the/heap";
  auto p = krg::parse_options(Args{owned}, kOptions);
  ASSERT_EQ(p.args.size(), 1u);
  EXPECT_EQ(p.args[0].value.data(), owned.data() + 9);
}

TEST(Options, Errors) {
  EXPECT_EQ(krg::parse_options(Args{"-x"}, kOptions).error, "unknown option '-x'");
  EXPECT_EQ(krg::parse_options(Args{"--kill", "-zk"}, kOptions).error, "unknown option '-z'");
  EXPECT_EQ(krg::parse_options(Args{"--json", "-kz"}, kOptions).error, "unknown option '-z'");
  EXPECT_EQ(krg::parse_options(Args{"--bogus=1"}, kOptions).error, "unknown option '--bogus'");
  EXPECT_EQ(krg::parse_options(Args{"-o"}, kOptions).error, "-o needs a directory");
  EXPECT_EQ(krg::parse_options(Args{"--output"}, kOptions).error, "--output needs a directory");
  EXPECT_EQ(krg::parse_options(Args{"--count"}, kOptions).error, "--count needs a number");
  EXPECT_EQ(krg::parse_options(Args{"--json=1"}, kOptions).error, "--json takes no value");
}

TEST(Options, ParsesAgainAfterAnError) {
  EXPECT_NE(krg::parse_options(Args{"-k", "-x", "a"}, kOptions).error, "");
  auto p = krg::parse_options(Args{"a", "-k"}, kOptions);
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.args.size(), 2u);
  EXPECT_TRUE(p.args[1].is("kill"));
}

}  // namespace
