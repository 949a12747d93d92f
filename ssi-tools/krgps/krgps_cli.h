// krgps command line and output, apart from asking the kernel.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "client.h"

namespace krgps {

struct Options {
  bool help = false;
  bool json = false;
  int node = 0;  // 0: every node
};

struct Parsed {
  Options opt;
  std::string error;  // non-empty: usage error, exit 2
};

Parsed parse(const std::vector<std::string_view>& args);
extern const char kUsage[];

// A user's name, or its number when it has none.
using UserName = std::function<std::string(uint32_t uid)>;

// The processes (sorted by PID, on opt.node only if set) as a table or
// as one JSON object; nodes that did not answer are in the JSON, and in
// `unreachable` for the table's caller to report.
std::string table(krg::ProcList list, const Options& opt, const UserName& user);
std::string json(krg::ProcList list, const Options& opt, const UserName& user);
std::string unreachable(const krg::ProcList& list);

// Names from an /etc/passwd text.
UserName passwd_names(std::string_view passwd);

}  // namespace krgps
