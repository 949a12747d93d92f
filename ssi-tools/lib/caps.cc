#include "caps.h"

#include <linux/krg_cap.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace krg {

namespace {

constexpr std::array<const char*, KRG_CAP_NR> kNames = {
    "CHANGE_KERRIGHED_CAP", "CAN_MIGRATE",       "DISTANT_FORK",
    "CHECKPOINTABLE",       "USE_REMOTE_MEMORY", "SEE_LOCAL_PROC_STAT",
};

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

std::optional<uint32_t> parse_mask(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<int> cap_bit(std::string_view name) {
  for (int i = 0; i < KRG_CAP_NR; ++i)
    if (iequal(name, kNames[i])) return i;
  return std::nullopt;
}

std::string cap_name(int bit) {
  return bit >= 0 && bit < KRG_CAP_NR ? kNames[bit] : "bit" + std::to_string(bit);
}

std::string cap_names(uint32_t mask) {
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (!(mask & (1u << i))) continue;
    if (!out.empty()) out += ',';
    out += cap_name(i);
  }
  return out.empty() ? "none" : out;
}

std::optional<CapChange> parse_caplist(std::string_view text, std::string* error) {
  CapChange c;
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
    auto mask = parse_mask(text);
    if (!mask) {
      *error = "bad capability mask '" + std::string(text) + "'";
      return std::nullopt;
    }
    if (*mask & ~static_cast<uint32_t>(KRG_CAP_ALL)) {
      *error = "capability mask '" + std::string(text) + "' has unknown bits";
      return std::nullopt;
    }
    c.value = *mask;
    return c;
  }
  bool plain = false, signed_ = false;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    char sign = !item.empty() && (item[0] == '+' || item[0] == '-') ? item[0] : 0;
    auto name = sign ? item.substr(1) : item;
    auto bit = cap_bit(name);
    if (name.empty() || !bit) {
      *error = name.empty() ? "empty capability name in the list"
                            : "unknown capability '" + std::string(name) + "'";
      return std::nullopt;
    }
    (sign ? signed_ : plain) = true;
    if (plain && signed_) {
      *error = "'" + std::string(item) + "': a list is either +CAP/-CAP changes or plain names";
      return std::nullopt;
    }
    uint32_t m = 1u << *bit;
    if (sign == '+') c.add |= m;
    if (sign == '-') c.remove |= m;
    if (!sign) c.value |= m;
    if (comma != std::string_view::npos && text.empty()) {
      *error = "empty capability name in the list";
      return std::nullopt;
    }
  }
  c.relative = signed_;
  return c;
}

}  // namespace krg
