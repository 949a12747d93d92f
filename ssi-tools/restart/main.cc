// restart: recreate a process tree from an image directory. See
// Documentation/checkpoint.md.
#include <fcntl.h>
#include <linux/krg_netlink.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "client.h"
#include "cr_cli.h"

namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "restart: %s\n", what.c_str());
  return 1;
}

// Restarted tasks are our children: they must be born in the cluster PID
// namespace. Enter it for our children if we are not there yet.
std::string enter_cluster_namespace() {
  long reaper = 0;
  std::ifstream("/sys/kernel/krg/reaper_pid") >> reaper;
  if (reaper <= 0) return "this node has no cluster PID namespace (is it in a cluster?)";
  // The reaper is PID 1 to those inside the namespace.
  if (reaper == 1) return "";
  std::string ns = "/proc/" + std::to_string(reaper) + "/ns/pid";
  int fd = open(ns.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot open " + ns + ": " + std::strerror(errno);
  int rc = setns(fd, CLONE_NEWPID);
  int err = errno;
  close(fd);
  if (rc < 0)
    return std::string("cannot enter the cluster PID namespace: ") + std::strerror(err) +
           " (run restart as root, or inside krgrun)";
  return "";
}

// The image's path for another node: absolute, as given or resolved here.
std::string absolute(const std::string& dir) {
  if (!dir.empty() && dir[0] == '/') return dir;
  char* real = realpath(dir.c_str(), nullptr);
  if (!real) return "";
  std::string path = real;
  free(real);
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  auto p = krg::parse_restart({argv + 1, argv + argc});
  if (!p.error.empty()) {
    std::fprintf(stderr, "restart: %s\n%s", p.error.c_str(), krg::kRestartUsage);
    return 2;
  }
  const auto& o = p.opt;
  if (o.help) {
    std::fputs(krg::kRestartUsage, stdout);
    return 0;
  }
  krg::CrResult res;
  try {
    krg::Client client;
    if (o.node && o.node != client.cluster().node_id) {
      if (o.wait)
        return fail("--wait needs the tree as our children: it cannot wait for node " +
                    std::to_string(o.node));
      std::string path = absolute(o.dir);
      if (path.empty()) return fail("cannot find " + o.dir + ": " + std::strerror(errno));
      res = client.restart_on(o.node, path, o.flags);
      std::printf("restart: %d restarted on node %d (%s)%s\n", res.pid, o.node,
                  krg::tree_size(res.processes, res.tasks).c_str(),
                  o.flags & KRG_CR_STOPPED ? ", stopped" : "");
      return 0;
    }
    int dir = open(o.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return fail("cannot open " + o.dir + ": " + std::strerror(errno));
    if (auto err = enter_cluster_namespace(); !err.empty()) return fail(err);
    res = client.restart(dir, o.flags);
  } catch (const krg::Error& e) {
    return fail(e.what());
  }
  std::printf("restart: %d restarted (%s)%s\n", res.pid,
              krg::tree_size(res.processes, res.tasks).c_str(),
              o.flags & KRG_CR_STOPPED ? ", stopped" : "");
  std::fflush(stdout);
  if (!o.wait) return 0;
  int status = 0;
  while (waitpid(-1, &status, 0) < 0)
    if (errno != EINTR) return fail(std::string("waitpid: ") + std::strerror(errno));
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
