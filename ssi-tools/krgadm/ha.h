// krgadm ha: load policies, attach and detach applications, show them.
#pragma once

#include "client.h"
#include "krgadm_cli.h"

namespace krgadm {

int ha(krg::Client& c, const Command& cmd);

}  // namespace krgadm
