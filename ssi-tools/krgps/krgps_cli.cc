#include "krgps_cli.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "options.h"

namespace krgps {

const char kUsage[] =
    "usage: krgps [--json] [-n NODE]\n"
    "List the processes of the cluster PID namespace, on every online node.\n"
    "  -n, --node NODE  only those that run on NODE\n"
    "      --json       one JSON object: {\"processes\": [...], \"unreachable\": [...]}\n"
    "Columns: PID, parent PID, node it runs on, user, state (as in\n"
    "/proc/PID/stat), threads, command line ([name] for a zombie).\n"
    "Exit status: 0 success, 1 a node did not answer (the others are\n"
    "listed) or krg refused, 2 bad usage.\n";

namespace {

constexpr krg::Option kOptions[] = {
    {"help", 'h'},
    {"json"},
    {"node", 'n', "a node id"},
};

bool node_id(std::string_view s, int* out) {
  int v = 0;
  if (s.empty() || s.size() > 3) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > 255) return false;
  *out = v;
  return true;
}

// Sorted by PID, on the chosen node only.
std::vector<krg::ProcInfo> chosen(krg::ProcList& list, const Options& opt) {
  std::vector<krg::ProcInfo> v;
  for (auto& p : list.processes)
    if (!opt.node || p.node == opt.node) v.push_back(std::move(p));
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
  return v;
}

std::string command(const krg::ProcInfo& p) {
  if (p.argv.empty()) return "[" + p.comm + "]";
  std::string s;
  for (const auto& a : p.argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

Parsed parse(const std::vector<std::string_view>& args) {
  Parsed p;
  auto parsed = krg::parse_options(args, kOptions);
  if (!parsed.error.empty()) return p.error = parsed.error, p;
  for (const auto& a : parsed.args) {
    if (a.is("help")) {
      p.opt.help = true;
      return p;
    } else if (a.is("json")) {
      p.opt.json = true;
    } else if (a.is("node")) {
      if (!node_id(a.value, &p.opt.node)) return p.error = a.flag + " needs a node id (1..255)", p;
    } else {
      return p.error = "unexpected argument '" + std::string(a.value) + "'", p;
    }
  }
  return p;
}

std::string table(krg::ProcList list, const Options& opt, const UserName& user) {
  std::string out;
  char line[128];
  std::snprintf(line, sizeof(line), "%10s %10s %4s %-8s %s %3s %s\n", "PID", "PPID", "NODE", "USER",
                "S", "THR", "COMMAND");
  out += line;
  for (const auto& p : chosen(list, opt)) {
    std::snprintf(line, sizeof(line), "%10d %10d %4d %-8s %c %3u ", p.pid, p.ppid, p.node,
                  user(p.uid).c_str(), p.state, p.threads);
    out += line + command(p) + "\n";
  }
  return out;
}

std::string json(krg::ProcList list, const Options& opt, const UserName& user) {
  auto procs = nlohmann::ordered_json::array();
  for (const auto& p : chosen(list, opt))
    procs.push_back({{"pid", p.pid},
                     {"ppid", p.ppid},
                     {"pgid", p.pgid},
                     {"sid", p.sid},
                     {"node", p.node},
                     {"uid", p.uid},
                     {"user", user(p.uid)},
                     {"state", std::string(1, p.state)},
                     {"threads", p.threads},
                     {"comm", p.comm},
                     {"cmdline", p.argv}});
  auto failed = nlohmann::ordered_json::array();
  for (auto [node, err] : list.failed)
    failed.push_back({{"node", node}, {"error", std::strerror(err)}});
  nlohmann::ordered_json j = {{"processes", procs}, {"unreachable", failed}};
  // A command line is any bytes: show bad UTF-8 as U+FFFD, never fail.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string unreachable(const krg::ProcList& list) {
  std::string out;
  for (auto [node, err] : list.failed)
    out += "node " + std::to_string(node) + " did not answer: " + std::strerror(err) + "\n";
  return out;
}

UserName passwd_names(std::string_view passwd) {
  std::map<uint32_t, std::string> names;
  while (!passwd.empty()) {
    auto eol = passwd.find('\n');
    std::string_view line = passwd.substr(0, eol);
    passwd.remove_prefix(eol == passwd.npos ? passwd.size() : eol + 1);
    // name:password:uid:...
    auto c1 = line.find(':');
    auto c2 = c1 == line.npos ? line.npos : line.find(':', c1 + 1);
    auto c3 = c2 == line.npos ? line.npos : line.find(':', c2 + 1);
    if (c3 == line.npos || c3 == c2 + 1) continue;
    uint32_t uid = 0;
    bool digits = true;
    for (char c : line.substr(c2 + 1, c3 - c2 - 1)) {
      if (c < '0' || c > '9') digits = false;
      uid = uid * 10 + static_cast<uint32_t>(c - '0');
    }
    if (digits) names.emplace(uid, std::string(line.substr(0, c1)));
  }
  return [names](uint32_t uid) {
    auto it = names.find(uid);
    return it != names.end() ? it->second : std::to_string(uid);
  };
}

}  // namespace krgps
