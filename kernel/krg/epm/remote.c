// SPDX-License-Identifier: GPL-2.0
/*
 * Restart on another node (restart --node N). The caller's node sends the
 * image's path, the flags, the caller's resource limits and
 * no_new_privs, and its credentials, in a KRG_RPC_RESTART request. There,
 * the reaper of the cluster namespace starts a kernel thread, its child,
 * which takes on those limits and credentials and restarts the tree as a
 * local restart does: the root is that thread's child, and the reaper's
 * once the thread is gone. The thread sends the reply when the restart is
 * done (the handler does not keep an RPC worker meanwhile): the result,
 * or the errno and the reason.
 *
 * A restart on node N grants nothing a local restart by the same caller
 * would not. Node N's kernel is trusted (only krg kernels speak krg RPC),
 * so what the caller's node sends is what the caller has: the restart
 * checks the image against those credentials and limits as it would
 * locally. What cannot be carried across (a mount, network or user
 * namespace, a chroot, a seccomp filter, a cgroup) refuses the request on
 * the caller's node: such a caller restarts on its own node. A node takes
 * at most REMOTE_PER_NODE restarts at a time from each node.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/nsproxy.h>
#include <linux/path.h>
#include <linux/resource.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seccomp.h>
#include <linux/slab.h>
#include <uapi/linux/krg_netlink.h>
#include <krg/epm.h>
#include <krg/ghost_task.h>
#include <krg/node.h>
#include <krg/pid.h>
#include <krg/rpc.h>

/* A restart reads the whole image: it may take long on a slow store. */
#define REMOTE_TIMEOUT		(600 * HZ)
#define REMOTE_PER_NODE		4

/* The request, on the wire: then the caller's credentials, as in an image. */
struct remote_restart {
	__le32 flags;
	__le32 no_new_privs;
	struct {
		__le64 cur, max;
	} rlim[KRG_IMG_NLIMITS];
	char path[PATH_MAX];
} __packed;

/* The reply. */
struct remote_result {
	__le32 err;
	__le32 pid;
	__le32 tasks;
	__le32 processes;
	char msg[GHOST_MSG_LEN];
} __packed;

/* On node N: one restart asked by another node. */
struct remote_job {
	struct remote_restart rq;
	struct krg_img_creds *creds;
	int node;
	struct krg_rpc_later *reply;
};

static atomic_t in_flight[KRG_MAX_NODES];

static void job_free(struct remote_job *job)
{
	atomic_dec(&in_flight[job->node]);
	kfree(job->creds);
	kfree(job);
}

/* The caller's limits and no_new_privs, on this kernel thread. */
static void take_limits(const struct remote_restart *rq)
{
	struct rlimit *r = current->signal->rlim;
	int i;

	task_lock(current->group_leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		r[i].rlim_cur = le64_to_cpu(rq->rlim[i].cur);
		r[i].rlim_max = le64_to_cpu(rq->rlim[i].max);
	}
	task_unlock(current->group_leader);
	if (le32_to_cpu(rq->no_new_privs))
		task_set_no_new_privs(current);
}

static void send_result(struct remote_job *job, int err,
			const struct krg_cr_result *res)
{
	struct remote_result rr = {
		.err = cpu_to_le32(err),
		.pid = cpu_to_le32(res->pid),
		.tasks = cpu_to_le32(res->tasks),
		.processes = cpu_to_le32(res->processes),
	};

	strscpy(rr.msg, res->msg, sizeof(rr.msg));
	krg_rpc_reply_later(job->reply, 0, &rr, sizeof(rr));
}

/* On node N, a child of the reaper: the restart, as the caller. */
static int remote_restart_fn(void *arg)
{
	struct remote_job *job = arg;
	struct krg_cr_result res = {};
	const struct cred *old;
	struct cred *cred;
	struct file *dir;
	int err;

	take_limits(&job->rq);
	cred = ghost_creds_make(job->creds);
	if (IS_ERR(cred)) {
		err = krg_cr_fail(res.msg, PTR_ERR(cred),
				  "bad credentials from node %d", job->node);
	} else {
		old = override_creds(cred);
		dir = filp_open(job->rq.path, O_RDONLY | O_DIRECTORY, 0);
		if (IS_ERR(dir)) {
			err = krg_cr_fail(res.msg, PTR_ERR(dir),
					  "cannot open the image %s",
					  job->rq.path);
		} else {
			err = krg_restart(dir, le32_to_cpu(job->rq.flags), &res);
			fput(dir);
		}
		revert_creds(old);
		put_cred(cred);
	}
	send_result(job, err, &res);
	job_free(job);
	/* A kernel_thread() that returns would go to user space. */
	do_exit(0);
}

static bool bad_request(const struct remote_restart *rq)
{
	int i;

	if (le32_to_cpu(rq->flags) & ~KRG_CR_RESTART_FLAGS ||
	    le32_to_cpu(rq->no_new_privs) > 1 ||
	    strnlen(rq->path, PATH_MAX) == PATH_MAX || rq->path[0] != '/')
		return true;
	for (i = 0; i < RLIM_NLIMITS; i++)
		if (le64_to_cpu(rq->rlim[i].cur) > le64_to_cpu(rq->rlim[i].max))
			return true;
	return le64_to_cpu(rq->rlim[RLIMIT_NOFILE].max) > sysctl_nr_open;
}

static int remote_restart_handler(const struct krg_rpc_request *req,
				  struct krg_rpc_reply *reply)
{
	const struct remote_restart *rq = req->data;
	const struct krg_img_creds *creds = (const void *)(rq + 1);
	struct krg_cr_result res = {};
	struct remote_job *job;
	size_t creds_len;
	pid_t pid;

	if (req->len < sizeof(*rq) + sizeof(*creds) ||
	    creds->ngroups > KRG_IMG_MAX_GROUPS)
		return -EPROTO;
	creds_len = struct_size(creds, groups, creds->ngroups);
	if (req->len != sizeof(*rq) + creds_len || bad_request(rq))
		return -EPROTO;
	if (atomic_inc_return(&in_flight[req->src_node]) > REMOTE_PER_NODE) {
		atomic_dec(&in_flight[req->src_node]);
		return -EBUSY;
	}
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (job) {
		job->node = req->src_node;
		job->rq = *rq;
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
	pid = krg_reaper_spawn(remote_restart_fn, job, "krg_restart");
	if (pid < 0) {
		send_result(job, krg_cr_fail(res.msg, pid,
					     "cannot start the restart"), &res);
		job_free(job);
	}
	return KRG_RPC_LATER;
}

/* In this kernel's first namespaces, root and cgroup, unfiltered? */
static const char *confinement(void)
{
	struct nsproxy *ns = current->nsproxy;
	struct path root;
	bool other_root;

	if (ns->mnt_ns != init_nsproxy.mnt_ns ||
	    ns->net_ns != init_nsproxy.net_ns ||
	    ns->uts_ns != init_nsproxy.uts_ns ||
	    ns->ipc_ns != init_nsproxy.ipc_ns ||
	    current_user_ns() != &init_user_ns)
		return "a namespace of its own";
#ifdef CONFIG_CGROUPS
	if (ns->cgroup_ns != init_nsproxy.cgroup_ns)
		return "a namespace of its own";
	rcu_read_lock();
	other_root = cgroup_parent(task_dfl_cgroup(current));
	rcu_read_unlock();
	if (other_root)
		return "a cgroup";
#endif
#ifdef CONFIG_TIME_NS
	if (ns->time_ns != init_nsproxy.time_ns)
		return "a namespace of its own";
#endif
#ifdef CONFIG_SECCOMP
	if (READ_ONCE(current->seccomp.mode) != SECCOMP_MODE_DISABLED)
		return "a seccomp filter";
#endif
	get_fs_root(current->fs, &root);
	other_root = root.mnt != init_task.fs->root.mnt ||
		     root.dentry != init_task.fs->root.dentry;
	path_put(&root);
	return other_root ? "a chroot" : NULL;
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
	case -EBUSY:
		return "is busy with restarts from this node: try again";
	default:
		return "did not take the restart";
	}
}

static struct remote_restart *request_new(const char *path,
					  unsigned int flags, ssize_t *len)
{
	struct remote_restart *rq;
	int i;

	rq = kvzalloc(sizeof(*rq) + struct_size_t(struct krg_img_creds, groups,
						  KRG_IMG_MAX_GROUPS),
		      GFP_KERNEL);
	if (!rq)
		return NULL;
	rq->flags = cpu_to_le32(flags);
	rq->no_new_privs = cpu_to_le32(task_no_new_privs(current));
	task_lock(current->group_leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		rq->rlim[i].cur = cpu_to_le64(current->signal->rlim[i].rlim_cur);
		rq->rlim[i].max = cpu_to_le64(current->signal->rlim[i].rlim_max);
	}
	task_unlock(current->group_leader);
	strscpy(rq->path, path, sizeof(rq->path));
	*len = ghost_creds_save(current_cred(), (void *)(rq + 1));
	return rq;
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
	const char *confined;
	ssize_t len;
	int err;

	if (path[0] != '/' || strlen(path) >= PATH_MAX)
		return krg_cr_fail(res->msg, -EINVAL,
				   "the image path must be absolute");
	confined = confinement();
	if (confined)
		return krg_cr_fail(res->msg, -EPERM,
				   "the caller is in %s: restart on its own node",
				   confined);
	rq = request_new(path, flags, &len);
	if (!rq)
		return -ENOMEM;
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
	if (reply.len != sizeof(*rr) || (s32)le32_to_cpu(rr->err) > 0 ||
	    (s32)le32_to_cpu(rr->err) < -MAX_ERRNO) {
		err = krg_cr_fail(res->msg, -EPROTO, "node %d: bad reply",
				  node);
	} else if (rr->err) {
		err = (s32)le32_to_cpu(rr->err);
		snprintf(res->msg, sizeof(res->msg), "node %d: %.*s", node,
			 (int)sizeof(rr->msg), rr->msg);
	} else {
		res->pid = le32_to_cpu(rr->pid);
		res->tasks = le32_to_cpu(rr->tasks);
		res->processes = le32_to_cpu(rr->processes);
	}
	krg_rpc_reply_free(&reply);
	return err;
}

/* A request as a root caller's would be, of an image that is not there. */
static const struct {
	struct remote_restart rq;
	struct krg_img_creds creds;
} __packed remote_sample = {
	.rq.rlim[RLIMIT_NOFILE] = { cpu_to_le64(1024), cpu_to_le64(1024) },
	.rq.path = "/krg/shared/rpc-fuzz-sample.img",
};

static const struct krg_rpc_service remote_restart_service = {
	.type = KRG_RPC_RESTART,
	.name = "restart",
	.handler = remote_restart_handler,
	.sample = &remote_sample,
	.sample_len = sizeof(remote_sample),
};

int krg_remote_restart_init(void)
{
	return krg_rpc_register(&remote_restart_service);
}
