#include "command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace krg {

std::optional<int> command_index(int argc, char** argv, const char* prog, const char* usage,
                                 int* status) {
  std::string_view first = argc > 1 ? argv[1] : "";
  if (first == "--help" || first == "-h") {
    std::fputs(usage, stdout);
    *status = 0;
    return std::nullopt;
  }
  int index = first == "--" ? 2 : 1;
  if (index >= argc) {
    std::fprintf(stderr, "%s: missing command\n%s", prog, usage);
    *status = 2;
    return std::nullopt;
  }
  return index;
}

int exec_command(const char* prog, char** cmd) {
  execvp(cmd[0], cmd);
  int err = errno;
  std::fprintf(stderr, "%s: %s: %s\n", prog, cmd[0], std::strerror(err));
  return err == ENOENT ? 127 : 126;
}

}  // namespace krg
