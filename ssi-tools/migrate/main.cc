// migrate: move a running process to another node. See
// Documentation/migration.md.
#include <cstdio>

#include "client.h"
#include "cr_cli.h"

int main(int argc, char** argv) {
  auto p = krg::parse_migrate({argv + 1, argv + argc});
  if (!p.error.empty()) {
    std::fprintf(stderr, "migrate: %s\n%s", p.error.c_str(), krg::kMigrateUsage);
    return 2;
  }
  const auto& o = p.opt;
  if (o.help) {
    std::fputs(krg::kMigrateUsage, stdout);
    return 0;
  }
  try {
    krg::Client client;
    auto res = client.migrate(o.pid, o.node, o.flags);
    if (res.tasks)
      std::printf("migrate: %d runs on node %d (%s)\n", res.pid, o.node,
                  krg::tree_size(res.processes, res.tasks).c_str());
    else
      std::printf("migrate: %d runs on node %d already\n", res.pid, o.node);
    // One stop-and-copy round for now: all of it is sent frozen.
    if (o.stats && res.tasks)
      std::printf("rounds 1\nround 1: %llu bytes, frozen\nfrozen_ms %.3f\n",
                  static_cast<unsigned long long>(res.bytes), res.frozen_ns / 1e6);
  } catch (const krg::Error& e) {
    std::fprintf(stderr, "migrate: %s\n", e.what());
    return 1;
  }
  return 0;
}
