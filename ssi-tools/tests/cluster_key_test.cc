#include "cluster_key.h"

#include <gtest/gtest.h>

#include <cctype>

using krg::check_key_file;
using krg::format_cluster_key;
using krg::parse_cluster_key;

namespace {

const std::string kKey =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "deadBEEF";

std::string error_of(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_cluster_key(text, &error)) << text;
  return error;
}

struct stat file(mode_t mode, uid_t uid = 0) {
  struct stat st = {};
  st.st_mode = mode;
  st.st_uid = uid;
  return st;
}

}  // namespace

TEST(ClusterKey, Parses) {
  std::string error;
  auto key = parse_cluster_key(kKey, &error);
  ASSERT_TRUE(key) << error;
  ASSERT_EQ(key->size(), 36u);
  for (int i = 0; i < 32; ++i) EXPECT_EQ((*key)[i], i);
  EXPECT_EQ((*key)[32], 0xde);
  EXPECT_EQ((*key)[33], 0xad);
  EXPECT_EQ((*key)[34], 0xbe);
  EXPECT_EQ((*key)[35], 0xef);
  // Whitespace and a newline around the line.
  EXPECT_EQ(parse_cluster_key(kKey + "\n", &error), key);
  EXPECT_EQ(parse_cluster_key("  \t" + kKey + " \r\n\n", &error), key);
}

TEST(ClusterKey, FormatRoundTrip) {
  std::vector<uint8_t> key(36);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(255 - 7 * i);
  auto text = format_cluster_key(key);
  EXPECT_EQ(text.size(), 72u);
  EXPECT_EQ(text.substr(0, 6), "fff8f1");
  EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), std::string::npos);
  std::string error;
  EXPECT_EQ(parse_cluster_key(text, &error), key);
  std::string lower = kKey;
  for (auto& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(format_cluster_key(*parse_cluster_key(kKey, &error)), lower);
}

TEST(ClusterKey, RejectsBadLengths) {
  EXPECT_EQ(error_of(""), "no key: want 72 hexadecimal digits (36 bytes) on one line");
  EXPECT_NE(error_of(" \n").find("no key"), std::string::npos);
  EXPECT_NE(error_of(kKey.substr(0, 64)).find("the key has 64 hexadecimal digits"),
            std::string::npos);
  EXPECT_NE(error_of(kKey.substr(0, 71)).find("has 71"), std::string::npos);
  EXPECT_NE(error_of(kKey + "0").find("has 73"), std::string::npos);
  EXPECT_NE(error_of(kKey + kKey).find("has 144"), std::string::npos);
}

TEST(ClusterKey, RejectsBadHex) {
  std::string bad = kKey;
  bad[10] = 'g';
  EXPECT_EQ(error_of(bad),
            "character 11 of the key is not a hexadecimal digit: want 72 hexadecimal digits (36 "
            "bytes) on one line");
  EXPECT_NE(error_of("0x" + kKey.substr(2)).find("character 2 "), std::string::npos);
  EXPECT_NE(error_of(kKey.substr(0, 36) + " " + kKey.substr(36)).find("character 37 "),
            std::string::npos);
  EXPECT_NE(error_of(kKey.substr(0, 36) + "\n" + kKey.substr(36)).find("more than one line"),
            std::string::npos);
  bad = kKey;
  bad[71] = '\0';
  EXPECT_NE(error_of(bad).find("character 72 "), std::string::npos);
  // The error never quotes the file, which may hold a key.
  EXPECT_EQ(error_of(bad).find("dead"), std::string::npos);
}

TEST(ClusterKey, FileMode) {
  EXPECT_EQ(check_key_file(file(S_IFREG | 0400), "k"), "");
  EXPECT_EQ(check_key_file(file(S_IFREG | 0600), "k"), "");
  EXPECT_EQ(check_key_file(file(S_IFREG | 0700), "k"), "");
  for (mode_t m : {0440, 0420, 0404, 0402, 0644, 0666, 0460}) {
    EXPECT_EQ(check_key_file(file(S_IFREG | m), "/etc/krg/cluster.key"),
              "/etc/krg/cluster.key is readable or writable by other users: chmod 0400 "
              "/etc/krg/cluster.key")
        << std::oct << m;
  }
}

TEST(ClusterKey, FileOwnerAndType) {
  EXPECT_EQ(check_key_file(file(S_IFREG | 0400, 1000), "k"),
            "k is not owned by root: chown root k");
  EXPECT_EQ(check_key_file(file(S_IFDIR | 0700), "d"), "d is not a regular file");
  EXPECT_EQ(check_key_file(file(S_IFIFO | 0600), "p"), "p is not a regular file");
  EXPECT_EQ(check_key_file(file(S_IFCHR | 0600), "c"), "c is not a regular file");
}
