// krgadm: cluster administration. See Documentation/krgadm.md.
#include <fcntl.h>
#include <linux/krg_netlink.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client.h"
#include "cluster_key.h"
#include "evacuate.h"
#include "ha.h"
#include "krgadm_cli.h"
#include "nodelist.h"

namespace {

using krgadm::Command;
// Keys in the order written, as the documentation shows them.
using Json = nlohmann::ordered_json;

std::string count_of(const std::vector<int>& v) {
  return std::to_string(v.size()) + (v.size() == 1 ? " node" : " nodes");
}

int cluster_status(krg::Client& c, const Command& cmd) {
  auto info = c.cluster();
  if (cmd.json) {
    Json j = {{"node_id", info.node_id},    {"session_id", info.session_id},
              {"state", info.state},        {"iface", info.iface},
              {"online", info.online},      {"present", info.present},
              {"encrypted", info.encrypted}};
    std::cout << j.dump() << "\n";
    return 0;
  }
  if (info.node_id)
    std::cout << "node " << info.node_id << ", session " << info.session_id << ": " << info.state
              << " on " << info.iface << "\n";
  else
    std::cout << "this node has no valid krg.node_id/krg.session_id: " << info.state << "\n";
  std::cout << "online:  " << krg::format_nodelist(info.online) << " (" << count_of(info.online)
            << ")\n";
  std::cout << "present: " << krg::format_nodelist(info.present) << " (" << count_of(info.present)
            << ")\n";
  std::cout << "links:   " << (info.encrypted ? "encrypted" : "in clear (krg.encrypt=0)") << "\n";
  if (info.state == "nokey")
    std::cout << "waiting for the cluster key: krgadm cluster key set FILE\n";
  return 0;
}

// The key in `path`, once the file is found fit to hold one. O_NONBLOCK:
// opening a FIFO must not hang; fstat() turns it down next.
std::vector<uint8_t> read_key_file(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0 && errno == ELOOP)
    throw krg::Error::plain(ELOOP, path + " is a symbolic link: give the key file itself");
  if (fd < 0) throw krg::Error(errno, "cannot open " + path);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int err = errno;
    close(fd);
    throw krg::Error(err, "cannot stat " + path);
  }
  if (auto problem = krg::check_key_file(st, path); !problem.empty()) {
    close(fd);
    throw krg::Error::plain(EPERM, problem);
  }
  // A key file is one short line: stop well past it.
  std::string text;
  char buf[512];
  ssize_t n;
  while (text.size() < 4096 && (n = read(fd, buf, sizeof(buf))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      throw krg::Error(err, "cannot read " + path);
    }
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (text.size() >= 4096) throw krg::Error::plain(EINVAL, path + " is too long for a key file");
  std::string error;
  auto key = krg::parse_cluster_key(text, &error);
  if (!key) throw krg::Error::plain(EINVAL, path + ": " + error);
  return *key;
}

int key_set(krg::Client& c, const std::vector<uint8_t>& key) {
  c.key_set(key);
  std::cout << "cluster key set: this node joins when its links are up\n";
  return 0;
}

// A new random key in a new file `path`, readable by its owner only.
int key_generate(const std::string& path) {
  std::vector<uint8_t> key(KRG_CLUSTER_KEY_LEN);
  for (size_t got = 0; got < key.size();) {
    ssize_t n = getrandom(key.data() + got, key.size() - got, 0);
    if (n < 0 && errno != EINTR) throw krg::Error(errno, "getrandom");
    if (n > 0) got += static_cast<size_t>(n);
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
  if (fd < 0 && errno == EEXIST)
    throw krg::Error::plain(EEXIST, path + " exists already: a key file is never overwritten");
  if (fd < 0) throw krg::Error(errno, "cannot create " + path);
  std::string line = krg::format_cluster_key(key) + "\n";
  int err = 0;
  for (size_t done = 0; !err && done < line.size();) {
    ssize_t n = write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += static_cast<size_t>(n);
  }
  if (!err && fsync(fd) < 0) err = errno;
  if (close(fd) < 0 && !err) err = errno;
  if (err) {
    unlink(path.c_str());  // no half-written key left behind
    throw krg::Error(err, "cannot write " + path);
  }
  std::cout << "cluster key written to " << path << "\n";
  return 0;
}

int nodes_status(krg::Client& c, const Command& cmd) {
  auto info = c.cluster();
  auto nodes = c.nodes();
  struct Row {
    int id;
    std::string state;
    bool self;
  };
  std::vector<Row> rows;
  bool self_listed = false;
  for (const auto& n : nodes) {
    bool self = n.id == info.node_id;
    self_listed |= self;
    rows.push_back({n.id, n.state == krg::NodeState::online ? "online" : "unreachable", self});
  }
  // A node out of the cluster still reports itself, with its join state.
  if (info.node_id && !self_listed) rows.insert(rows.begin(), {info.node_id, info.state, true});

  if (cmd.json) {
    Json list = Json::array();
    for (const auto& r : rows) list.push_back({{"id", r.id}, {"state", r.state}, {"self", r.self}});
    std::cout << Json{{"self", info.node_id}, {"nodes", list}}.dump() << "\n";
    return 0;
  }
  std::printf("%-6s %s\n", "NODE", "STATE");
  for (const auto& r : rows)
    std::printf("%-6d %s%s\n", r.id, r.state.c_str(), r.self ? " (self)" : "");
  return 0;
}

int rpc_ping(krg::Client& c, const Command& cmd) {
  krg::PingRequest req{cmd.node,       cmd.nodes, cmd.size,  cmd.count,
                       cmd.timeout_ms, cmd.type,  cmd.oneway};
  if (cmd.all) {
    req.nodes = c.cluster().online;
    if (req.nodes.empty()) throw krg::Error::plain(EHOSTDOWN, "no node is online");
  }
  auto res = c.ping(req);
  double avg_us = res.count ? res.total_ns / 1000.0 / res.count : 0;
  bool failed = false;
  for (auto [node, err] : res.status) failed |= err != 0;
  if (cmd.json) {
    Json j = {
        {"size", cmd.size}, {"count", res.count}, {"total_ns", res.total_ns}, {"avg_us", avg_us}};
    if (req.nodes.empty()) {
      j["node"] = cmd.node;
    } else {
      j["nodes"] = Json::array();
      for (auto [node, err] : res.status)
        j["nodes"].push_back(
            {{"node", node}, {"errno", err}, {"status", err ? std::strerror(err) : "ok"}});
    }
    std::cout << j.dump() << "\n";
    return failed ? 1 : 0;
  }
  const char* s = res.count == 1 ? "" : "s";
  if (req.nodes.empty()) {
    std::printf("node %d: %u round trip%s of %u bytes, avg %.1f us\n", cmd.node, res.count, s,
                cmd.size, avg_us);
    return 0;
  }
  std::printf("nodes %s: %u round%s of %u bytes, avg %.1f us per round\n",
              krg::format_nodelist(req.nodes).c_str(), res.count, s, cmd.size, avg_us);
  for (auto [node, err] : res.status)
    std::printf("node %d: %s\n", node, err ? std::strerror(err) : "ok");
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto parsed = krgadm::parse(args);
  if (!parsed.error.empty()) {
    std::cerr << "krgadm: " << parsed.error << "\n" << krgadm::usage(parsed.cmd.topic);
    return 2;
  }
  const auto& cmd = parsed.cmd;
  if (cmd.action == krgadm::Action::help) {
    std::cout << krgadm::usage(cmd.topic);
    return 0;
  }
  try {
    // A key file is checked before the kernel is asked; generate never asks it.
    if (cmd.action == krgadm::Action::cluster_key_generate) return key_generate(cmd.file);
    std::vector<uint8_t> key;
    if (cmd.action == krgadm::Action::cluster_key_set) key = read_key_file(cmd.file);
    krg::Client client;
    switch (cmd.action) {
      case krgadm::Action::nodes_status:
        return nodes_status(client, cmd);
      case krgadm::Action::cluster_status:
        return cluster_status(client, cmd);
      case krgadm::Action::cluster_key_set:
        return key_set(client, key);
      case krgadm::Action::rpc_ping:
        return rpc_ping(client, cmd);
      case krgadm::Action::node_evacuate:
        return krgadm::evacuate(client, cmd);
      case krgadm::Action::ha_load:
      case krgadm::Action::ha_attach:
      case krgadm::Action::ha_detach:
      case krgadm::Action::ha_status:
        return krgadm::ha(client, cmd);
      case krgadm::Action::cluster_key_generate:
      case krgadm::Action::help:
        break;
    }
  } catch (const krg::Error& e) {
    std::cerr << "krgadm: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
