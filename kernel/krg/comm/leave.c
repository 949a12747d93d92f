// SPDX-License-Identifier: GPL-2.0
/*
 * A node leaves the cluster (KRG_CMD_NODE_LEAVE; krgadm node evacuate
 * once its processes moved away). It waits for the restarts under way
 * here (krg_leave_hold()), then the layers above may refuse it on
 * KRG_NODE_LEAVING: cluster processes still run here. Then the node stops
 * taking work (state "left") and, a moment later, so that the answer gets
 * out first, disables its bearer: its links go, the other nodes see it
 * down, and it sees them down. It joins again only by booting again.
 *
 * Another node asks it with KRG_RPC_LEAVE, a struct leave_wire; that node
 * checked the caller's CAP_SYS_ADMIN. The magic and the node id keep a
 * stray or fuzzed frame from taking a node out.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/rwsem.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <krg/membership.h>
#include <krg/node.h>
#include <krg/rpc.h>
#include "comm.h"

#define LEAVE_MAGIC	0x4556414c47524bULL	/* "KRGLAVE" */
/* Time for the answer to reach the caller before the links go. */
#define LEAVE_DELAY	(HZ / 2)

struct leave_wire {
	__le64 magic;
	__le32 node;		/* the node asked to leave */
	__le32 force;		/* 1: stop what still runs there */
};

/* Held for reading by work that starts here (a restart), for writing by a leave. */
static DECLARE_RWSEM(leave_sem);

static void leave_work_fn(struct work_struct *work)
{
	char bearer[IFNAMSIZ + 4];
	int err;

	snprintf(bearer, sizeof(bearer), "eth:%s", krg_iface);
	err = tipc_kernel_disable_bearer(&init_net, bearer);
	if (err) {
		/* Still linked: it serves again rather than hang half out. */
		pr_err("node %d cannot leave: bearer %s (%d), it stays\n",
		       krg_node_id, bearer, err);
		krg_hb_leaving(false);
		krg_set_state(KRG_STATE_JOINED);
	} else {
		pr_info("node %d left the cluster\n", krg_node_id);
		krg_quorum_alone();
	}
}
static DECLARE_DELAYED_WORK(leave_work, leave_work_fn);

/* This node leaves; @force stops the cluster processes that run here. */
static int leave(bool force)
{
	int err;

	down_write(&leave_sem);
	if (krg_state() != KRG_STATE_JOINED) {
		err = -ENOTCONN;
		goto out;
	}
	err = krg_membership_leaving(force);
	if (err)
		goto out;
	krg_hb_leaving(true);
	krg_set_state(KRG_STATE_LEFT);
	pr_info("node %d leaves the cluster%s\n", krg_node_id,
		force ? ", its processes stopped" : "");
	schedule_delayed_work(&leave_work, LEAVE_DELAY);
out:
	up_write(&leave_sem);
	return err;
}

static void evicted_fn(struct work_struct *work)
{
	int err = leave(true);

	if (err)
		pr_err("node %d, declared dead, could not leave (%d)\n",
		       krg_node_id, err);
}
static DECLARE_WORK(evicted_work, evicted_fn);

/* The others declared this node dead while it was cut off: it goes. */
void krg_leave_evicted(void)
{
	schedule_work(&evicted_work);
}

/**
 * krg_leave_hold - keep this node in the cluster while work starts here
 *
 * Return: false if it left; true, and a leave waits until
 * krg_leave_release(), otherwise.
 */
bool krg_leave_hold(void)
{
	down_read(&leave_sem);
	if (krg_state() != KRG_STATE_LEFT)
		return true;
	up_read(&leave_sem);
	return false;
}
EXPORT_SYMBOL_GPL(krg_leave_hold);

void krg_leave_release(void)
{
	up_read(&leave_sem);
}
EXPORT_SYMBOL_GPL(krg_leave_release);

static int leave_handler(const struct krg_rpc_request *req,
			 struct krg_rpc_reply *reply)
{
	const struct leave_wire *w = req->data;

	if (req->oneway || req->len != sizeof(*w) ||
	    le64_to_cpu(w->magic) != LEAVE_MAGIC ||
	    le32_to_cpu(w->node) != krg_node_id ||
	    le32_to_cpu(w->force) > 1)
		return -EPROTO;
	pr_info("node %d asks this node to leave\n", req->src_node);
	return leave(le32_to_cpu(w->force));
}

/**
 * krg_node_leave - take @node out of the cluster
 * @force: stop the cluster processes that still run there
 *
 * The caller checked CAP_SYS_ADMIN. Return: 0 once @node leaves (its
 * links go LEAVE_DELAY later), -EBUSY if cluster processes run there and
 * not @force, -ENOTCONN if it is not in the cluster, -EINVAL for no such
 * node, -EHOSTDOWN if it is offline (or left as it answered).
 */
int krg_node_leave(int node, bool force)
{
	struct leave_wire w = {
		.magic = cpu_to_le64(LEAVE_MAGIC),
		.node = cpu_to_le32(node),
		.force = cpu_to_le32(force),
	};
	struct krg_rpc_reply reply;
	int err;

	if (!krg_node_valid(node))
		return -EINVAL;
	if (node == krg_node_id)
		return leave(force);
	err = krg_rpc_call(node, KRG_RPC_LEAVE, &w, sizeof(w), &reply,
			   KRG_RPC_TIMEOUT);
	if (!err)
		krg_rpc_reply_free(&reply);
	return err;
}
EXPORT_SYMBOL_GPL(krg_node_leave);

static const struct krg_rpc_service leave_service = {
	.type = KRG_RPC_LEAVE,
	.name = "leave",
	.handler = leave_handler,
	/* No sample: the fuzzer would take its target out. */
};

int krg_leave_init(void)
{
	return krg_rpc_register(&leave_service);
}
