// SPDX-License-Identifier: GPL-2.0
/*
 * A migration asked on a node the process does not run on. The caller's
 * node forwards it, with the caller's credentials, to the node that runs
 * the process (KRG_RPC_MIGRATE_ASK). There, a child of the reaper wears
 * those credentials and migrates the process as the caller would on that
 * node: the same checks, the same result, in a struct migrate_result
 * reply. It is not forwarded again: a process that moved meanwhile fails
 * with EREMOTE.
 *
 * The node that runs the process trusts what the caller's node states
 * (only krg kernels speak krg RPC), so what is sent is what the caller
 * has. A caller in a user namespace of its own is refused: its
 * capabilities would not mean the same there; it migrates from the node
 * that runs the process. (Its mount namespace or root do not matter: a
 * migration opens no path of the caller's.) A node serves ASK_PER_NODE
 * forwarded migrations from each node at a time.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/cred.h>
#include <linux/slab.h>
#include <uapi/linux/krg_netlink.h>
#include <krg/epm.h>
#include <krg/ghost_task.h>
#include <krg/node.h>
#include <krg/pid.h>
#include <krg/rpc.h>
#include "migrate.h"

#define ASK_PER_NODE	4
/* It waits for a whole migration. */
#define ASK_TIMEOUT	(900 * HZ)

/* The request; the caller's credentials follow, as in an image. */
struct ask_wire {
	__le32 pid;
	__le32 node;
	__le32 flags;
} __packed;

struct ask_job {
	struct ask_wire w;
	struct krg_img_creds *creds;
	int from;
	struct krg_rpc_later *reply;
};

static atomic_t in_flight[KRG_MAX_NODES];

static void job_free(struct ask_job *job)
{
	atomic_dec(&in_flight[job->from]);
	kfree(job->creds);
	kfree(job);
}

static int ask_fn(void *arg)
{
	struct ask_job *job = arg;
	struct migrate_result rr;
	struct krg_cr_result res = {};
	const struct cred *old;
	struct cred *cred;
	int err;

	cred = ghost_creds_make(job->creds);
	if (IS_ERR(cred)) {
		err = krg_cr_fail(res.msg, PTR_ERR(cred),
				  "bad credentials from node %d", job->from);
	} else {
		old = override_creds(cred);
		err = krg_migrate(le32_to_cpu(job->w.pid),
				  le32_to_cpu(job->w.node),
				  le32_to_cpu(job->w.flags) | KRG_CR_ASKED,
				  &res);
		revert_creds(old);
		put_cred(cred);
	}
	krg_migrate_result_fill(&rr, err, &res);
	krg_rpc_reply_later(job->reply, 0, &rr, sizeof(rr));
	job_free(job);
	/* A kernel_thread() that returns would go to user space. */
	do_exit(0);
}

static int ask_handler(const struct krg_rpc_request *req,
		       struct krg_rpc_reply *reply)
{
	const struct ask_wire *w = req->data;
	const struct krg_img_creds *creds = (const void *)(w + 1);
	struct ask_job *job;
	size_t creds_len;
	pid_t pid;

	if (req->len < sizeof(*w) + sizeof(*creds) ||
	    creds->ngroups > KRG_IMG_MAX_GROUPS)
		return -EPROTO;
	creds_len = struct_size(creds, groups, creds->ngroups);
	if (req->len != sizeof(*w) + creds_len ||
	    le32_to_cpu(w->flags) & ~KRG_CR_MIGRATE_FLAGS ||
	    !krg_pid_valid(le32_to_cpu(w->pid)))
		return -EPROTO;
	if (atomic_inc_return(&in_flight[req->src_node]) > ASK_PER_NODE) {
		atomic_dec(&in_flight[req->src_node]);
		return -EBUSY;
	}
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (job) {
		job->from = req->src_node;
		job->w = *w;
		job->creds = kmemdup(creds, creds_len, GFP_KERNEL);
		job->reply = job->creds ? krg_rpc_defer(req) : NULL;
	}
	if (!job || !job->reply) {
		if (job)
			kfree(job->creds);
		kfree(job);
		atomic_dec(&in_flight[req->src_node]);
		return -ENOMEM;
	}
	pid = krg_reaper_spawn(ask_fn, job, "krg_migrate");
	if (pid < 0) {
		krg_rpc_reply_later(job->reply, pid, NULL, 0);
		job_free(job);
	}
	return KRG_RPC_LATER;
}

/**
 * krg_migrate_ask - have node @runner, which runs @pid, migrate it to
 * @node, as the caller
 */
int krg_migrate_ask(int runner, pid_t pid, int node, unsigned int flags,
		    struct krg_cr_result *res)
{
	struct krg_rpc_reply reply;
	struct ask_wire *w;
	ssize_t len;
	int err;

	/* Its rights mean the same there only in the first user namespace. */
	if (current_user_ns() != &init_user_ns)
		return krg_cr_fail(res->msg, -EPERM,
				   "pid %d runs on node %d and the caller is in a user namespace of its own: migrate it from there",
				   pid, runner);
	w = kzalloc(sizeof(*w) + struct_size_t(struct krg_img_creds, groups,
					       KRG_IMG_MAX_GROUPS),
		    GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->pid = cpu_to_le32(pid);
	w->node = cpu_to_le32(node);
	w->flags = cpu_to_le32(flags & KRG_CR_MIGRATE_FLAGS);
	len = ghost_creds_save(current_cred(), (void *)(w + 1));
	if (len < 0)
		err = krg_cr_fail(res->msg, len, "more than %d groups",
				  KRG_IMG_MAX_GROUPS);
	else
		err = krg_rpc_call(runner, KRG_RPC_MIGRATE_ASK, w,
				   sizeof(*w) + len, &reply, ASK_TIMEOUT);
	kfree(w);
	if (err) {
		if (!res->msg[0])
			krg_cr_fail(res->msg, err,
				    "pid %d runs on node %d, which did not take the migration",
				    pid, runner);
		return err;
	}
	err = krg_migrate_result_read(&reply, runner, res, res->msg);
	krg_rpc_reply_free(&reply);
	return err;
}

/* Ask to migrate a PID no node allocates early, as root. */
static const struct {
	struct ask_wire w;
	struct krg_img_creds creds;
} __packed ask_sample = {
	.w.pid = cpu_to_le32(KRG_PID_LOCAL_MAX | 1 << KRG_PID_NODE_SHIFT),
	.w.node = cpu_to_le32(1),
};

static const struct krg_rpc_service ask_service = {
	.type = KRG_RPC_MIGRATE_ASK,
	.name = "migrate_ask",
	.handler = ask_handler,
	.sample = &ask_sample,
	.sample_len = sizeof(ask_sample),
};

int krg_migrate_ask_init(void)
{
	return krg_rpc_register(&ask_service);
}
