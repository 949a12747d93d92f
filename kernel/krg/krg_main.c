// SPDX-License-Identifier: GPL-2.0
/*
 * krg start-up: bring the layers up in order, bottom first.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/krg_hooks.h>
#include <krg/epm.h>
#include <krg/ha.h>
#include <krg/node.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include "comm/comm.h"
#include "ctl/ctl.h"

/* release_task() (patch 0020): @t, reaped, no longer runs here. */
void krg_task_released(struct task_struct *t)
{
	krg_location_released(t);
	krg_shadow_released(t);
}

static int __init krg_init(void)
{
	int err;

	/* Status and control exist even on a node that stays out. */
	err = krg_sysfs_init();
	if (!err)
		err = krg_netlink_init();
	if (err) {
		pr_err("control plane init failed (%d)\n", err);
		return err;
	}

	if (krg_identity_init())
		return 0;

	err = krg_rpc_init();
	if (!err)
		err = krg_rpc_client_init();
	if (!err)
		err = krg_ping_init();
	if (!err)
		err = krg_leave_init();
	if (!err)
		err = krg_quorum_init();
	if (!err)
		err = krg_heartbeat_init();
	if (!err)
		err = krg_rpc_fuzz_init();
	if (!err)
		err = krg_remote_restart_init();
	if (!err)
		err = krg_pids_alive_init();
	if (!err)
		err = krg_ps_init();
	if (!err)
		err = krg_signal_init();
	if (!err)
		err = krg_task_ops_init();
	if (!err)
		err = krg_procfs_init();
	if (!err)
		err = krg_location_init();
	if (!err)
		err = krg_migrate_in_init();
	if (!err)
		err = krg_migrate_ask_init();
	if (!err)
		err = krg_shadow_init();
	if (!err)
		err = krg_leaving_init();
	if (!err)
		err = krg_ha_init();
	if (!err)
		err = krg_pid_ns_init();
	if (err) {
		pr_err("RPC or process layer init failed (%d), node stays out of the cluster\n",
		       err);
		krg_set_state(KRG_STATE_FAILED);
		return 0;
	}
	krg_set_state(KRG_STATE_JOINING);
	krg_join_start();
	return 0;
}
late_initcall(krg_init);
