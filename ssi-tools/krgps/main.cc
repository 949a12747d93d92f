// krgps: the processes of the whole cluster. See Documentation/krgps.md.
#include <fstream>
#include <iostream>
#include <sstream>

#include "client.h"
#include "krgps_cli.h"

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto parsed = krgps::parse(args);
  if (!parsed.error.empty()) {
    std::cerr << "krgps: " << parsed.error << "\n" << krgps::kUsage;
    return 2;
  }
  const auto& opt = parsed.opt;
  if (opt.help) {
    std::cout << krgps::kUsage;
    return 0;
  }
  std::stringstream passwd;
  passwd << std::ifstream("/etc/passwd").rdbuf();
  auto user = krgps::passwd_names(passwd.str());
  try {
    krg::Client client;
    auto list = client.ps();
    std::cout << (opt.json ? krgps::json(list, opt, user) : krgps::table(list, opt, user));
    std::cerr << krgps::unreachable(list);
    return list.failed.empty() ? 0 : 1;
  } catch (const krg::Error& e) {
    std::cerr << "krgps: " << e.what() << "\n";
    return 1;
  }
}
