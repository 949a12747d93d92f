// SPDX-License-Identifier: GPL-2.0
/*
 * Migration of a process, or of a tree (KRG_CR_TREE), from this node to
 * another (KRG_CMD_MIGRATE). It is a checkpoint with a hand-off
 * (epm/checkpoint.c): the tree is frozen and exported, as a checkpoint
 * does, into a private tmpfs mount that no path reaches; then, still
 * frozen, its image is streamed to the other node (migrate_in.c), which
 * restarts it with the same PIDs and TIDs. Only once that restart has won
 * does the tree end here; on any failure it resumes here as it was. So a
 * process runs on exactly one node, whatever fails on the way:
 *
 *   - the other node leaves before it answers: the tree resumes here (a
 *     restart there went with it);
 *   - it answers late (a timeout): the tree ends here only if the other
 *     node runs it (restart's check of other nodes, epm/elsewhere.c);
 *   - the caller is killed meanwhile: the wait for the answer goes on in
 *     a kernel thread, and so does the migration;
 *   - this node crashes: the process is lost only if the other node had
 *     not restarted it yet.
 *
 * From its freeze on, the tree's tasks here are "leaving" to that node
 * (krg_location_leaving()): they no longer count as running here, for the
 * location directory and for that node's restart, which takes their PIDs;
 * any other restart of them still finds them here.
 *
 * What confines a task (a namespace, chroot, cgroup, seccomp filter,
 * no_new_privs) would not survive the move: such a task is refused
 * (krg_migrate_confinement()).
 *
 * Where the process goes, its parent does not: if that parent is not this
 * node's reaper, the root stays here as the process's shadow
 * (epm/shadow.c), through which the parent's wait() and signals work. A
 * process that migrates again hands its shadow on: it has one at most.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/cgroup.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/nsproxy.h>
#include <linux/path.h>
#include <linux/proc_ns.h>
#include <linux/seccomp.h>
#include <linux/mount.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <uapi/linux/krg_netlink.h>
#include <krg/cap.h>
#include <krg/epm.h>
#include <krg/membership.h>
#include <krg/node.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include <krg/rpc.h>
#include "migrate.h"

/* The restart there reads the whole image: it may take long. */
#define RUN_TIMEOUT	(600 * HZ)

struct migration {
	struct krg_handoff h;
	int node;
	u32 id;
	struct vfsmount *mnt;
	struct krg_cr_result *res;
};

static atomic_t next_id = ATOMIC_INIT(0);

/* A MIGRATE_RUN or MIGRATE_ASK reply, of @err and @res. */
void krg_migrate_result_fill(struct migrate_result *rr, int err,
			     const struct krg_cr_result *res)
{
	memset(rr, 0, sizeof(*rr));
	rr->err = cpu_to_le32(err);
	rr->pid = cpu_to_le32(res->pid);
	rr->tasks = cpu_to_le32(res->tasks);
	rr->processes = cpu_to_le32(res->processes);
	rr->frozen_ns = cpu_to_le64(res->frozen_ns);
	rr->bytes = cpu_to_le64(res->bytes);
	strscpy(rr->msg, res->msg, sizeof(rr->msg));
}

/*
 * Read such a reply from @node: its error, with @node's reason in @msg,
 * or 0 and @res filled (but its msg).
 */
int krg_migrate_result_read(const struct krg_rpc_reply *reply, int node,
			    struct krg_cr_result *res, char *msg)
{
	const struct migrate_result *rr = reply->data;
	int err;

	if (reply->len != sizeof(*rr) || (s32)le32_to_cpu(rr->err) > 0 ||
	    (s32)le32_to_cpu(rr->err) < -MAX_ERRNO)
		return krg_cr_fail(msg, -EPROTO, "node %d: bad reply", node);
	err = (s32)le32_to_cpu(rr->err);
	if (err) {
		snprintf(msg, GHOST_MSG_LEN, "node %d: %.*s", node,
			 (int)sizeof(rr->msg), rr->msg);
		return err;
	}
	res->pid = le32_to_cpu(rr->pid);
	res->tasks = le32_to_cpu(rr->tasks);
	res->processes = le32_to_cpu(rr->processes);
	res->frozen_ns = le64_to_cpu(rr->frozen_ns);
	res->bytes = le64_to_cpu(rr->bytes);
	return 0;
}

static int call(const struct migration *m, struct migrate_wire *w,
		size_t len, struct krg_rpc_reply *reply, unsigned long timeout)
{
	struct krg_rpc_reply none;
	int err;

	w->id = cpu_to_le32(m->id);
	err = krg_rpc_call(m->node, KRG_RPC_MIGRATE, w, len,
			   reply ?: &none, timeout);
	if (!err && !reply)
		krg_rpc_reply_free(&none);
	return err;
}

/* The names of the image's files, as the directory lists them. */
struct names {
	struct dir_context ctx;
	char (*name)[KRG_IMAGE_NAME_MAX];
	unsigned int n, max;
	bool bad;
};

static bool add_name(struct dir_context *ctx, const char *name, int len,
		     loff_t off, u64 ino, unsigned int type)
{
	struct names *nm = container_of(ctx, struct names, ctx);

	if (type != DT_REG)
		return true;
	if (nm->n == nm->max || len >= KRG_IMAGE_NAME_MAX) {
		nm->bad = true;
		return false;
	}
	memcpy(nm->name[nm->n], name, len);
	nm->name[nm->n++][len] = '\0';
	return true;
}

static int send_file(struct migration *m, const char *name,
		     struct migrate_wire *w)
{
	loff_t pos = 0, at;
	struct file *f;
	ssize_t n;
	int err = 0;

	f = file_open_root_mnt(m->mnt, name, O_RDONLY | O_LARGEFILE, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	w->op = cpu_to_le32(MIGRATE_PART);
	strscpy(w->name, name, sizeof(w->name));
	do {
		at = pos;
		n = kernel_read(f, w + 1, KRG_MIGRATE_CHUNK, &pos);
		if (n < 0) {
			err = n;
			break;
		}
		w->offset = cpu_to_le64(at);
		/* An empty file is sent too: it must exist there. */
		if (n || !at)
			err = call(m, w, sizeof(*w) + n, NULL, KRG_RPC_TIMEOUT);
		m->res->bytes += n;
	} while (!err && n);
	fput(f);
	return err;
}

static int send_image(struct migration *m, char *msg)
{
	struct names nm = { .ctx.actor = add_name,
			    .max = KRG_IMAGE_MAX_TASKS + 1 };
	struct migrate_wire *w;
	struct file *dir;
	unsigned int i;
	int err;

	nm.name = kvcalloc(nm.max, sizeof(*nm.name), GFP_KERNEL);
	w = kvmalloc(sizeof(*w) + KRG_MIGRATE_CHUNK, GFP_KERNEL);
	dir = file_open_root_mnt(m->mnt, "/", O_RDONLY | O_DIRECTORY, 0);
	err = IS_ERR(dir) ? PTR_ERR(dir) : !nm.name || !w ? -ENOMEM : 0;
	if (!err)
		err = iterate_dir(dir, &nm.ctx);
	if (!err && nm.bad)
		err = -E2BIG;
	memset(w, 0, w ? sizeof(*w) : 0);
	for (i = 0; !err && i < nm.n; i++)
		err = send_file(m, nm.name[i], w);
	if (err)
		krg_cr_fail(msg, err, "cannot send the image to node %d",
			    m->node);
	if (!IS_ERR(dir))
		fput(dir);
	kvfree(w);
	kvfree(nm.name);
	return err;
}

/**
 * krg_migrate_confinement - what confines @t that a move would drop
 *
 * The node it goes to restarts it in its first namespaces, root and
 * cgroup, with its credentials as they read in the first user namespace:
 * a task confined otherwise would leave its confinement (and a user
 * namespace's capabilities would become real ones). A mount namespace
 * that root made (krgrun makes one, for the cluster's /proc) is no
 * confinement as long as its root is the first one's. Return: what, or
 * NULL.
 */
const char *krg_migrate_confinement(struct task_struct *t)
{
	struct ns_common *mnt;
	struct nsproxy *ns;
	const char *why = NULL;
	struct path root = {};

	if (task_active_pid_ns(t) != krg_pid_ns())
		return "a PID namespace of its own";
	rcu_read_lock();
	if (__task_cred(t)->user_ns != &init_user_ns)
		why = "a user namespace of its own";
	rcu_read_unlock();
	if (why)
		return why;
	if (task_no_new_privs(t))
		return "no_new_privs";
#ifdef CONFIG_SECCOMP
	if (READ_ONCE(t->seccomp.mode) != SECCOMP_MODE_DISABLED)
		return "a seccomp filter";
#endif
	task_lock(t);
	ns = t->nsproxy;
	if (!ns || ns->net_ns != init_nsproxy.net_ns ||
	    ns->uts_ns != init_nsproxy.uts_ns ||
	    ns->ipc_ns != init_nsproxy.ipc_ns ||
#ifdef CONFIG_CGROUPS
	    ns->cgroup_ns != init_nsproxy.cgroup_ns ||
#endif
#ifdef CONFIG_TIME_NS
	    ns->time_ns != init_nsproxy.time_ns ||
#endif
	    false)
		why = "a namespace of its own";
	if (!why && t->fs)
		get_fs_root(t->fs, &root);
	task_unlock(t);
	if (why)
		return why;
	mnt = mntns_operations.get(t);
	if (!mnt || mntns_operations.owner(mnt) != &init_user_ns)
		why = "a mount namespace of a user namespace";
	if (mnt)
		mntns_operations.put(mnt);
	if (!why && root.dentry && root.dentry != init_task.fs->root.dentry)
		why = "a chroot";
	path_put(&root);
#ifdef CONFIG_CGROUPS
	rcu_read_lock();
	if (!why && cgroup_parent(task_dfl_cgroup(t)))
		why = "a cgroup";
	rcu_read_unlock();
#endif
	return why;
}

/* Its parent is this node's reaper: no one here waits for it. */
static bool reaper_child(pid_t pid)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct task_struct *t;
	bool reaper;

	rcu_read_lock();
	t = find_task_by_pid_ns(pid, ns);
	/* Or still the kernel thread that restarted it: it goes, too. */
	reaper = t && (rcu_dereference(t->real_parent) == ns->child_reaper ||
		       rcu_dereference(t->real_parent)->flags & PF_KTHREAD);
	rcu_read_unlock();
	return reaper;
}

/* Restart it there; 0 once it runs there. */
static int run_there(struct migration *m, pid_t root, int relay,
		     const s32 *pids, unsigned int n, char *msg)
{
	struct migrate_wire w = {
		.op = cpu_to_le32(MIGRATE_RUN),
		.root = cpu_to_le32(root),
		.relay = cpu_to_le32(relay),
	};
	struct krg_cr_result got = {};
	struct krg_rpc_reply reply;
	int err;

	err = call(m, &w, sizeof(w), &reply, RUN_TIMEOUT);
	if (err == -EHOSTDOWN)
		return krg_cr_fail(msg, err, "node %d left the cluster",
				   m->node);
	if (err) {
		/* Did it restart? Then it runs there, and only there. */
		if (krg_pids_alive_elsewhere(pids, n, msg) == -EBUSY) {
			pr_warn("migration of %d: node %d answered late (%d), but runs it\n",
				root, m->node, err);
			msg[0] = '\0';
			return 0;
		}
		return krg_cr_fail(msg, err, "node %d did not restart it",
				   m->node);
	}
	err = krg_migrate_result_read(&reply, m->node, &got, msg);
	krg_rpc_reply_free(&reply);
	if (!err) {
		m->res->tasks = got.tasks;
		m->res->processes = got.processes;
	}
	return err;
}

/*
 * The outcome of the restart there decides where the process runs: the
 * wait for it must not end early because the caller was killed (it
 * would resume here while it runs there). A child of the reaper waits
 * for it; the caller waits for that child, whatever signal comes.
 */
struct run_call {
	struct migration *m;
	pid_t root;
	int relay;
	const s32 *pids;
	unsigned int n;
	char *msg;
	int err;
	struct completion done;
};

static int run_fn(void *arg)
{
	struct run_call *rc = arg;

	rc->err = run_there(rc->m, rc->root, rc->relay, rc->pids, rc->n,
			    rc->msg);
	complete(&rc->done);
	/* A kernel_thread() that returns would go to user space. */
	do_exit(0);
}

static int run(struct migration *m, pid_t root, int relay,
	       const s32 *pids, unsigned int n, char *msg)
{
	struct run_call rc = { .m = m, .root = root, .relay = relay,
			       .pids = pids, .n = n, .msg = msg };
	pid_t pid;

	init_completion(&rc.done);
	pid = krg_reaper_spawn(run_fn, &rc, "krg_migrate");
	if (pid < 0)
		return krg_cr_fail(msg, pid, "cannot start the migration");
	wait_for_completion_state(&rc.done, TASK_IDLE);
	return rc.err;
}

/* The tree is frozen, its image complete: the other node takes it. */
static int hand_off(struct krg_handoff *h, const struct krg_img_tree_task *tree,
		    unsigned int n, char *msg)
{
	struct migration *m = container_of(h, struct migration, h);
	pid_t root = tree[0].pid;
	int relay, err;
	unsigned int i;
	s32 *pids;

	pids = kvmalloc_array(n, sizeof(*pids), GFP_KERNEL);
	if (!pids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		pids[i] = tree[i].pid;
	err = krg_location_leaving(pids, n, m->node);
	if (err) {
		kvfree(pids);
		return err;
	}
	/* Who tells the parent: a shadow elsewhere, one here, or none. */
	relay = krg_shadow_relay_take(root);
	h->shadow = relay < 0 && !reaper_child(root);
	if (h->shadow) {
		relay = krg_node_id;
		err = krg_shadow_prepare(root);
	} else if (relay < 0) {
		relay = -1;
	}
	if (!err)
		err = send_image(m, msg);
	if (!err)
		err = run(m, root, relay, pids, n, msg);
	if (!err)
		krg_location_moved(pids, n);
	if (err) {
		if (h->shadow)
			krg_shadow_cancel(root);
		else if (relay >= 0 &&
			 !krg_shadow_relay_add(root, relay))
			krg_shadow_relay_arm(root, true);
		h->shadow = false;
		krg_location_stayed(pids, n);
	}
	kvfree(pids);
	return err;
}

/* What it takes to migrate @pid, which runs here, even nowhere. */
static int may_migrate(pid_t pid, char *msg)
{
	struct task_struct *t;
	int err = 0;

	rcu_read_lock();
	t = find_task_by_pid_ns(pid, krg_pid_ns());
	if (t)
		get_task_struct(t);
	rcu_read_unlock();
	if (!t)
		return krg_cr_fail(msg, -ESRCH, "no process %d", pid);
	if (!ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS) &&
	    !capable(CAP_SYS_ADMIN))
		err = krg_cr_fail(msg, -EPERM,
				  "pid %d: the caller may not read it (as ptrace)",
				  pid);
	else if (!krg_cap_raised(t, KRG_CAP_CAN_MIGRATE))
		err = krg_cr_fail(msg, -EPERM,
				  "pid %d: not CAN_MIGRATE (see krgcapset)", pid);
	put_task_struct(t);
	return err;
}

/* 0 if it runs here (not as a shadow, nor leaving); else where: a node. */
static int runs_here(pid_t pid, char *msg)
{
	struct task_struct *t;
	int node;

	rcu_read_lock();
	t = find_task_by_pid_ns(pid, krg_pid_ns());
	node = t && !krg_location_left(pid) ? krg_node_id : -ESRCH;
	rcu_read_unlock();
	if (node == krg_node_id)
		return 0;
	node = krg_locate(pid);
	if (node > 0 && node != krg_node_id)
		return node;
	if (node < 0 && node != -ESRCH)
		return krg_cr_fail(msg, node, "cannot tell where pid %d runs",
				   pid);
	return krg_cr_fail(msg, -ESRCH, "no process %d", pid);
}

/**
 * krg_migrate - move @pid (and with KRG_CR_TREE, its descendants) to @node
 *
 * Return: 0 once it runs there (or already did); an error, and the reason
 * in @res->msg, with the process still running here.
 */
int krg_migrate(pid_t pid, int node, unsigned int flags,
		struct krg_cr_result *res)
{
	struct migration m = { .h.go = hand_off, .node = node, .res = res };
	struct migrate_wire begin = { .op = cpu_to_le32(MIGRATE_BEGIN) };
	struct migrate_wire abort = { .op = cpu_to_le32(MIGRATE_ABORT) };
	struct file *dir;
	int err;

	if (!krg_pid_ns())
		return krg_cr_fail(res->msg, -ENODEV,
				   "this node has no cluster PID namespace");
	if (!krg_node_valid(node))
		return krg_cr_fail(res->msg, -EINVAL, "no node %d (0 to %d)",
				   node, KRG_MAX_NODES - 1);
	err = runs_here(pid, res->msg);
	/* It runs on another node: ask that node, once. */
	if (err > 0 && !(flags & KRG_CR_ASKED)) {
		memset(res->msg, 0, sizeof(res->msg));
		return krg_migrate_ask(err, pid, node, flags, res);
	}
	if (err > 0)
		return krg_cr_fail(res->msg, -EREMOTE,
				   "pid %d runs on node %d now", pid, err);
	if (!err)
		err = may_migrate(pid, res->msg);
	if (err)
		return err;
	res->pid = pid;
	if (node == krg_node_id)
		return 0;
	if (!krg_node_online(node))
		return krg_cr_fail(res->msg, -EHOSTDOWN,
				   "node %d is not in the cluster", node);
	/* There, its PID is its shadow's: the two cannot be merged yet. */
	if (krg_shadow_relay_node(pid) == node)
		return krg_cr_fail(res->msg, -EBUSY,
				   "its shadow is on node %d, with its parent: it cannot move back there yet",
				   node);

	m.id = atomic_inc_return(&next_id);
	m.mnt = krg_migrate_area();
	if (IS_ERR(m.mnt))
		return krg_cr_fail(res->msg, PTR_ERR(m.mnt),
				   "cannot make room for the image");
	dir = file_open_root_mnt(m.mnt, "/", O_RDONLY | O_DIRECTORY, 0);
	if (IS_ERR(dir)) {
		err = krg_cr_fail(res->msg, PTR_ERR(dir),
				  "cannot make room for the image");
		goto out;
	}
	err = call(&m, &begin, sizeof(begin), NULL, KRG_RPC_TIMEOUT);
	if (err) {
		krg_cr_fail(res->msg, err, err == -EBUSY ?
			    "node %d takes other migrations from here: try again" :
			    "node %d cannot take it", node);
		/* It may have made one, and its answer was lost. */
		if (err != -EBUSY && err != -EEXIST)
			call(&m, &abort, sizeof(abort), NULL, KRG_RPC_TIMEOUT);
	} else {
		err = krg_checkpoint_handoff(pid, dir,
					     KRG_CR_MIGRATE | (flags & KRG_CR_TREE),
					     res, &m.h);
		/* Its staging area there, unless a restart took it. */
		if (err)
			call(&m, &abort, sizeof(abort), NULL, KRG_RPC_TIMEOUT);
	}
	fput(dir);
	if (!err)
		pr_info("migration of %d to node %d: %u task(s)\n", pid, node,
			res->tasks);
out:
	kern_unmount(m.mnt);
	return err;
}
