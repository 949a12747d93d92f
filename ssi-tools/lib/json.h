// Minimal JSON output for --json: quoting and integer arrays.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace krg {

std::string json_quote(std::string_view s);
std::string json_int_array(const std::vector<int>& v);

}  // namespace krg
