// One command-line parser for every tool: getopt_long over an argument
// list, with its errors worded alike and nothing printed.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace krg {

struct Option {
  const char* name;             // the long name, without "--"
  char short_name = 0;          // 0: long only
  const char* value = nullptr;  // what the option takes ("a PID"); nullptr: nothing
};

struct Arg {
  const Option* option;  // nullptr: an operand
  std::string_view value;
  std::string flag;  // as given: "-o" or "--output"

  bool is(std::string_view name) const { return option && name == option->name; }
};

struct ParsedArgs {
  std::vector<Arg> args;  // options and operands in the order given
  std::string error;      // non-empty: a usage error
};

// As GNU getopt_long: options may follow operands, "--" ends them,
// "--name=value", "-xVALUE", bundles ("-ks") and unambiguous prefixes of
// long names work.
// Errors: "unknown option '-x'", "-o needs a directory".
ParsedArgs parse_options(const std::vector<std::string_view>& args,
                         std::span<const Option> options);

}  // namespace krg
