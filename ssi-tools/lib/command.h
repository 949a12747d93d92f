// Shared by the tools that run a command: PROG [--] CMD [ARG...].
#pragma once

#include <optional>

namespace krg {

// The index of CMD in argv; or nullopt with *status set: 0 after printing
// usage for --help/-h, 2 after printing an error for a missing command.
std::optional<int> command_index(int argc, char** argv, const char* prog, const char* usage,
                                 int* status);

// Execute CMD in place; on failure say why and return 126 (cannot run) or
// 127 (not found), as shells do.
int exec_command(const char* prog, char** cmd);

}  // namespace krg
