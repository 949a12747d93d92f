// SPDX-License-Identifier: GPL-2.0
/* The HA framework starts: its RPC services, node events and tick. */
#include "ha_internal.h"

int krg_ha_init(void)
{
	return ha_registry_init() ?: ha_policy_init() ?: ha_tag_init() ?:
	       ha_launch_init() ?: ha_ckpt_init() ?: ha_recover_init();
}
