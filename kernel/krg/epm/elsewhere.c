// SPDX-License-Identifier: GPL-2.0
/*
 * Restart's cluster-wide check: no PID of the image may be alive on
 * another node (the original still running there, or an earlier restart
 * of the image), or the cluster would run the process twice. The other
 * online nodes are asked at once with KRG_RPC_PIDS_ALIVE, whose request
 * is the image's PIDs and TIDs (s32 each) and whose reply says the first
 * of them alive there, or 0, and whether it runs or is being restarted. A
 * task killed (checkpoint --kill just now), exiting or a zombie is not
 * alive. A node that left the cluster took its processes with it.
 *
 * Two restarts of one image at once see each other: each registers a
 * claim on its PIDs from before its tree exists until it runs or gives up
 * (krg_restart_claim(), krg_restart_settle()). A node asked about a
 * claimed PID answers "being restarted" and notes the asker as a rival;
 * the restart on the lower node goes first. So the higher one gives up,
 * whether it asks first or is asked first, and the lower one goes on:
 * exactly one of them runs. A claim settles under the lock the answers
 * are given under, so "being restarted" is never followed by a run the
 * asker did not allow for; a restart that gives up keeps its claim until
 * its tree is gone, so that its dying tasks are not taken for a winner.
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
#include <krg/proc.h>
#include <krg/rpc.h>

/*
 * A task migrating to node @asker is not alive here for it, whose restart
 * takes its PID; for any other, it is, until the move is done (asker 0:
 * this node's own count).
 */
static bool alive_here(pid_t nr, struct pid_namespace *ns, int asker)
{
	int left = krg_location_left(nr);
	struct task_struct *t;
	bool alive;

	rcu_read_lock();
	t = pid_task(find_pid_ns(nr, ns), PIDTYPE_PID);
	alive = t && !(t->flags & PF_EXITING) &&
		!sigismember(&t->pending.signal, SIGKILL) &&
		!(left && (!asker || asker == left ||
			   left == KRG_LOCATION_MOVED));
	rcu_read_unlock();
	return alive;
}

/* Restarts here whose tree does not run yet. */
static LIST_HEAD(claims);
static DEFINE_MUTEX(claims_lock);

/* The reply: the first PID of the request alive or claimed here, or 0. */
struct alive_reply {
	__le32 pid;
	__le32 claimed;		/* 1: being restarted here, not running yet */
} __packed;

/**
 * krg_restart_claim - a restart of @pids here, from before its tree exists
 *
 * Until krg_restart_settle(), other nodes asking about them are told they
 * are being restarted here, and are noted as rivals.
 */
void krg_restart_claim(struct krg_restart_claim *c, const s32 *pids,
		       unsigned int n)
{
	c->pids = pids;
	c->n = n;
	c->rival = KRG_MAX_NODES;
	mutex_lock(&claims_lock);
	list_add(&c->list, &claims);
	mutex_unlock(&claims_lock);
}

/**
 * krg_restart_settle - may the claimed restart run?
 * @run: it would (no other reason to give up)
 *
 * Return: 0 if it runs: the claim is gone. Else the lower node whose
 * restart of the same PIDs goes first, or 0 if @run was false: the claim
 * stays until krg_restart_unclaim(), once the tree is gone.
 */
int krg_restart_settle(struct krg_restart_claim *c, bool run)
{
	int rival;

	mutex_lock(&claims_lock);
	rival = c->rival < krg_node_id ? c->rival : 0;
	if (run && !rival)
		list_del_init(&c->list);
	mutex_unlock(&claims_lock);
	return rival;
}

void krg_restart_unclaim(struct krg_restart_claim *c)
{
	mutex_lock(&claims_lock);
	list_del_init(&c->list);
	mutex_unlock(&claims_lock);
}

/* Is one of @pids alive here (not exiting)? */
bool krg_pids_alive_here(const s32 *pids, unsigned int n)
{
	struct pid_namespace *ns = krg_pid_ns();
	unsigned int i;

	for (i = 0; ns && i < n; i++)
		if (alive_here(pids[i], ns, 0))
			return true;
	return false;
}

/* Under claims_lock: the claim here that holds @nr, noting @asker. */
static bool claimed_here(pid_t nr, int asker)
{
	struct krg_restart_claim *c;
	unsigned int i;

	list_for_each_entry(c, &claims, list) {
		for (i = 0; i < c->n; i++) {
			if (c->pids[i] == nr) {
				c->rival = min(c->rival, asker);
				return true;
			}
		}
	}
	return false;
}

static int pids_alive_handler(const struct krg_rpc_request *req,
			      struct krg_rpc_reply *reply)
{
	struct pid_namespace *ns = krg_pid_ns();
	const __le32 *pids = req->data;
	struct alive_reply *found;
	size_t i;
	s32 nr;

	if (req->len % sizeof(*pids) ||
	    req->len > KRG_IMAGE_MAX_TASKS * sizeof(*pids))
		return -EPROTO;
	found = kvzalloc(sizeof(*found), GFP_KERNEL);
	if (!found)
		return -ENOMEM;
	mutex_lock(&claims_lock);
	for (i = 0; ns && i < req->len / sizeof(*pids) && !found->pid; i++) {
		nr = le32_to_cpu(pids[i]);
		if (nr <= 0)
			continue;
		if (claimed_here(nr, req->src_node))
			found->claimed = cpu_to_le32(1);
		else if (!alive_here(nr, ns, req->src_node))
			continue;
		found->pid = cpu_to_le32(nr);
	}
	mutex_unlock(&claims_lock);
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
	const struct alive_reply *found = reply->data;

	if (a->err || status == -EHOSTDOWN)
		return;
	if (status)
		a->err = krg_cr_fail(a->msg, status,
				     "cannot ask node %d whether its PIDs are free",
				     node);
	else if (reply->len != sizeof(*found))
		a->err = krg_cr_fail(a->msg, -EPROTO, "node %d: bad reply",
				     node);
	else if (found->pid && !found->claimed)
		a->err = krg_cr_fail(a->msg, -EBUSY, "pid %d is alive on node %d",
				     le32_to_cpu(found->pid), node);
	/* Two restarts at once: the one on the lower node goes first. */
	else if (found->pid && node < krg_node_id)
		a->err = krg_cr_fail(a->msg, -EBUSY,
				     "pid %d is being restarted on node %d",
				     le32_to_cpu(found->pid), node);
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
	__le32 *wire;
	unsigned int i;

	wire = kvcalloc(n, sizeof(*wire), GFP_KERNEL);
	if (!wire)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		wire[i] = cpu_to_le32(pids[i]);
	krg_nodes_online(&others);
	krg_node_clear(krg_node_id, &others);
	krg_rpc_call_nodes(&others, KRG_RPC_PIDS_ALIVE, wire,
			   n * sizeof(*wire), gather, &a, KRG_RPC_TIMEOUT);
	kvfree(wire);
	return a.err;
}

static const __le32 pids_alive_sample[] = {
	cpu_to_le32(1), cpu_to_le32(2), cpu_to_le32(0x400001),
};

static const struct krg_rpc_service pids_alive_service = {
	.type = KRG_RPC_PIDS_ALIVE,
	.name = "pids alive",
	.handler = pids_alive_handler,
	.sample = pids_alive_sample,
	.sample_len = sizeof(pids_alive_sample),
};

int krg_pids_alive_init(void)
{
	return krg_rpc_register(&pids_alive_service);
}
