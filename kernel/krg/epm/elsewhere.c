// SPDX-License-Identifier: GPL-2.0
/*
 * Restart's cluster-wide check: no PID of the image may be alive on
 * another node (the original still running there, or an earlier restart
 * of the image), or the cluster would run the process twice. The other
 * online nodes are asked at once with KRG_RPC_PIDS_ALIVE, whose request
 * is the image's PIDs and TIDs (s32 each) and whose reply is the first of
 * them alive there, or 0. A task killed (checkpoint --kill just now),
 * exiting or a zombie is not alive. A node that left the cluster took its
 * processes with it.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <krg/epm.h>
#include <krg/membership.h>
#include <krg/node.h>
#include <krg/nodemask.h>
#include <krg/pid.h>
#include <krg/rpc.h>

static bool alive_here(pid_t nr, struct pid_namespace *ns)
{
	struct task_struct *t;
	bool alive;

	rcu_read_lock();
	t = pid_task(find_pid_ns(nr, ns), PIDTYPE_PID);
	alive = t && !(t->flags & PF_EXITING) &&
		!sigismember(&t->pending.signal, SIGKILL);
	rcu_read_unlock();
	return alive;
}

static int pids_alive_handler(const struct krg_rpc_request *req,
			      struct krg_rpc_reply *reply)
{
	struct pid_namespace *ns = krg_pid_ns();
	const s32 *pids = req->data;
	s32 *found;
	size_t i;

	if (req->len % sizeof(*pids) ||
	    req->len > KRG_IMAGE_MAX_TASKS * sizeof(*pids))
		return -EPROTO;
	found = kvzalloc(sizeof(*found), GFP_KERNEL);
	if (!found)
		return -ENOMEM;
	for (i = 0; ns && i < req->len / sizeof(*pids); i++) {
		if (pids[i] > 0 && alive_here(pids[i], ns)) {
			*found = pids[i];
			break;
		}
	}
	reply->data = found;
	reply->len = sizeof(*found);
	return 0;
}

struct answers {
	char *msg;
	int err;
};

static void gather(int node, int status, const struct krg_rpc_reply *reply,
		   void *arg)
{
	struct answers *a = arg;
	const s32 *found = reply->data;

	if (a->err || status == -EHOSTDOWN)
		return;
	if (status)
		a->err = krg_cr_fail(a->msg, status,
				     "cannot ask node %d whether its PIDs are free",
				     node);
	else if (reply->len != sizeof(*found))
		a->err = krg_cr_fail(a->msg, -EPROTO, "node %d: bad reply",
				     node);
	else if (*found)
		a->err = krg_cr_fail(a->msg, -EBUSY, "pid %d is alive on node %d",
				     *found, node);
}

/**
 * krg_pids_alive_elsewhere - is one of @pids alive on another node?
 * @msg: gets why, for the caller
 *
 * Return: 0 if none is, -EBUSY if one is, or the error of a node that
 * did not answer.
 */
int krg_pids_alive_elsewhere(const s32 *pids, unsigned int n, char *msg)
{
	struct answers a = { .msg = msg };
	struct krg_nodemask others;

	krg_nodes_online(&others);
	krg_node_clear(krg_node_id, &others);
	krg_rpc_call_nodes(&others, KRG_RPC_PIDS_ALIVE, pids,
			   n * sizeof(*pids), gather, &a, KRG_RPC_TIMEOUT);
	return a.err;
}

int krg_pids_alive_init(void)
{
	return krg_rpc_register(KRG_RPC_PIDS_ALIVE, pids_alive_handler);
}
