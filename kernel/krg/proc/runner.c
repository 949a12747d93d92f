// SPDX-License-Identifier: GPL-2.0
/*
 * The node that runs a cluster PID, asked of it. The PID location
 * directory (location.c) names the node, and the request goes there
 * alone. When the directory cannot tell (the PID's home is down), the
 * request is sent to every other online node at once (one round trip),
 * and the node that runs the PID answers for it while the others answer
 * -ESRCH. Used by the calls that reach a process wherever it runs
 * (signal.c, task_ops.c, procfs.c).
 *
 * Most calls take one round trip: a process that never moved runs on its
 * home, which is asked first, and one that moved runs where the last call
 * found it (the seen[] cache), asked first. Only when that node no longer
 * runs it (-ESRCH: it moved on, or exited) is the directory asked. A PID
 * names one process in the cluster at a time, so whatever node runs it now
 * runs the process asked for.
 *
 * An answer for the process is a success or a refusal (-EPERM, -EACCES,
 * -EINVAL). A node that left the cluster took its processes with it: it
 * counts as -ESRCH. A node that neither answered nor left (-ETIMEDOUT...)
 * might run it: unless another node answered, the call fails with that
 * node's error, never a false -ESRCH.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/krg_hooks.h>
#include <linux/pid_namespace.h>
#include <linux/security.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <krg/membership.h>
#include <krg/nodemask.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include <krg/rpc.h>

/* As capable(), without auditing or marking the task: for a request. */
bool krg_caller_capable(int cap)
{
	return !security_capable(current_cred(), &init_user_ns, cap,
				 CAP_OPT_NOAUDIT);
}

static bool caller_in_cluster(void)
{
	struct pid_namespace *ns = krg_pid_ns();

	return ns && task_active_pid_ns(current) == ns;
}

/* Not found here: may @pid be a cluster PID another node runs? */
bool krg_task_elsewhere(pid_t pid)
{
	return caller_in_cluster() && krg_pid_valid(pid);
}

/* A success or a refusal: the node that runs it spoke. */
static bool answers_for_target(int status)
{
	return !status || status == -EPERM || status == -EACCES ||
	       status == -EINVAL;
}

void krg_runner_note(struct krg_runner *r, int node, int status)
{
	r->asked = true;
	if (answers_for_target(status)) {
		r->any |= !status;
		if (r->found == -ESRCH || !status)
			r->found = status;
	} else if (status != -ESRCH && status != -EHOSTDOWN) {
		pr_warn_ratelimited("node %d did not answer for a process (%d)\n",
				    node, status);
		r->lost = r->lost ?: status;
	}
}

/* -ESRCH only when every node that might run it said so. */
int krg_runner_result(const struct krg_runner *r)
{
	return r->found == -ESRCH && r->lost ? r->lost : r->found;
}

struct runner_reply {
	struct krg_runner r;
	struct krg_rpc_reply *reply;
	size_t max;
};

static void gather(int node, int status, const struct krg_rpc_reply *reply,
		   void *arg)
{
	struct runner_reply *rr = arg;

	/* More than the caller takes: a bad reply, not an answer. */
	if (!status && reply->len > rr->max) {
		pr_warn_ratelimited("node %d sent a reply of %zu bytes\n",
				    node, reply->len);
		status = -EPROTO;
	}
	krg_runner_note(&rr->r, node, status);
	if (status || !rr->reply || rr->reply->data || !reply->len)
		return;
	rr->reply->data = kvmemdup(reply->data, reply->len, GFP_KERNEL);
	if (rr->reply->data)
		rr->reply->len = reply->len;
	else
		rr->r.found = -ENOMEM;
}

/**
 * krg_ask_others - send a request to every other online node
 * @gather: called per node; it should krg_runner_note() each status
 * @r: what they answered
 */
void krg_ask_others(u16 type, const void *req, size_t len,
		    krg_rpc_gather_t gather, void *arg, struct krg_runner *r)
{
	struct krg_nodemask others;
	int err;

	*r = (struct krg_runner){ .found = -ESRCH };
	krg_nodes_online(&others);
	krg_node_clear(krg_node_id, &others);
	err = krg_rpc_call_nodes(&others, type, req, len, gather, arg,
				 KRG_RPC_TIMEOUT);
	/* Failed before asking anyone (out of memory). */
	if (err && !r->asked)
		r->lost = err;
}

/* Where calls found processes that left their home, direct-mapped by PID. */
#define SEEN_SLOTS	256

static struct {
	pid_t pid;
	int node;
} seen[SEEN_SLOTS];
static DEFINE_SPINLOCK(seen_lock);

static int seen_node(pid_t pid)
{
	int node = 0;

	spin_lock(&seen_lock);
	if (seen[pid % SEEN_SLOTS].pid == pid)
		node = seen[pid % SEEN_SLOTS].node;
	spin_unlock(&seen_lock);
	return node;
}

/* @node runs @pid (0: it does not, as far as we know). */
static void seen_set(pid_t pid, int node)
{
	spin_lock(&seen_lock);
	if (node) {
		seen[pid % SEEN_SLOTS].pid = pid;
		seen[pid % SEEN_SLOTS].node = node;
	} else if (seen[pid % SEEN_SLOTS].pid == pid) {
		seen[pid % SEEN_SLOTS].pid = 0;
	}
	spin_unlock(&seen_lock);
}

/* The directory named @node: ask it alone. */
static int ask_one(int node, u16 type, const void *req, size_t len,
		   struct krg_rpc_reply *reply, size_t max)
{
	struct krg_rpc_reply r;
	int err;

	atomic_long_inc(&krg_locate_direct);
	err = krg_rpc_call(node, type, req, len, &r, KRG_RPC_TIMEOUT);
	/* It left the cluster, with its processes. */
	if (err == -EHOSTDOWN)
		err = -ESRCH;
	if (!err && r.len > max) {
		pr_warn_ratelimited("node %d sent a reply of %zu bytes\n",
				    node, r.len);
		err = -EPROTO;
	}
	if (!err && reply)
		*reply = r;
	else
		krg_rpc_reply_free(&r);
	return err;
}

/**
 * krg_ask_runner - a request to the node that runs process @pid
 * @reply: if not NULL, gets that node's reply when it answered 0; free it
 *	   with krg_rpc_reply_free()
 * @max: the longest reply taken; a longer one counts as -EPROTO
 *
 * Return: that node's status, -ESRCH if no node runs it, or the error of
 * a node that did not answer.
 */
int krg_ask_runner(pid_t pid, u16 type, const void *req, size_t len,
		   struct krg_rpc_reply *reply, size_t max)
{
	struct runner_reply rr = { .reply = reply, .max = max };
	int home = krg_pid_node(pid), node, err;

	if (reply)
		*reply = (struct krg_rpc_reply){};
	/* Where it was last seen, or at home: -ESRCH if not there now. */
	node = seen_node(pid) ?: home;
	if (node != krg_node_id && krg_node_online(node)) {
		err = ask_one(node, type, req, len, reply, max);
		if (err != -ESRCH)
			return err;
		seen_set(pid, 0);
	}
	node = krg_locate(pid);
	if (node == -ESRCH)
		return -ESRCH;
	if (node >= 0 && node != krg_node_id) {
		err = ask_one(node, type, req, len, reply, max);
		if (node != home && err != -ESRCH)
			seen_set(pid, node);
		return err;
	}
	/* The directory cannot tell: every node says what it runs. */
	atomic_long_inc(&krg_locate_broadcast);
	krg_ask_others(type, req, len, gather, &rr, &rr.r);
	err = krg_runner_result(&rr.r);
	if (err && reply)
		krg_rpc_reply_free(reply);
	return err;
}
