#include "krgcapset_cli.h"

#include "nodelist.h"

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

Parsed parse(const std::vector<std::string_view>& args) {
  Parsed p;
  auto& o = p.opt;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i], value;
    bool has_value = false;
    // --long=value, and -eVALUE as getopt allows.
    if (a.starts_with("--") && a.find('=') != std::string_view::npos) {
      value = a.substr(a.find('=') + 1);
      a = a.substr(0, a.find('='));
      has_value = true;
    } else if (a.size() > 2 && a[0] == '-' && a[1] != '-') {
      value = a.substr(2);
      a = a.substr(0, 2);
      has_value = true;
    }
    auto need_value = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= args.size()) return false;
      value = args[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "-s" || a == "--show") {
      o.show = true;
    } else if (a == "-f" || a == "--force") {
      o.force = true;
    } else if (a == "-k" || a == "--pid") {
      if (!need_value()) return fail(std::string(a) + " needs a PID");
      auto pid = krg::parse_int(value, 1, (1L << 30) - 1);
      if (!pid) return fail("bad PID '" + std::string(value) + "'");
      o.pid = static_cast<int>(*pid);
    } else if (a == "-e" || a == "--effective" || a == "-p" || a == "--permitted" || a == "-i" ||
               a == "--inheritable-effective" || a == "-d" || a == "--inheritable-permitted") {
      if (!need_value()) return fail(std::string(a) + " needs a capability list");
      std::string err;
      auto change = krg::parse_caplist(value, &err);
      if (!change) return fail(err);
      auto& slot = a == "-e" || a == "--effective"               ? o.effective
                   : a == "-p" || a == "--permitted"             ? o.permitted
                   : a == "-i" || a == "--inheritable-effective" ? o.inheritable_effective
                                                                 : o.inheritable_permitted;
      if (slot) return fail(std::string(a) + " given twice");
      slot = change;
    } else {
      return fail("unknown option '" + std::string(args[i]) + "'");
    }
  }
  return p;
}

}  // namespace krgcapset
