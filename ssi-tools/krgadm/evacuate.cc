// krgadm node evacuate: migrate every cluster process off a node, in
// parallel, then take the node out of the cluster. See
// Documentation/krgadm.md.
#include "evacuate.h"

#include <linux/krg_netlink.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "nodelist.h"

namespace krgadm {

namespace {

// A node takes two migrations at a time from one node.
constexpr size_t kPerTarget = 2;

// This tool and its ancestors, if it runs in the cluster's namespace: they
// wait for it, and cannot move while it runs.
std::set<int> self_and_ancestors(const std::vector<krg::ProcInfo>& procs) {
  std::map<int, int> parent;
  for (const auto& p : procs) parent[p.pid] = p.ppid;
  std::set<int> chain;
  for (int pid = getpid(); parent.count(pid) && !chain.count(pid); pid = parent[pid])
    chain.insert(pid);
  return chain;
}

// The live cluster processes on `node`, but for the tool's own chain
// (`*self_there`: some of it runs there).
std::vector<krg::ProcInfo> running_on(krg::Client& c, int node, bool* self_there = nullptr) {
  auto list = c.ps();
  for (auto [n, err] : list.failed)
    if (n == node)
      throw krg::Error(err, "node " + std::to_string(node) + " did not list its processes");
  auto mine = self_and_ancestors(list.processes);
  std::vector<krg::ProcInfo> found;
  for (const auto& p : list.processes) {
    if (mine.count(p.pid) && p.node == node && self_there) *self_there = true;
    if (p.node == node && p.state != 'Z' && !mine.count(p.pid)) found.push_back(p);
  }
  return found;
}

// Those whose parent stays: each moves with its descendants (--tree).
std::vector<krg::ProcInfo> roots(const std::vector<krg::ProcInfo>& procs) {
  std::set<int> here;
  for (const auto& p : procs) here.insert(p.pid);
  std::vector<krg::ProcInfo> r;
  for (const auto& p : procs)
    if (!here.count(p.ppid)) r.push_back(p);
  return r;
}

std::string name(const krg::ProcInfo& p) { return std::to_string(p.pid) + " (" + p.comm + ")"; }

// Move each root to a target, kPerTarget at a time per target; return why
// each one that stays failed.
std::map<int, std::string> move_all(const std::vector<krg::ProcInfo>& todo,
                                    const std::vector<int>& targets) {
  std::map<int, std::string> failed;
  std::atomic<size_t> next{0};
  size_t done = 0;
  std::mutex out;
  auto worker = [&](int target) {
    std::unique_ptr<krg::Client> c;
    for (size_t i = next++; i < todo.size(); i = next++) {
      const auto& p = todo[i];
      std::string line;
      try {
        if (!c) c = std::make_unique<krg::Client>();
        auto res = c->migrate(p.pid, target, KRG_CR_TREE);
        line = name(p) + " -> node " + std::to_string(target) + " (" +
               std::to_string(res.processes) + (res.processes == 1 ? " process" : " processes") +
               ", frozen " + std::to_string(res.frozen_ns / 1000000) + " ms)";
      } catch (const std::exception& e) {  // krg::Error, or out of memory
        line = name(p) + " stays: " + e.what();
        std::lock_guard lock(out);
        failed[p.pid] = e.what();
      }
      std::lock_guard lock(out);
      std::printf("[%zu/%zu] %s\n", ++done, todo.size(), line.c_str());
      std::fflush(stdout);
    }
  };
  std::vector<std::thread> pool;
  for (size_t i = 0; i < std::min(todo.size(), targets.size() * kPerTarget); i++)
    pool.emplace_back(worker, targets[i % targets.size()]);
  for (auto& t : pool) t.join();
  return failed;
}

// The leave is answered before the node's links go: wait until they did,
// as the others see it, or as it sees itself (alone, left).
bool gone(krg::Client& c, int node) {
  auto info = c.cluster();
  if (node == info.node_id) return info.state == "left" && info.online.size() <= 1;
  return std::find(info.online.begin(), info.online.end(), node) == info.online.end();
}

void wait_gone(krg::Client& c, int node) {
  for (int i = 0; i < 300 && !gone(c, node); i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (!gone(c, node))
    throw krg::Error::plain(
        ETIMEDOUT, "node " + std::to_string(node) + " said it leaves, but is still online");
}

}  // namespace

int evacuate(krg::Client& c, const Command& cmd) {
  auto info = c.cluster();
  if (std::find(info.online.begin(), info.online.end(), cmd.node) == info.online.end())
    throw krg::Error::plain(EHOSTDOWN, "node " + std::to_string(cmd.node) + " is not online");
  std::vector<int> targets;
  for (int n : info.online)
    if (n != cmd.node) targets.push_back(n);

  auto todo = roots(running_on(c, cmd.node));
  std::map<int, std::string> failed;
  if (!todo.empty() && targets.empty()) {
    for (const auto& p : todo) failed[p.pid] = "no other node is online";
  } else if (!todo.empty()) {
    std::printf("node %d: moving %zu process trees to node%s %s\n", cmd.node, todo.size(),
                targets.size() == 1 ? "" : "s", krg::format_nodelist(targets).c_str());
    std::fflush(stdout);
    failed = move_all(todo, targets);
  }

  // What is left now: what could not move, and what started meanwhile.
  bool self_there = false;
  auto left = running_on(c, cmd.node, &self_there);
  if (!left.empty() && !cmd.force) {
    std::fprintf(stderr, "krgadm: node %d stays in the cluster: %zu process%s cannot move\n",
                 cmd.node, left.size(), left.size() == 1 ? "" : "es");
    for (const auto& p : left) {
      auto why = failed.count(p.pid) ? failed[p.pid] : "its parent could not move, or it is new";
      std::fprintf(stderr, "  %s: %s\n", name(p).c_str(), why.c_str());
    }
    std::fprintf(stderr, "krgadm: --force kills them and takes node %d out\n", cmd.node);
    return 1;
  }
  // Forced, the node would kill this command too, silently.
  if (self_there && cmd.force)
    throw krg::Error::plain(EBUSY, "node " + std::to_string(cmd.node) +
                                       ": this command itself runs there, in the cluster's "
                                       "namespace; run it from another node, or outside krgrun");
  for (const auto& p : left) std::printf("killing %s, which cannot move\n", name(p).c_str());
  try {
    c.node_leave(cmd.node, cmd.force);
  } catch (const krg::Error& e) {
    if (e.err() == EBUSY && self_there)
      throw krg::Error::plain(EBUSY, std::string(e.what()) +
                                         ": this command itself runs there, in the cluster's "
                                         "namespace; run it from another node, or outside krgrun");
    // It answered as its links went: see whether it left.
    if (e.err() != EHOSTDOWN || !gone(c, cmd.node)) throw;
  }
  wait_gone(c, cmd.node);
  std::printf("node %d left the cluster\n", cmd.node);
  return 0;
}

}  // namespace krgadm
