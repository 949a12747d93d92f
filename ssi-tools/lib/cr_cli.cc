#include "cr_cli.h"

#include <linux/krg_netlink.h>

#include <charconv>

#include "options.h"

namespace krg {

const char kCheckpointUsage[] =
    "usage: checkpoint [--kill | --stop] [--ignore-unsupported] [-o DIR] PID\n"
    "Freeze the process tree rooted at PID (a cluster PID of this node), save it\n"
    "in the image directory DIR (default: checkpoint-PID, created if missing),\n"
    "then let it run on (a stopped process stays stopped).\n"
    "  -o, --output DIR       the image directory\n"
    "  -k, --kill             kill the tree once it is saved\n"
    "  -s, --stop             leave the tree stopped (SIGSTOP) once it is saved\n"
    "  --ignore-unsupported   save an fd that cannot be saved (a socket, a device)\n"
    "                         as /dev/null instead of failing\n"
    "  -h, --help             this help\n"
    "Every process of the tree needs CHECKPOINTABLE (krgcr-run, krgcapset) and\n"
    "must be the caller's, unless the caller has CAP_SYS_ADMIN.\n"
    "Exit status: 0 saved, 1 failed, 2 usage.\n";

const char kRestartUsage[] =
    "usage: restart [--stopped] [--eager] [--trust] [--wait] [--node N] DIR\n"
    "Recreate the process tree saved in the image directory DIR, with the same\n"
    "PIDs, process groups and sessions, as children of restart (which leaves\n"
    "them to the node's reaper when it exits). Private memory stays in the\n"
    "image until first touched: keep DIR's files until the tree has ended.\n"
    "  --stopped   leave the restarted tree stopped (SIGSTOP); a process\n"
    "              stopped when checkpointed restarts stopped anyway\n"
    "  --eager     load and check all memory before the tree runs\n"
    "  --trust     take an image that another user can write (its writer\n"
    "              would run as you: refused without this option)\n"
    "  -w, --wait  wait for the restarted root and exit with its status\n"
    "  --node N    restart on node N: DIR must have the same path there (an\n"
    "              image under /krg/shared); the tree's parent is then that\n"
    "              node's reaper, and --wait is refused\n"
    "  -h, --help  this help\n"
    "Without CAP_SYS_ADMIN only images of the caller's own credentials restart,\n"
    "and restart must already run in the cluster PID namespace (krgrun).\n"
    "Choosing PIDs needs CAP_CHECKPOINT_RESTORE, unless the administrator set\n"
    "/sys/kernel/krg/unprivileged_restart to 1.\n"
    "Exit status: 0 restarted (or the root's status with --wait), 1 failed,\n"
    "2 usage.\n";

const char kMigrateUsage[] =
    "usage: migrate [--tree] [--stats] PID NODE\n"
    "Move the running process PID (a cluster PID that runs on this node) to\n"
    "node NODE. It keeps its PID and TIDs, its memory, files, signals and\n"
    "threads; its parent, if on this node, still waits for it and signals it\n"
    "here. Moving it to the node it runs on does nothing.\n"
    "  -t, --tree  move its descendants with it (refused without, if it has\n"
    "              children)\n"
    "  -s, --stats print the rounds, the bytes sent and how long it stood\n"
    "              frozen\n"
    "  -h, --help  this help\n"
    "The process needs CAN_MIGRATE (krgcapset) and must be the caller's (as\n"
    "ptrace), unless the caller has CAP_SYS_ADMIN.\n"
    "Exit status: 0 moved (or already there), 1 failed (it runs on where it\n"
    "was), 2 usage.\n";

namespace {

bool positive(std::string_view s, int* out) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return false;
  *out = v;
  return true;
}

}  // namespace

constexpr Option kCheckpointOptions[] = {
    {"help", 'h'},
    {"kill", 'k'},
    {"stop", 's'},
    {"ignore-unsupported"},
    {"output", 'o', "a directory"},
};

Parsed<CheckpointOptions> parse_checkpoint(const std::vector<std::string_view>& args) {
  Parsed<CheckpointOptions> p;
  auto& o = p.opt;
  auto parsed = parse_options(args, kCheckpointOptions);
  if (!parsed.error.empty()) return p.error = parsed.error, p;
  for (const auto& a : parsed.args) {
    if (a.is("help")) {
      o.help = true;
      return p;
    } else if (a.is("kill")) {
      o.flags |= KRG_CR_KILL;
    } else if (a.is("stop")) {
      o.flags |= KRG_CR_STOP;
    } else if (a.is("ignore-unsupported")) {
      o.flags |= KRG_CR_IGNORE_UNSUPPORTED;
    } else if (a.is("output")) {
      if (a.value.empty()) return p.error = a.flag + " needs a directory", p;
      o.dir = a.value;
    } else if (o.pid) {
      return p.error = "one PID only ('" + std::string(a.value) + "')", p;
    } else if (!positive(a.value, &o.pid)) {
      return p.error = "'" + std::string(a.value) + "' is not a PID", p;
    }
  }
  if ((o.flags & KRG_CR_KILL) && (o.flags & KRG_CR_STOP))
    return p.error = "--kill and --stop exclude each other", p;
  if (!o.pid) return p.error = "which PID?", p;
  if (o.dir.empty()) o.dir = "checkpoint-" + std::to_string(o.pid);
  return p;
}

constexpr Option kRestartOptions[] = {
    {"help", 'h'}, {"stopped"},   {"trust"},
    {"eager"},     {"wait", 'w'}, {"node", 'n', "a node id (1..255)"},
};

Parsed<RestartOptions> parse_restart(const std::vector<std::string_view>& args) {
  Parsed<RestartOptions> p;
  auto& o = p.opt;
  auto parsed = parse_options(args, kRestartOptions);
  if (!parsed.error.empty()) return p.error = parsed.error, p;
  for (const auto& a : parsed.args) {
    if (a.is("help")) {
      o.help = true;
      return p;
    } else if (a.is("stopped")) {
      o.flags |= KRG_CR_STOPPED;
    } else if (a.is("trust")) {
      o.flags |= KRG_CR_TRUST;
    } else if (a.is("eager")) {
      o.flags |= KRG_CR_EAGER;
    } else if (a.is("wait")) {
      o.wait = true;
    } else if (a.is("node")) {
      if (!positive(a.value, &o.node) || o.node > 255)
        return p.error = a.flag + " needs a node id (1..255)", p;
    } else if (!o.dir.empty()) {
      return p.error = "one image directory only ('" + std::string(a.value) + "')", p;
    } else {
      o.dir = a.value;
    }
  }
  if (o.dir.empty()) return p.error = "which image directory?", p;
  if (o.wait && (o.flags & KRG_CR_STOPPED))
    return p.error = "--wait and --stopped exclude each other", p;
  return p;
}

constexpr Option kMigrateOptions[] = {
    {"help", 'h'},
    {"tree", 't'},
    {"stats", 's'},
};

Parsed<MigrateOptions> parse_migrate(const std::vector<std::string_view>& args) {
  Parsed<MigrateOptions> p;
  auto& o = p.opt;
  auto parsed = parse_options(args, kMigrateOptions);
  if (!parsed.error.empty()) return p.error = parsed.error, p;
  bool node = false;
  for (const auto& a : parsed.args) {
    if (a.is("help")) {
      o.help = true;
      return p;
    } else if (a.is("tree")) {
      o.flags |= KRG_CR_TREE;
    } else if (a.is("stats")) {
      o.stats = true;
    } else if (!o.pid) {
      if (!positive(a.value, &o.pid))
        return p.error = "'" + std::string(a.value) + "' is not a PID", p;
    } else if (!node) {
      if (!positive(a.value, &o.node) || o.node > 255)
        return p.error = "'" + std::string(a.value) + "' is not a node id (1..255)", p;
      node = true;
    } else {
      return p.error = "one PID and one node only ('" + std::string(a.value) + "')", p;
    }
  }
  if (!o.pid) return p.error = "which PID?", p;
  if (!node) return p.error = "to which node?", p;
  return p;
}

std::string tree_size(unsigned processes, unsigned tasks) {
  std::string s = std::to_string(processes) + (processes == 1 ? " process" : " processes");
  if (tasks > processes) s += ", " + std::to_string(tasks) + " threads";
  return s;
}

}  // namespace krg
