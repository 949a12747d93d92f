// The cluster key file: one line of 2 * KRG_CLUSTER_KEY_LEN hexadecimal
// digits (an AES-256 key and a 4-byte salt), readable by root only.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace krg {

// The key in a key file's text: whitespace around it is allowed. On error,
// *error says what is wrong (never quoting the text: it may be a key).
std::optional<std::vector<uint8_t>> parse_cluster_key(std::string_view text, std::string* error);

// The key as a key file's line, without the newline.
std::string format_cluster_key(const std::vector<uint8_t>& key);

// "" if the file `path` with this stat data may hold a key: a regular
// file owned by root that no group or other user can read or write.
std::string check_key_file(const struct stat& st, const std::string& path);

}  // namespace krg
