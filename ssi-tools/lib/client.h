// libkrg: client of the kernel's "krg" generic netlink family.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

struct nl_sock;

namespace krg {

// A failed request: errno from the kernel (or libnl) plus what was asked.
class Error : public std::runtime_error {
 public:
  Error(int err, const std::string& what);
  // A complete message: strerror(err) is not appended.
  static Error plain(int err, const std::string& message);
  int err() const { return err_; }

 private:
  Error(int err, const std::string& message, bool);
  int err_;
};

struct ClusterInfo {
  int node_id = 0;
  unsigned session_id = 0;
  std::string state;  // out, joining, nokey, joined, failed, left
  std::string iface;
  std::vector<int> online;
  std::vector<int> present;
  bool encrypted = false;  // links encrypted under the cluster key
};

enum class NodeState { online, unreachable };

struct NodeInfo {
  int id = 0;
  NodeState state = NodeState::online;
};

struct PingRequest {
  int node = 0;            // one node, or
  std::vector<int> nodes;  // every round to all of these at once
  uint32_t size = 0;
  uint32_t count = 1;
  uint32_t timeout_ms = 10000;
  int type = -1;        // -1: the ping message type
  bool oneway = false;  // one-way pings, then wait until all are counted
};

struct PingResult {
  uint32_t count = 0;
  uint64_t total_ns = 0;
  std::vector<std::pair<int, int>> status;  // nodes: (node, errno or 0)
};

// Kerrighed capability sets: masks of KRG_CAP_* bits (<linux/krg_cap.h>).
struct CapSets {
  uint32_t effective = 0;
  uint32_t permitted = 0;
  uint32_t inheritable_effective = 0;
  uint32_t inheritable_permitted = 0;
};

// A checkpoint or restart done: the root, its task count, the fds that
// were replaced by /dev/null (checkpoint --ignore-unsupported).
struct CrResult {
  int pid = 0;
  unsigned tasks = 0;  // processes and threads
  unsigned processes = 0;
  unsigned substituted = 0;
  uint64_t frozen_ns = 0;  // how long the tree stood frozen
  uint64_t bytes = 0;      // migration: the image sent
};

// A process of the cluster, as KRG_CMD_PS lists it.
struct ProcInfo {
  int node = 0;  // where it runs
  int pid = 0, ppid = 0, pgid = 0, sid = 0;
  uint32_t uid = 0;
  uint32_t threads = 0;
  char state = '?';  // as in /proc/PID/stat
  std::string comm;
  std::vector<std::string> argv;  // empty for a zombie
};

// Every process of the cluster, and the nodes that did not answer.
struct ProcList {
  std::vector<ProcInfo> processes;
  std::vector<std::pair<int, int>> failed;  // (node, errno)
};

// A protected application, as KRG_CMD_HA_STATUS lists it.
struct HaApp {
  int id = 0;    // its root's cluster PID when attached
  int root = 0;  // its root's PID now
  std::string policy;
  std::string params;  // "key=value ..."
  uint32_t owner = 0;
  std::string state;  // running, recovering, failed
  uint32_t recoveries = 0;
  uint32_t committed = 0;      // its last committed checkpoint set, 0: none
  std::vector<int> footprint;  // nodes that may run its tasks
};

struct HaStatus {
  int node = 0;                       // the node that answered
  std::vector<std::string> policies;  // loaded in the cluster
  std::vector<HaApp> apps;
};

class Client {
 public:
  Client();  // throws Error when krg is not in this kernel
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  ClusterInfo cluster();
  std::vector<NodeInfo> nodes();
  PingResult ping(const PingRequest& req);
  CapSets cap_get(int pid);
  // Change the sets whose bit is in `which` (1 effective, 2 permitted,
  // 4 inheritable effective, 8 inheritable permitted); returns the sets now.
  CapSets cap_set(int pid, const CapSets& sets, unsigned which, bool force);
  // KRG_CR_* flags; the image directory is an open fd of this process.
  CrResult checkpoint(int pid, int dir_fd, unsigned flags);
  CrResult restart(int dir_fd, unsigned flags);
  // Restart on another node the image at `path` (absolute, as it sees it).
  CrResult restart_on(int node, const std::string& path, unsigned flags);
  CrResult migrate(int pid, int node, unsigned flags);
  ProcList ps();
  // Take `node` out of the cluster; `force` kills what still runs there.
  void node_leave(int node, bool force);
  // HA: load a policy's module on every node; attach the tree of `pid`
  // to it ("key=value ..." parameters); detach; list.
  void ha_load(const std::string& policy);
  void ha_attach(int pid, const std::string& policy, const std::string& params);
  void ha_detach(int id);
  HaStatus ha_status();
  // The cluster key (KRG_CLUSTER_KEY_LEN bytes), once per boot.
  void key_set(const std::vector<uint8_t>& key);

 private:
  nl_sock* sock_ = nullptr;
  int family_ = 0;
};

}  // namespace krg
