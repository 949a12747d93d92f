// checkpoint: save a process tree to an image directory. See
// Documentation/checkpoint.md.
#include <fcntl.h>
#include <linux/krg_netlink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "client.h"
#include "cr_cli.h"

int main(int argc, char** argv) {
  auto p = krg::parse_checkpoint({argv + 1, argv + argc});
  if (!p.error.empty()) {
    std::fprintf(stderr, "checkpoint: %s\n%s", p.error.c_str(), krg::kCheckpointUsage);
    return 2;
  }
  const auto& o = p.opt;
  if (o.help) {
    std::fputs(krg::kCheckpointUsage, stdout);
    return 0;
  }
  if (mkdir(o.dir.c_str(), 0700) < 0 && errno != EEXIST) {
    std::fprintf(stderr, "checkpoint: cannot create %s: %s\n", o.dir.c_str(), std::strerror(errno));
    return 1;
  }
  int dir = open(o.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    std::fprintf(stderr, "checkpoint: cannot open %s: %s\n", o.dir.c_str(), std::strerror(errno));
    return 1;
  }
  try {
    krg::Client client;
    auto res = client.checkpoint(o.pid, dir, o.flags);
    std::printf("checkpoint: %d saved in %s (%s)%s\n", res.pid, o.dir.c_str(),
                krg::tree_size(res.processes, res.tasks).c_str(),
                o.flags & KRG_CR_KILL   ? ", killed"
                : o.flags & KRG_CR_STOP ? ", stopped"
                                        : "");
    if (res.substituted)
      std::printf(
          "checkpoint: %u unsupported fd(s) will restart as /dev/null (see the kernel log)\n",
          res.substituted);
  } catch (const krg::Error& e) {
    std::fprintf(stderr, "checkpoint: %s\n", e.what());
    return 1;
  }
  return 0;
}
