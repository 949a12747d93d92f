// krgcr-run: run a command that can be checkpointed, with CHECKPOINTABLE
// effective in it and inherited by its descendants. See
// Documentation/capabilities.md.
#include <linux/krg_cap.h>
#include <unistd.h>

#include <cstdio>

#include "client.h"
#include "command.h"

namespace {

const char kUsage[] =
    "usage: krgcr-run [--] CMD [ARG...]\n"
    "Run CMD with the Kerrighed capability CHECKPOINTABLE in its effective\n"
    "and inheritable sets, so that CMD and its descendants can be checkpointed.\n"
    "Exit status: CMD's; 125 if the capability cannot be set, 126/127 if CMD\n"
    "cannot be run or is not found.\n";

}  // namespace

int main(int argc, char** argv) {
  int status;
  auto first = krg::command_index(argc, argv, "krgcr-run", kUsage, &status);
  if (!first) return status;
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
  return krg::exec_command("krgcr-run", argv + *first);
}
