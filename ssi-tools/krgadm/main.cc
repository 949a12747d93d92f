// krgadm: cluster administration. See Documentation/krgadm.md.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "client.h"
#include "json.h"
#include "krgadm_cli.h"
#include "nodelist.h"

namespace {

using krgadm::Command;

std::string count_of(const std::vector<int>& v) {
  return std::to_string(v.size()) + (v.size() == 1 ? " node" : " nodes");
}

int cluster_status(krg::Client& c, const Command& cmd) {
  auto info = c.cluster();
  if (cmd.json) {
    std::cout << "{\"node_id\":" << info.node_id << ",\"session_id\":" << info.session_id
              << ",\"state\":" << krg::json_quote(info.state)
              << ",\"iface\":" << krg::json_quote(info.iface)
              << ",\"online\":" << krg::json_int_array(info.online)
              << ",\"present\":" << krg::json_int_array(info.present) << "}\n";
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
    std::cout << "{\"self\":" << info.node_id << ",\"nodes\":[";
    for (size_t i = 0; i < rows.size(); ++i)
      std::cout << (i ? "," : "") << "{\"id\":" << rows[i].id
                << ",\"state\":" << krg::json_quote(rows[i].state)
                << ",\"self\":" << (rows[i].self ? "true" : "false") << "}";
    std::cout << "]}\n";
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
    std::cout << "{\"size\":" << cmd.size << ",\"count\":" << res.count
              << ",\"total_ns\":" << res.total_ns << ",\"avg_us\":" << avg_us;
    if (req.nodes.empty()) {
      std::cout << ",\"node\":" << cmd.node;
    } else {
      std::cout << ",\"nodes\":[";
      for (size_t i = 0; i < res.status.size(); ++i) {
        auto [node, err] = res.status[i];
        std::cout << (i ? "," : "") << "{\"node\":" << node << ",\"errno\":" << err
                  << ",\"status\":" << krg::json_quote(err ? std::strerror(err) : "ok") << "}";
      }
      std::cout << "]";
    }
    std::cout << "}\n";
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
    krg::Client client;
    switch (cmd.action) {
      case krgadm::Action::nodes_status:
        return nodes_status(client, cmd);
      case krgadm::Action::cluster_status:
        return cluster_status(client, cmd);
      case krgadm::Action::rpc_ping:
        return rpc_ping(client, cmd);
      case krgadm::Action::help:
        break;
    }
  } catch (const krg::Error& e) {
    std::cerr << "krgadm: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
