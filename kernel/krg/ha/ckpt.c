// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint sets of an application on stable storage, and restart from
 * them: the services checkpointing policies stand on.
 *
 * The store is the shared filesystem tier, KRG_HA_STORE on every node
 * (the nodes mount the same directory there). An application has two
 * slots, KRG_HA_STORE/ID/0 and /1; set number G goes to slot G % 2, so
 * the slot of the last committed set is never written while the next set
 * is taken. A set is committed when the policy records its number in
 * the application (krg_ha_app.committed), which the framework publishes
 * to every node: a set that failed half-way is never restarted from.
 *
 * KRG_RPC_HA_CKPT asks the node that runs the root to checkpoint the
 * tree into a slot (krg_checkpoint(): frozen together, saved, fsync()ed,
 * running again); it answers with how it went and how long the tree
 * stood frozen. The whole tree must run on that node.
 *
 * Both wear the credentials the application's root had at attach: a set
 * is what its own user could checkpoint, and it restarts as that user.
 */
#define pr_fmt(fmt) "krg: ha: " fmt

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <krg/epm.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include <krg/rpc.h>
#include "ha_internal.h"

/* A checkpoint of a big tree takes a while under emulation. */
#define CKPT_TIMEOUT	(300 * HZ)

struct ckpt_wire {
	__le32 id;
	__le32 root;
	__le32 slot;		/* 0 or 1 */
} __packed;

struct ckpt_reply {
	__le32 err;		/* 0 or a positive errno */
	__le64 frozen_ns;
	char msg[GHOST_MSG_LEN];
} __packed;

struct ckpt_job {
	struct ckpt_wire w;
	struct krg_rpc_later *reply;
};

/* Make directory @path (@mode) unless it exists. */
static int mkdir_one(const char *path, umode_t mode)
{
	struct dentry *d;
	struct path parent;
	int err;

	d = kern_path_create(AT_FDCWD, path, &parent, LOOKUP_DIRECTORY);
	if (IS_ERR(d))
		return PTR_ERR(d) == -EEXIST ? 0 : PTR_ERR(d);
	err = vfs_mkdir(mnt_idmap(parent.mnt), d_inode(parent.dentry), d, mode);
	done_path_create(&parent, d);
	return err;
}

/*
 * The store: root's, written by no one else (mode 0711: an application's
 * directory is reached by name only), made if need be.
 */
static int store_check(char *msg)
{
	struct path path;
	struct inode *inode;
	int err = mkdir_one(KRG_HA_STORE, 0711);

	if (!err)
		err = kern_path(KRG_HA_STORE, LOOKUP_DIRECTORY, &path);
	if (err) {
		snprintf(msg, GHOST_MSG_LEN, "cannot make %s", KRG_HA_STORE);
		return err;
	}
	inode = d_inode(path.dentry);
	if (!uid_eq(inode->i_uid, GLOBAL_ROOT_UID) || inode->i_mode & 0022) {
		snprintf(msg, GHOST_MSG_LEN,
			 "%s is not root's, or others may write it",
			 KRG_HA_STORE);
		err = -EPERM;
	}
	path_put(&path);
	return err;
}

/*
 * KRG_HA_STORE/@id/@slot, made if need be by the application's own
 * credentials (current), opened.
 */
static struct file *slot_open(u32 id, u32 slot, char *msg)
{
	char *path = kmalloc(PATH_MAX, GFP_KERNEL);
	struct file *dir;
	int err;

	if (!path)
		return ERR_PTR(-ENOMEM);
	snprintf(path, PATH_MAX, "%s/%u", KRG_HA_STORE, id);
	err = mkdir_one(path, 0700);
	snprintf(path, PATH_MAX, "%s/%u/%u", KRG_HA_STORE, id, slot);
	err = err ?: mkdir_one(path, 0700);
	dir = err ? ERR_PTR(err) : filp_open(path, O_RDONLY | O_DIRECTORY, 0);
	if (IS_ERR(dir))
		snprintf(msg, GHOST_MSG_LEN, "cannot make or open %s", path);
	kfree(path);
	return dir;
}

/* A child of the reaper, on the node that runs the root. */
static int ckpt_fn(void *arg)
{
	struct ckpt_job *job = arg;
	struct krg_cr_result res = {};
	struct ckpt_reply r = {};
	const struct cred *old;
	struct cred *cred;
	struct file *dir;
	int err;

	err = store_check(res.msg);
	cred = err ? NULL : ha_app_cred(le32_to_cpu(job->w.id));
	if (IS_ERR(cred)) {
		err = krg_cr_fail(res.msg, PTR_ERR(cred),
				  "application %u has no credentials here",
				  le32_to_cpu(job->w.id));
	} else if (cred) {
		/* As the application's own user would checkpoint it. */
		old = override_creds(cred);
		dir = slot_open(le32_to_cpu(job->w.id),
				le32_to_cpu(job->w.slot), res.msg);
		if (IS_ERR(dir)) {
			err = PTR_ERR(dir);
		} else {
			err = krg_checkpoint(le32_to_cpu(job->w.root), dir, 0,
					     &res);
			fput(dir);
		}
		revert_creds(old);
		put_cred(cred);
	}
	r.err = cpu_to_le32(-err);
	r.frozen_ns = cpu_to_le64(res.frozen_ns);
	strscpy(r.msg, res.msg, sizeof(r.msg));
	krg_rpc_reply_later(job->reply, 0, &r, sizeof(r));
	kfree(job);
	/* A kernel_thread() that returns would go to user space. */
	do_exit(0);
}

/* Does @pid's process run here (not a shadow, not a moved original)? */
static bool runs_here(pid_t pid)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct task_struct *t;
	bool here;

	rcu_read_lock();
	t = ns ? pid_task(find_pid_ns(pid, ns), PIDTYPE_TGID) : NULL;
	here = t && !t->exit_state;
	rcu_read_unlock();
	return here && !krg_location_elsewhere(pid);
}

static int ckpt_handler(const struct krg_rpc_request *req,
			struct krg_rpc_reply *reply)
{
	const struct ckpt_wire *w = req->data;
	struct ckpt_job *job;
	pid_t pid;

	if (req->len != sizeof(*w) || !krg_pid_valid(le32_to_cpu(w->id)) ||
	    !krg_pid_valid(le32_to_cpu(w->root)) || le32_to_cpu(w->slot) > 1)
		return -EPROTO;
	/* Answered at once: the caller may be asking every node. */
	if (!runs_here(le32_to_cpu(w->root)))
		return -ESRCH;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	job->w = *w;
	job->reply = krg_rpc_defer(req);
	if (!job->reply) {
		kfree(job);
		return -ENOMEM;
	}
	pid = krg_reaper_spawn(ckpt_fn, job, "krg_ha_ckpt");
	if (pid < 0) {
		krg_rpc_reply_later(job->reply, pid, NULL, 0);
		kfree(job);
	}
	return KRG_RPC_LATER;
}

/**
 * krg_ha_app_checkpoint - save @app's tree as checkpoint set @set
 * @frozen_ns: how long the tree stood frozen
 *
 * The tree runs on: the set is only written, into slot @set % 2. The
 * caller commits it by setting @app->committed to @set.
 *
 * Return: 0, or -errno with a line in the log of the node that ran it.
 */
int krg_ha_app_checkpoint(const struct krg_ha_app *app, u32 set,
			  u64 *frozen_ns)
{
	struct ckpt_wire w = {
		.id = cpu_to_le32(app->id),
		.root = cpu_to_le32(app->root),
		.slot = cpu_to_le32(set % 2),
	};
	struct krg_nodemask to;
	struct krg_rpc_reply reply;
	const struct ckpt_reply *r;
	int node, err = -ESRCH;

	/* Where the directory says, else each node of its footprint. */
	krg_nodemask_clear(&to);
	node = krg_locate(app->root);
	if (node >= 0)
		krg_node_set(node, &to);
	else if (node != -ESRCH)
		to = app->footprint;
	for_each_krg_node(node, &to) {
		err = krg_rpc_call(node, KRG_RPC_HA_CKPT, &w, sizeof(w),
				   &reply, CKPT_TIMEOUT);
		if (err != -ESRCH)
			break;
	}
	if (err)
		return err;
	r = reply.data;
	if (reply.len != sizeof(*r)) {
		err = -EPROTO;
	} else {
		err = -(int)le32_to_cpu(r->err);
		*frozen_ns = le64_to_cpu(r->frozen_ns);
		if (err)
			pr_warn("application %u: set %u not saved on node %d: %.*s\n",
				app->id, set, node, GHOST_MSG_LEN, r->msg);
	}
	krg_rpc_reply_free(&reply);
	return err;
}
EXPORT_SYMBOL_GPL(krg_ha_app_checkpoint);

/**
 * krg_ha_app_restart - restart @app on @node from its committed set
 *
 * Its tasks come back with their PIDs (so @app->root is the same) and
 * their tags; @node counts itself in before they run.
 *
 * Return: 0, -ENOENT if no set is committed, or -errno.
 */
int krg_ha_app_restart(struct krg_ha_app *app, int node)
{
	struct krg_cr_result res = {};
	const struct cred *old;
	struct cred *cred;
	char *path;
	int err;

	if (!app->committed)
		return -ENOENT;
	cred = ha_app_cred(app->id);
	if (IS_ERR(cred))
		return PTR_ERR(cred);
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path) {
		put_cred(cred);
		return -ENOMEM;
	}
	snprintf(path, PATH_MAX, "%s/%u/%u", KRG_HA_STORE, app->id,
		 app->committed % 2);
	/* As the application's own user would restart it. */
	old = override_creds(cred);
	err = krg_restart_remote(node, path, 0, &res);
	revert_creds(old);
	put_cred(cred);
	if (err)
		pr_warn("application %u: restart of set %u on node %d: %s (%d)\n",
			app->id, app->committed, node, res.msg, err);
	else
		krg_node_set(node, &app->footprint);
	kfree(path);
	return err;
}
EXPORT_SYMBOL_GPL(krg_ha_app_restart);

static const struct ckpt_wire ckpt_sample = {
	.id = cpu_to_le32(KRG_PID_LOCAL_MAX | 1 << KRG_PID_NODE_SHIFT),
	.root = cpu_to_le32(KRG_PID_LOCAL_MAX | 1 << KRG_PID_NODE_SHIFT),
};

static const struct krg_rpc_service ckpt_service = {
	.type = KRG_RPC_HA_CKPT,
	.name = "ha checkpoint",
	.handler = ckpt_handler,
	.sample = &ckpt_sample,
	.sample_len = sizeof(ckpt_sample),
};

int ha_ckpt_init(void)
{
	return krg_rpc_register(&ckpt_service);
}
