#include "nodelist.h"

#include <gtest/gtest.h>

using krg::format_nodelist;
using krg::parse_int;
using krg::parse_nodelist;

TEST(NodeList, FormatsRanges) {
  EXPECT_EQ(format_nodelist({}), "");
  EXPECT_EQ(format_nodelist({4}), "4");
  EXPECT_EQ(format_nodelist({1, 2, 3, 5}), "1-3,5");
  EXPECT_EQ(format_nodelist({1, 3, 4, 200, 201, 202}), "1,3-4,200-202");
}

TEST(NodeList, ParsesKernelFormat) {
  EXPECT_EQ(parse_nodelist(""), std::vector<int>{});
  EXPECT_EQ(parse_nodelist("1-3,5"), (std::vector<int>{1, 2, 3, 5}));
  EXPECT_EQ(parse_nodelist("5,1-2,2"), (std::vector<int>{1, 2, 5}));
}

TEST(NodeList, RejectsMalformed) {
  EXPECT_FALSE(parse_nodelist("3-1"));
  EXPECT_FALSE(parse_nodelist("1,"));
  EXPECT_FALSE(parse_nodelist(",1"));
  EXPECT_FALSE(parse_nodelist("a"));
  EXPECT_FALSE(parse_nodelist("1--2"));
  EXPECT_FALSE(parse_nodelist("-1"));
}

TEST(NodeList, RoundTrips) {
  std::vector<int> v{1, 2, 3, 7, 9, 10, 255};
  EXPECT_EQ(parse_nodelist(format_nodelist(v)), v);
}

TEST(ParseInt, Bounds) {
  EXPECT_EQ(parse_int("7", 1, 255), 7);
  EXPECT_FALSE(parse_int("0", 1, 255));
  EXPECT_FALSE(parse_int("256", 1, 255));
  EXPECT_FALSE(parse_int("", 1, 255));
  EXPECT_FALSE(parse_int("7x", 1, 255));
  EXPECT_FALSE(parse_int(" 7", 1, 255));
}
