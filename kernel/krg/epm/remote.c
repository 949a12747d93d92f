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
#include <linux/slab.h>
#include <krg/epm.h>
#include <krg/ghost_task.h>
#include <krg/node.h>
#include <krg/pid.h>
#include <krg/rpc.h>

/* A restart reads the whole image: it may take long on a slow store. */
#define REMOTE_TIMEOUT		(600 * HZ)

/* The request, on the wire: then the caller's credentials, as in an image. */
struct remote_restart {
	u32 flags;
	char path[PATH_MAX];
} __packed;

/* The reply. */
struct remote_result {
	s32 err;
	s32 pid;
	u32 tasks;
	char msg[GHOST_MSG_LEN];
} __packed;

struct remote_job {
	const struct remote_restart *rq;
	const struct krg_img_creds *creds;
	int node;
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
	int err;

	cred = ghost_creds_make(job->creds);
	if (IS_ERR(cred)) {
		err = krg_cr_fail(res.msg, PTR_ERR(cred),
				  "bad credentials from node %d", job->node);
	} else {
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
	const struct krg_img_creds *creds = (const void *)(rq + 1);
	struct remote_job job = {
		.rq = rq, .creds = creds, .node = req->src_node,
	};
	pid_t pid;

	if (req->len < sizeof(*rq) + sizeof(*creds) ||
	    creds->ngroups > KRG_IMG_MAX_GROUPS ||
	    req->len != sizeof(*rq) + struct_size(creds, groups, creds->ngroups) ||
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
	ssize_t len;
	int err;

	if (path[0] != '/' || strlen(path) >= PATH_MAX)
		return krg_cr_fail(res->msg, -EINVAL,
				   "the image path must be absolute");
	rq = kvzalloc(sizeof(*rq) + struct_size_t(struct krg_img_creds, groups,
						  KRG_IMG_MAX_GROUPS),
		      GFP_KERNEL);
	if (!rq)
		return -ENOMEM;
	rq->flags = flags;
	strscpy(rq->path, path, sizeof(rq->path));
	len = ghost_creds_save(current_cred(), (void *)(rq + 1));
	if (len < 0)
		err = krg_cr_fail(res->msg, len, "more than %d groups",
				  KRG_IMG_MAX_GROUPS);
	else
		err = krg_rpc_call(node, KRG_RPC_RESTART, rq, sizeof(*rq) + len,
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
