// krgcr-run: run a command that can be checkpointed, with CHECKPOINTABLE
// effective in it and inherited by its descendants. See
// Documentation/capabilities.md.
#include <linux/krg_cap.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "client.h"

namespace {

const char kUsage[] =
    "usage: krgcr-run [--] CMD [ARG...]\n"
    "Run CMD with the Kerrighed capability CHECKPOINTABLE in its effective\n"
    "and inheritable sets, so that CMD and its descendants can be checkpointed.\n"
    "Exit status: CMD's; 125 if the capability cannot be set, 126/127 if CMD\n"
    "cannot be run or is not found.\n";

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  if (argc > 1 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc > 1 && std::string_view(argv[1]) == "--") first = 2;
  if (first >= argc) {
    std::fprintf(stderr, "krgcr-run: missing command\n%s", kUsage);
    return 2;
  }
  const uint32_t cr = 1u << KRG_CAP_CHECKPOINTABLE;
  try {
    krg::Client client;
    auto sets = client.cap_get(getpid());
    if (!(sets.permitted & cr) || !(sets.inheritable_permitted & cr)) {
      std::fprintf(stderr,
                   "krgcr-run: CHECKPOINTABLE is not in this process's permitted and "
                   "inheritable permitted sets (krgcapset -s shows them)\n");
      return 125;
    }
    sets.effective |= cr;
    sets.inheritable_effective |= cr;
    client.cap_set(getpid(), sets, 1 | 4, false);
  } catch (const krg::Error& e) {
    std::fprintf(stderr, "krgcr-run: %s\n", e.what());
    return 125;
  }
  // exec keeps the task: CMD holds the capability, its children inherit it.
  execvp(argv[first], argv + first);
  int err = errno;
  std::fprintf(stderr, "krgcr-run: %s: %s\n", argv[first], std::strerror(err));
  return err == ENOENT ? 127 : 126;
}
