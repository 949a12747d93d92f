// Command lines of checkpoint and restart: parsed apart from any I/O so
// that they are unit tested.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace krg {

extern const char kCheckpointUsage[];
extern const char kRestartUsage[];
extern const char kMigrateUsage[];

struct CheckpointOptions {
  bool help = false;
  int pid = 0;
  unsigned flags = 0;  // KRG_CR_KILL, KRG_CR_STOP, KRG_CR_IGNORE_UNSUPPORTED
  std::string dir;     // default: checkpoint-PID
};

struct RestartOptions {
  bool help = false;
  int node = 0;        // 0: this node
  unsigned flags = 0;  // KRG_CR_STOPPED, KRG_CR_EAGER, KRG_CR_TRUST
  bool wait = false;
  std::string dir;
};

struct MigrateOptions {
  bool help = false;
  int pid = 0;
  int node = 0;
  unsigned flags = 0;  // KRG_CR_TREE
  bool stats = false;
};

// An empty error means success.
template <typename T>
struct Parsed {
  T opt;
  std::string error;
};

Parsed<CheckpointOptions> parse_checkpoint(const std::vector<std::string_view>& args);
Parsed<RestartOptions> parse_restart(const std::vector<std::string_view>& args);
Parsed<MigrateOptions> parse_migrate(const std::vector<std::string_view>& args);

// "1 process", "3 processes", or "1 process, 4 threads" when processes have
// more threads than one each (tasks counts them all).
std::string tree_size(unsigned processes, unsigned tasks);

}  // namespace krg
