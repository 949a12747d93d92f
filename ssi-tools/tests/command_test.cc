#include "command.h"

#include <gtest/gtest.h>

namespace {
std::optional<int> index(std::vector<const char*> args, int* status) {
  args.insert(args.begin(), "prog");
  args.push_back(nullptr);
  return krg::command_index(static_cast<int>(args.size()) - 1, const_cast<char**>(args.data()),
                            "prog", "usage\n", status);
}
}  // namespace

TEST(CommandIndex, FindsTheCommand) {
  int status = -1;
  EXPECT_EQ(index({"true"}, &status), 1);
  EXPECT_EQ(index({"--", "sh", "-c", "x"}, &status), 2);
  EXPECT_EQ(index({"--", "--help"}, &status), 2);  // after --, --help is the command
}

TEST(CommandIndex, HelpAndMissingCommand) {
  int status = -1;
  EXPECT_FALSE(index({"--help"}, &status));
  EXPECT_EQ(status, 0);
  EXPECT_FALSE(index({}, &status));
  EXPECT_EQ(status, 2);
  EXPECT_FALSE(index({"--"}, &status));
  EXPECT_EQ(status, 2);
}
