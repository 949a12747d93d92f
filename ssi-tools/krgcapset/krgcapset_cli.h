// krgcapset command line, parsed apart from running it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caps.h"

namespace krgcapset {

struct Options {
  bool help = false;
  bool show = false;
  bool force = false;
  int pid = 0;  // 0: the parent of krgcapset (the calling shell)
  std::optional<krg::CapChange> effective, permitted, inheritable_effective, inheritable_permitted;

  bool changes() const {
    return effective || permitted || inheritable_effective || inheritable_permitted;
  }
};

struct Parsed {
  Options opt;
  std::string error;  // non-empty: usage error, exit 2
};

Parsed parse(const std::vector<std::string_view>& args);
extern const char kUsage[];

}  // namespace krgcapset
