// krgadm node evacuate: the processes off a node, then the node out.
#pragma once

#include "client.h"
#include "krgadm_cli.h"

namespace krgadm {

// 0 once the node left the cluster, 1 if a process stays (named on
// stderr); throws krg::Error when a request fails.
int evacuate(krg::Client& c, const Command& cmd);

}  // namespace krgadm
