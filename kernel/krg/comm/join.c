// SPDX-License-Identifier: GPL-2.0
/*
 * Join the cluster at boot, in steps:
 *
 *   1. bring the cluster interface up and give TIPC this node's identity
 *      (address 1.1.<node id>, network id = session id);
 *   2. wait for the cluster key (comm/key.c), unless links run in clear;
 *   3. enable the bearer, then start the membership watcher and RPC.
 *
 * The interface may be probed after krg starts, so look for it for a while
 * before giving up with one log line. The key may come at any time; the
 * node says once that it waits for it.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/tipc_kernel.h>
#include <krg/key.h>
#include <krg/membership.h>
#include <krg/node.h>
#include "comm.h"

#define JOIN_RETRY_DELAY	(HZ / 4)
#define JOIN_RETRIES		80	/* 20 s */

static void join_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(join_work, join_work_fn);
static int join_tries;
static bool join_started;
static enum { STEP_IDENTITY, STEP_KEY, STEP_BEARER, STEP_DONE } step;

static int iface_up(struct net_device *dev)
{
	int err = 0;

	rtnl_lock();
	if (!(dev->flags & IFF_UP))
		err = dev_open(dev, NULL);
	rtnl_unlock();
	return err;
}

static int join_fail(const char *what, int err)
{
	pr_err("%s failed (%d), node stays out of the cluster\n", what, err);
	krg_set_state(KRG_STATE_FAILED);
	return err;
}

/* Step 1. Return: 0, -EAGAIN to look for the interface again, or -errno. */
static int join_identity(void)
{
	struct net_device *dev;
	int err;

	dev = dev_get_by_name(&init_net, krg_iface);
	if (!dev) {
		if (++join_tries < JOIN_RETRIES)
			return -EAGAIN;
		pr_err("cluster interface %s not found, node stays out of the cluster\n",
		       krg_iface);
		krg_set_state(KRG_STATE_FAILED);
		return -ENODEV;
	}
	err = iface_up(dev);
	dev_put(dev);
	if (err)
		return join_fail("bringing up the cluster interface", err);
	err = tipc_kernel_set_identity(&init_net, krg_session_id,
				       krg_tipc_addr(krg_node_id));
	return err ? join_fail("TIPC identity", err) : 0;
}

/* Step 3. */
static int join_bearer(void)
{
	char bearer[IFNAMSIZ + 4];
	int err;

	snprintf(bearer, sizeof(bearer), "eth:%s", krg_iface);
	err = tipc_kernel_enable_bearer(&init_net, bearer);
	if (err)
		return join_fail("TIPC bearer enable", err);
	/* Watch first: once bound, the RPC socket makes us visible. */
	err = krg_topology_start();
	if (err)
		return join_fail("membership watcher start", err);
	err = krg_membership_joining();
	if (err)
		return join_fail("start of the layers above", err);
	err = krg_rpc_start();
	if (err)
		return join_fail("RPC socket bind", err);
	krg_set_state(KRG_STATE_JOINED);
	err = krg_heartbeat_start();
	if (err)
		return join_fail("heartbeat start", err);
	pr_info("node %d joined session %u on %s, links %s\n", krg_node_id,
		krg_session_id, krg_iface,
		krg_links_encrypted() ? "encrypted" : "in clear (krg.encrypt=0)");
	return 0;
}

static void join_work_fn(struct work_struct *work)
{
	int err;

	switch (step) {
	case STEP_IDENTITY:
		err = join_identity();
		if (err == -EAGAIN)
			schedule_delayed_work(&join_work, JOIN_RETRY_DELAY);
		if (err)
			return;
		step = STEP_KEY;
		fallthrough;
	case STEP_KEY:
		err = krg_key_install();
		if (err == -ENOKEY) {
			if (krg_state() != KRG_STATE_NOKEY)
				pr_info("waiting for the cluster key (krgadm cluster key set FILE)\n");
			krg_set_state(KRG_STATE_NOKEY);
			return;
		}
		if (err) {
			join_fail("cluster key", err);
			return;
		}
		krg_set_state(KRG_STATE_JOINING);
		step = STEP_BEARER;
		fallthrough;
	case STEP_BEARER:
		step = STEP_DONE;
		join_bearer();
		break;
	case STEP_DONE:
		break;
	}
}

/*
 * The key came: run the join again if it started. Each step is done once,
 * so an extra run is harmless, and one queued while the join is running
 * sees the key that step 2 may have just missed.
 */
void krg_join_kick(void)
{
	if (READ_ONCE(join_started))
		schedule_delayed_work(&join_work, 0);
}

void krg_join_start(void)
{
	WRITE_ONCE(join_started, true);
	schedule_delayed_work(&join_work, 0);
}
