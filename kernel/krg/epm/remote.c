// SPDX-License-Identifier: GPL-2.0
/*
 * Restart on another node (restart --node N). The caller's node sends the
 * image's path, the flags and the caller's credentials to node N in a
 * KRG_RPC_RESTART request. There, the reaper of the cluster namespace
 * starts a kernel thread, its child, which takes on those credentials and
 * restarts the tree as a local restart does: the root is that thread's
 * child, and the reaper's once the thread is gone. The reply carries the
 * result, or the errno and the reason.
 *
 * Nodes trust each other's kernels: the credentials are taken as sent,
 * and the restart checks the image against them as it would locally.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched/task.h>
#include <linux/securebits.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <krg/epm.h>
#include <krg/node.h>
#include <krg/pid.h>
#include <krg/rpc.h>

#define REMOTE_GROUPS_MAX	1024
/* A restart reads the whole image: it may take long on a slow store. */
#define REMOTE_TIMEOUT		(600 * HZ)

/* The request, on the wire. */
struct remote_restart {
	u32 flags;
	u32 uid, euid, suid, fsuid;
	u32 gid, egid, sgid, fsgid;
	u64 cap_inheritable, cap_permitted, cap_effective, cap_bset;
	u64 cap_ambient;
	u32 securebits;
	u32 ngroups;
	u32 groups[REMOTE_GROUPS_MAX];
	char path[PATH_MAX];
} __packed;

/* The reply. */
struct remote_result {
	s32 err;
	s32 pid;
	u32 tasks;
	char msg[GHOST_MSG_LEN];
} __packed;

static void put_creds(struct remote_restart *rq, const struct cred *c)
{
	struct user_namespace *ns = &init_user_ns;
	u32 i;

	rq->uid = from_kuid_munged(ns, c->uid);
	rq->euid = from_kuid_munged(ns, c->euid);
	rq->suid = from_kuid_munged(ns, c->suid);
	rq->fsuid = from_kuid_munged(ns, c->fsuid);
	rq->gid = from_kgid_munged(ns, c->gid);
	rq->egid = from_kgid_munged(ns, c->egid);
	rq->sgid = from_kgid_munged(ns, c->sgid);
	rq->fsgid = from_kgid_munged(ns, c->fsgid);
	rq->cap_inheritable = c->cap_inheritable.val;
	rq->cap_permitted = c->cap_permitted.val;
	rq->cap_effective = c->cap_effective.val;
	rq->cap_bset = c->cap_bset.val;
	rq->cap_ambient = c->cap_ambient.val;
	rq->securebits = c->securebits;
	rq->ngroups = c->group_info->ngroups;
	for (i = 0; i < rq->ngroups; i++)
		rq->groups[i] = from_kgid_munged(ns, c->group_info->gid[i]);
}

/* The caller's credentials, on node N: those of the sender. */
static struct cred *get_creds(const struct remote_restart *rq)
{
	struct user_namespace *ns = &init_user_ns;
	struct group_info *gi;
	struct cred *c;
	u32 i;

	c = prepare_creds();
	gi = groups_alloc(rq->ngroups);
	if (!c || !gi)
		goto fail;
	c->uid = make_kuid(ns, rq->uid);
	c->euid = make_kuid(ns, rq->euid);
	c->suid = make_kuid(ns, rq->suid);
	c->fsuid = make_kuid(ns, rq->fsuid);
	c->gid = make_kgid(ns, rq->gid);
	c->egid = make_kgid(ns, rq->egid);
	c->sgid = make_kgid(ns, rq->sgid);
	c->fsgid = make_kgid(ns, rq->fsgid);
	c->cap_inheritable.val = rq->cap_inheritable & CAP_VALID_MASK;
	c->cap_permitted.val = rq->cap_permitted & CAP_VALID_MASK;
	c->cap_effective.val = rq->cap_effective & CAP_VALID_MASK;
	c->cap_bset.val = rq->cap_bset & CAP_VALID_MASK;
	c->cap_ambient.val = rq->cap_ambient & CAP_VALID_MASK;
	c->securebits = rq->securebits & (SECURE_ALL_BITS | SECURE_ALL_LOCKS);
	for (i = 0; i < rq->ngroups; i++)
		gi->gid[i] = make_kgid(ns, rq->groups[i]);
	groups_sort(gi);
	set_groups(c, gi);
	put_group_info(gi);
	return c;
fail:
	if (gi)
		put_group_info(gi);
	if (c)
		abort_creds(c);
	return NULL;
}

struct remote_job {
	const struct remote_restart *rq;
	struct remote_result *res;
	struct completion done;
};

/* On node N, a child of the reaper: the restart, as the caller. */
static int remote_restart_fn(void *arg)
{
	struct remote_job *job = arg;
	struct krg_cr_result res = {};
	const struct cred *old;
	struct cred *cred;
	struct file *dir;
	int err = -ENOMEM;

	cred = get_creds(job->rq);
	if (cred) {
		old = override_creds(cred);
		dir = filp_open(job->rq->path, O_RDONLY | O_DIRECTORY, 0);
		if (IS_ERR(dir)) {
			err = krg_cr_fail(res.msg, PTR_ERR(dir),
					  "cannot open the image %s",
					  job->rq->path);
		} else {
			err = krg_restart(dir, job->rq->flags, &res);
			fput(dir);
		}
		revert_creds(old);
		put_cred(cred);
	}
	job->res->err = err;
	job->res->pid = res.pid;
	job->res->tasks = res.tasks;
	strscpy(job->res->msg, res.msg, sizeof(job->res->msg));
	complete(&job->done);
	/* A kernel_thread() that returns would go to user space. */
	do_exit(0);
}

static int remote_restart_handler(const struct krg_rpc_request *req,
				  struct krg_rpc_reply *reply)
{
	const struct remote_restart *rq = req->data;
	struct remote_job job = { .rq = rq };
	pid_t pid;

	if (req->len != sizeof(*rq) || rq->ngroups > REMOTE_GROUPS_MAX ||
	    strnlen(rq->path, PATH_MAX) == PATH_MAX || rq->path[0] != '/')
		return -EPROTO;
	job.res = kvzalloc(sizeof(*job.res), GFP_KERNEL);
	if (!job.res)
		return -ENOMEM;
	init_completion(&job.done);
	pid = krg_reaper_spawn(remote_restart_fn, &job, "krg_restart");
	if (pid < 0) {
		job.res->err = krg_cr_fail(job.res->msg, pid,
					   "cannot start the restart");
	} else {
		wait_for_completion(&job.done);
	}
	reply->data = job.res;
	reply->len = sizeof(*job.res);
	return 0;
}

static const char *call_error(int err)
{
	switch (err) {
	case -EHOSTDOWN:
		return "is not in the cluster";
	case -ETIMEDOUT:
		return "did not answer in time (the restart may still end)";
	case -EBADRQC:
		return "cannot restart: its kernel is older";
	default:
		return "did not take the restart";
	}
}

/**
 * krg_restart_remote - restart the image at @path on node @node
 * @path: absolute, as node @node sees it (an image on /krg/shared)
 */
int krg_restart_remote(int node, const char *path, unsigned int flags,
		       struct krg_cr_result *res)
{
	struct krg_rpc_reply reply = {};
	const struct remote_result *rr;
	struct remote_restart *rq;
	int err;

	if (path[0] != '/' || strlen(path) >= PATH_MAX)
		return krg_cr_fail(res->msg, -EINVAL,
				   "the image path must be absolute");
	rq = kvzalloc(sizeof(*rq), GFP_KERNEL);
	if (!rq)
		return -ENOMEM;
	rq->flags = flags;
	strscpy(rq->path, path, sizeof(rq->path));
	put_creds(rq, current_cred());
	err = -E2BIG;
	if (rq->ngroups > REMOTE_GROUPS_MAX)
		krg_cr_fail(res->msg, err, "more than %d groups",
			    REMOTE_GROUPS_MAX);
	else
		err = krg_rpc_call(node, KRG_RPC_RESTART, rq, sizeof(*rq),
				   &reply, REMOTE_TIMEOUT);
	kvfree(rq);
	if (err) {
		if (!res->msg[0])
			krg_cr_fail(res->msg, err, "node %d %s", node,
				    call_error(err));
		return err;
	}
	rr = reply.data;
	if (reply.len != sizeof(*rr) || rr->err > 0 || rr->err < -MAX_ERRNO) {
		err = krg_cr_fail(res->msg, -EPROTO, "node %d: bad reply",
				  node);
	} else if (rr->err) {
		err = rr->err;
		snprintf(res->msg, sizeof(res->msg), "node %d: %.*s", node,
			 (int)sizeof(rr->msg), rr->msg);
	} else {
		res->pid = rr->pid;
		res->tasks = rr->tasks;
	}
	krg_rpc_reply_free(&reply);
	return err;
}

int krg_remote_restart_init(void)
{
	return krg_rpc_register(KRG_RPC_RESTART, remote_restart_handler);
}
