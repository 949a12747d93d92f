#include "json.h"

#include <gtest/gtest.h>

TEST(Json, QuotesSpecialCharacters) {
  EXPECT_EQ(krg::json_quote("eth0"), "\"eth0\"");
  EXPECT_EQ(krg::json_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(krg::json_quote(std::string_view("\x01", 1)), "\"\\u0001\"");
}

TEST(Json, IntArrays) {
  EXPECT_EQ(krg::json_int_array({}), "[]");
  EXPECT_EQ(krg::json_int_array({1, 2, 3}), "[1,2,3]");
}
