// Kerrighed capability names and the krgcapset list syntax.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace krg {

// Bit of a capability name (case-insensitive), or nullopt.
std::optional<int> cap_bit(std::string_view name);
std::string cap_name(int bit);
// "CHANGE_KERRIGHED_CAP,CAN_MIGRATE" (or "none").
std::string cap_names(uint32_t mask);

// One set's change as written on the command line:
//   "+CAP,-CAP"  add and remove (relative)
//   "CAP,CAP"    exactly these; "" is the empty set
//   "0x09", "9"  exactly this mask
struct CapChange {
  bool relative = false;
  uint32_t value = 0;  // absolute
  uint32_t add = 0, remove = 0;

  uint32_t apply(uint32_t current) const { return relative ? (current | add) & ~remove : value; }
};

// Parse a list; on error, *error names the bad token.
std::optional<CapChange> parse_caplist(std::string_view text, std::string* error);

}  // namespace krg
