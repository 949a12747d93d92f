#include "options.h"

#include <getopt.h>

namespace krg {

namespace {

// Long-only options are told apart by getopt's return value from here up.
constexpr int kLongOnly = 256;

std::string spelled(const Option& o, bool as_long) {
  if (as_long || !o.short_name) return "--" + std::string(o.name);
  return std::string("-") + o.short_name;
}

}  // namespace

ParsedArgs parse_options(const std::vector<std::string_view>& args,
                         std::span<const Option> options) {
  // getopt_long wants a mutable argv, with a program name first.
  std::vector<std::string> storage{"krg"};
  for (auto a : args) storage.emplace_back(a);
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  // What getopt points at, seen in the caller's arguments, which outlive
  // these copies.
  auto caller_view = [&](const char* at) -> std::string_view {
    for (size_t k = 1; k < storage.size(); ++k) {
      const char* begin = storage[k].data();
      if (at >= begin && at <= begin + storage[k].size()) return args[k - 1].substr(at - begin);
    }
    return {};
  };

  // '-': operands come back in order (as option 1), whatever
  // POSIXLY_CORRECT says; ':': a missing value is told from an unknown
  // option.
  std::string shorts = "-:";
  std::vector<struct option> longs;
  for (size_t i = 0; i < options.size(); ++i) {
    const Option& o = options[i];
    int val = o.short_name ? o.short_name : kLongOnly + static_cast<int>(i);
    longs.push_back({o.name, o.value ? required_argument : no_argument, nullptr, val});
    if (o.short_name) {
      shorts += o.short_name;
      if (o.value) shorts += ':';
    }
  }
  longs.push_back({});

  ParsedArgs p;
  int argc = static_cast<int>(argv.size()) - 1;
  opterr = 0;
  optind = 0;  // GNU: start afresh, as for a new argv
  for (;;) {
    int index = -1;
    int c = getopt_long(argc, argv.data(), shorts.c_str(), longs.data(), &index);
    if (c == -1) break;
    if (c == 1) {
      p.args.push_back({nullptr, caller_view(optarg), ""});
      continue;
    }
    // A missing value is the last argument's; getopt stays on an argument
    // while in a bundle of short options, so a bad letter is told by optopt
    // alone (0: an unknown long option; a known one: it took "=value").
    std::string_view given = argv[optind - 1] ? argv[optind - 1] : "";
    int which = c == '?' || c == ':' ? optopt : c;
    const Option* o = nullptr;
    if (index >= 0) {
      o = &options[index];
    } else if (which >= kLongOnly) {
      o = &options[which - kLongOnly];
    } else if (which) {
      for (const auto& opt : options)
        if (opt.short_name == which) o = &opt;
    }
    bool as_long =
        index >= 0 || (c == '?' && (!which || o)) || (c == ':' && given.starts_with("--"));
    if (c == '?' && o) {
      p.error = spelled(*o, as_long) + " takes no value";
      return p;
    }
    if (c == '?') {
      std::string bad = as_long ? std::string(given.substr(0, given.find('=')))
                                : std::string("-") + static_cast<char>(which);
      p.error = "unknown option '" + bad + "'";
      return p;
    }
    if (c == ':') {
      p.error = (o ? spelled(*o, as_long) : std::string(given)) + " needs " +
                (o && o->value ? o->value : "a value");
      return p;
    }
    p.args.push_back(
        {o, o && o->value && optarg ? caller_view(optarg) : "", o ? spelled(*o, as_long) : ""});
  }
  for (int i = optind; i < argc; ++i) p.args.push_back({nullptr, caller_view(argv[i]), ""});
  return p;
}

}  // namespace krg
