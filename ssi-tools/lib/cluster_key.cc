#include "cluster_key.h"

#include <linux/krg_netlink.h>

namespace krg {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::optional<std::vector<uint8_t>> parse_cluster_key(std::string_view text, std::string* error) {
  const std::string want = "want " + std::to_string(2 * KRG_CLUSTER_KEY_LEN) +
                           " hexadecimal digits (" + std::to_string(KRG_CLUSTER_KEY_LEN) +
                           " bytes) on one line";
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty()) {
    *error = "no key: " + want;
    return std::nullopt;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      *error = "the key is on more than one line: " + want;
      return std::nullopt;
    }
    if (hex_value(text[i]) < 0) {
      *error =
          "character " + std::to_string(i + 1) + " of the key is not a hexadecimal digit: " + want;
      return std::nullopt;
    }
  }
  if (text.size() != 2 * KRG_CLUSTER_KEY_LEN) {
    *error = "the key has " + std::to_string(text.size()) + " hexadecimal digits: " + want;
    return std::nullopt;
  }
  std::vector<uint8_t> key(KRG_CLUSTER_KEY_LEN);
  for (size_t i = 0; i < key.size(); ++i)
    key[i] = static_cast<uint8_t>(hex_value(text[2 * i]) << 4 | hex_value(text[2 * i + 1]));
  return key;
}

std::string format_cluster_key(const std::vector<uint8_t>& key) {
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t b : key) {
    text += digits[b >> 4];
    text += digits[b & 15];
  }
  return text;
}

std::string check_key_file(const struct stat& st, const std::string& path) {
  if (!S_ISREG(st.st_mode)) return path + " is not a regular file";
  if (st.st_uid != 0) return path + " is not owned by root: chown root " + path;
  if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH))
    return path + " is readable or writable by other users: chmod 0400 " + path;
  return "";
}

}  // namespace krg
