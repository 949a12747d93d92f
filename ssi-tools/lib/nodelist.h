// Node lists in the kernel's list format ("1-3,5").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace krg {

// Parse "1-3,5" into sorted, unique node ids; nullopt if malformed.
std::optional<std::vector<int>> parse_nodelist(std::string_view text);

// Format sorted ids as "1-3,5".
std::string format_nodelist(const std::vector<int>& nodes);

// Parse one integer in [lo, hi]; nullopt if not exactly that.
std::optional<long> parse_int(std::string_view text, long lo, long hi);

}  // namespace krg
