// krgrun: run a command in this node's cluster PID namespace, where PIDs
// carry the node id. See Documentation/pids.md.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include "command.h"

namespace {

constexpr int kFail = 125;  // krgrun itself failed, as env(1) and chroot(1)

const char kUsage[] =
    "usage: krgrun [--] CMD [ARG...]\n"
    "Run CMD in this node's cluster PID namespace: CMD and its descendants get\n"
    "cluster-wide PIDs (node << 22 | local) and see them in /proc.\n"
    "Needs CAP_SYS_ADMIN. Exit status: CMD's, 128+N if CMD died of signal N,\n"
    "125 if krgrun failed, 126 if CMD cannot run, 127 if CMD is not found.\n";

volatile pid_t child = 0;

// Forward what is sent to krgrun (kill), not what the terminal sends to
// its foreground group: CMD's own group gets that already.
void forward(int sig, siginfo_t* info, void*) {
  if (child > 0 && info->si_code <= 0) kill(child, sig);
}

int fail(const std::string& what) {
  std::fprintf(stderr, "krgrun: %s\n", what.c_str());
  return kFail;
}

}  // namespace

int main(int argc, char** argv) {
  int usage_status;
  auto first = krg::command_index(argc, argv, "krgrun", kUsage, &usage_status);
  if (!first) return usage_status;

  long reaper = 0;
  std::ifstream("/sys/kernel/krg/reaper_pid") >> reaper;
  if (reaper <= 0) return fail("this node has no cluster PID namespace (is it in a cluster?)");
  std::string ns = "/proc/" + std::to_string(reaper) + "/ns/pid";
  int fd = open(ns.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot open " + ns + ": " + std::strerror(errno));
  if (setns(fd, CLONE_NEWPID) < 0)
    return fail(std::string("cannot enter the cluster PID namespace: ") + std::strerror(errno));
  close(fd);

  struct sigaction sa = {};
  sa.sa_sigaction = forward;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaction(sig, &sa, nullptr);
  // CMD leads its own process group (and session when there is no
  // terminal), so that getpgrp() and getsid() name cluster PIDs.
  bool tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();

  child = fork();
  if (child < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) std::signal(sig, SIG_DFL);
    if (tty) {
      setpgid(0, 0);
      std::signal(SIGTTOU, SIG_IGN);
      tcsetpgrp(STDIN_FILENO, getpid());
      std::signal(SIGTTOU, SIG_DFL);
    } else {
      setsid();
    }
    // A /proc of our own namespace, so that /proc/<pid> means cluster PIDs.
    if (unshare(CLONE_NEWNS) < 0 ||
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0 ||
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0) {
      std::fprintf(stderr, "krgrun: cannot mount /proc for the namespace: %s\n",
                   std::strerror(errno));
      _exit(kFail);
    }
    _exit(krg::exec_command("krgrun", argv + *first));
  }
  if (tty) {
    std::signal(SIGTTOU, SIG_IGN);
    setpgid(child, child);
    tcsetpgrp(STDIN_FILENO, child);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return fail(std::string("waitpid: ") + std::strerror(errno));
  }
  if (tty) tcsetpgrp(STDIN_FILENO, getpgrp());
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
