// SPDX-License-Identifier: GPL-2.0
/*
 * Join the cluster at boot: bring the cluster interface up, give TIPC this
 * node's identity (address 1.1.<node id>, network id = session id), enable
 * the bearer, then start RPC and the membership watcher.
 *
 * The interface may be probed after krg starts, so look for it for a while
 * before giving up with one log line.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/tipc_kernel.h>
#include <krg/node.h>
#include <krg/pid.h>
#include "comm.h"

#define JOIN_RETRY_DELAY	(HZ / 4)
#define JOIN_RETRIES		80	/* 20 s */

static void join_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(join_work, join_work_fn);
static int join_tries;

static int iface_up(struct net_device *dev)
{
	int err = 0;

	rtnl_lock();
	if (!(dev->flags & IFF_UP))
		err = dev_open(dev, NULL);
	rtnl_unlock();
	return err;
}

static void join_fail(const char *what, int err)
{
	pr_err("%s failed (%d), node stays out of the cluster\n", what, err);
	krg_set_state(KRG_STATE_FAILED);
}

static void join_work_fn(struct work_struct *work)
{
	char bearer[IFNAMSIZ + 4];
	struct net_device *dev;
	int err;

	dev = dev_get_by_name(&init_net, krg_iface);
	if (!dev) {
		if (++join_tries < JOIN_RETRIES) {
			schedule_delayed_work(&join_work, JOIN_RETRY_DELAY);
			return;
		}
		pr_err("cluster interface %s not found, node stays out of the cluster\n",
		       krg_iface);
		krg_set_state(KRG_STATE_FAILED);
		return;
	}
	err = iface_up(dev);
	dev_put(dev);
	if (err)
		return join_fail("bringing up the cluster interface", err);

	snprintf(bearer, sizeof(bearer), "eth:%s", krg_iface);
	err = tipc_kernel_join(&init_net, krg_session_id,
			       krg_tipc_addr(krg_node_id), bearer);
	if (err)
		return join_fail("TIPC join", err);
	/* Watch first: once bound, the RPC socket makes us visible. */
	err = krg_topology_start();
	if (err)
		return join_fail("membership watcher start", err);
	err = krg_pid_ns_start();
	if (err)
		return join_fail("cluster PID namespace start", err);
	err = krg_rpc_start();
	if (err)
		return join_fail("RPC socket bind", err);

	krg_set_state(KRG_STATE_JOINED);
	pr_info("node %d joined session %u on %s\n", krg_node_id,
		krg_session_id, krg_iface);
}

void krg_join_start(void)
{
	schedule_delayed_work(&join_work, 0);
}
