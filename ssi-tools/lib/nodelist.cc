#include "nodelist.h"

#include <algorithm>
#include <charconv>

namespace krg {

std::optional<long> parse_int(std::string_view text, long lo, long hi) {
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < lo ||
      value > hi)
    return std::nullopt;
  return value;
}

std::optional<std::vector<int>> parse_nodelist(std::string_view text) {
  std::vector<int> nodes;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (comma != std::string_view::npos && text.empty()) return std::nullopt;
    auto dash = item.find('-');
    auto first = parse_int(item.substr(0, dash), 0, 1 << 20);
    auto last =
        dash == std::string_view::npos ? first : parse_int(item.substr(dash + 1), 0, 1 << 20);
    if (!first || !last || *last < *first) return std::nullopt;
    for (long n = *first; n <= *last; ++n) nodes.push_back(static_cast<int>(n));
  }
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  return nodes;
}

std::string format_nodelist(const std::vector<int>& nodes) {
  std::string out;
  for (size_t i = 0; i < nodes.size();) {
    size_t j = i;
    while (j + 1 < nodes.size() && nodes[j + 1] == nodes[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(nodes[i]);
    if (j > i) {
      out += '-';
      out += std::to_string(nodes[j]);
    }
    i = j + 1;
  }
  return out;
}

}  // namespace krg
