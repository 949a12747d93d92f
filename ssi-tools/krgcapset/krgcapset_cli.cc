#include "krgcapset_cli.h"

#include "nodelist.h"
#include "options.h"

namespace krgcapset {

const char kUsage[] =
    "usage: krgcapset [-s] [-k PID] [-e LIST] [-p LIST] [-i LIST] [-d LIST] [-f]\n"
    "Show or change the Kerrighed capabilities of a process (default: the\n"
    "calling shell).\n"
    "  -s, --show                        show the four sets (default without changes)\n"
    "  -k, --pid PID                     the process to show or change\n"
    "  -e, --effective LIST              effective set\n"
    "  -p, --permitted LIST              permitted set\n"
    "  -i, --inheritable-effective LIST  inheritable effective set\n"
    "  -d, --inheritable-permitted LIST  inheritable permitted set\n"
    "  -f, --force                       clip the effective set to the permitted one\n"
    "LIST: +CAP,-CAP (add, remove), CAP,CAP (exactly these), or a number.\n"
    "CAP: CHANGE_KERRIGHED_CAP CAN_MIGRATE DISTANT_FORK CHECKPOINTABLE\n"
    "     USE_REMOTE_MEMORY SEE_LOCAL_PROC_STAT\n"
    "Exit status: 0 success, 1 the kernel refused, 2 bad usage.\n";

namespace {

Parsed fail(std::string msg) {
  Parsed p;
  p.error = std::move(msg);
  return p;
}

}  // namespace

constexpr krg::Option kOptions[] = {
    {"help", 'h'},
    {"show", 's'},
    {"force", 'f'},
    {"pid", 'k', "a PID"},
    {"effective", 'e', "a capability list"},
    {"permitted", 'p', "a capability list"},
    {"inheritable-effective", 'i', "a capability list"},
    {"inheritable-permitted", 'd', "a capability list"},
};

Parsed parse(const std::vector<std::string_view>& args) {
  Parsed p;
  auto& o = p.opt;
  auto parsed = krg::parse_options(args, kOptions);
  if (!parsed.error.empty()) return fail(parsed.error);
  for (const auto& a : parsed.args) {
    if (a.is("help")) {
      o.help = true;
    } else if (a.is("show")) {
      o.show = true;
    } else if (a.is("force")) {
      o.force = true;
    } else if (a.is("pid")) {
      auto pid = krg::parse_int(a.value, 1, (1L << 30) - 1);
      if (!pid) return fail("bad PID '" + std::string(a.value) + "'");
      o.pid = static_cast<int>(*pid);
    } else if (a.option) {
      std::string err;
      auto change = krg::parse_caplist(a.value, &err);
      if (!change) return fail(err);
      auto& slot = a.is("effective")               ? o.effective
                   : a.is("permitted")             ? o.permitted
                   : a.is("inheritable-effective") ? o.inheritable_effective
                                                   : o.inheritable_permitted;
      if (slot) return fail(a.flag + " given twice");
      slot = change;
    } else {
      return fail("unexpected argument '" + std::string(a.value) + "'");
    }
  }
  return p;
}

}  // namespace krgcapset
