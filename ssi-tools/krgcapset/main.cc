// krgcapset: show or change Kerrighed capabilities. See
// Documentation/capabilities.md.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>

#include "caps.h"
#include "client.h"
#include "krgcapset_cli.h"

namespace {

void show(int pid, const krg::CapSets& s) {
  struct {
    const char* name;
    uint32_t mask;
  } sets[] = {{"Permitted", s.permitted},
              {"Effective", s.effective},
              {"Inheritable Permitted", s.inheritable_permitted},
              {"Inheritable Effective", s.inheritable_effective}};
  std::printf("Process %d\n", pid);
  for (auto& set : sets) {
    std::printf("%s Capabilities: 0x%02x\n", set.name, set.mask);
    for (int bit = 0; bit < 32; ++bit)
      if (set.mask & (1u << bit)) std::printf("  %s\n", krg::cap_name(bit).c_str());
  }
}

// Why the kernel said no, in the words of the capability rules.
const char* hint(int err) {
  switch (err) {
    case EPERM:
      return " (permitted sets only shrink without CAP_SYS_ADMIN; raising an effective set "
             "needs CHANGE_KERRIGHED_CAP; only the owner may change a process)";
    case EINVAL:
      return " (the effective set would exceed the permitted set; --force clips it)";
    case EBUSY:
      return " (a capability in use by a krg operation cannot leave the effective set)";
    default:
      return "";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto parsed = krgcapset::parse(args);
  if (!parsed.error.empty()) {
    std::cerr << "krgcapset: " << parsed.error << "\n" << krgcapset::kUsage;
    return 2;
  }
  const auto& o = parsed.opt;
  if (o.help) {
    std::cout << krgcapset::kUsage;
    return 0;
  }
  int pid = o.pid ? o.pid : static_cast<int>(getppid());
  try {
    krg::Client client;
    auto sets = client.cap_get(pid);
    if (o.changes()) {
      unsigned which = 0;
      auto apply = [&](const std::optional<krg::CapChange>& c, uint32_t& set, unsigned bit) {
        if (!c) return;
        set = c->apply(set);
        which |= bit;
      };
      apply(o.effective, sets.effective, 1);
      apply(o.permitted, sets.permitted, 2);
      apply(o.inheritable_effective, sets.inheritable_effective, 4);
      apply(o.inheritable_permitted, sets.inheritable_permitted, 8);
      try {
        sets = client.cap_set(pid, sets, which, o.force);
      } catch (const krg::Error& e) {
        std::cerr << "krgcapset: " << e.what() << hint(e.err()) << "\n";
        return 1;
      }
    }
    if (o.show || !o.changes()) show(pid, sets);
  } catch (const krg::Error& e) {
    std::cerr << "krgcapset: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
