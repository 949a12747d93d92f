// SPDX-License-Identifier: GPL-2.0
/*
 * Restart of a process tree from an image. The caller (the restart tool,
 * in a netlink request, inside the cluster PID namespace) checks the tree
 * file and creates the root with its PID; each task, started by its
 * parent with clone3()'s set_tid, runs a task work before it first
 * returns to user space, in which it:
 *
 *   1. creates its children and its threads;
 *   2. imports itself from its file (ghost_import_task());
 *   3. waits until every task of the tree is ready, or the restart
 *      failed: then it exits, and nothing of the tree ever runs;
 *   4. takes its saved registers and returns to user space.
 *
 * Once every task exists, restart puts each process in its session and
 * group (epm/sessions.c). A zombie of the image exits with its exit
 * code as soon as it is made, and its parent takes back the exit signal:
 * it had that signal already. A process that shared its parent's fd
 * table is made with CLONE_FILES, and its parent restores the table.
 *
 * Choosing PIDs needs CAP_CHECKPOINT_RESTORE, as clone3()'s set_tid
 * does: the caller must hold it, or the administrator must allow every
 * user to restart their own images (/sys/kernel/krg/unprivileged_restart).
 * The tasks hold it only until their credentials come from the image; a
 * caller without CAP_SYS_ADMIN only gets back credentials it has itself.
 * An image that another user can write is refused unless the caller
 * trusts it (KRG_CR_TRUST): its writer would run as the caller.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/krg_hooks.h>
#include <linux/kref.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/task_work.h>
#include <uapi/linux/krg_netlink.h>
#include <krg/epm.h>
#include <krg/ghost.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_task.h>
#include <krg/membership.h>
#include <krg/pid.h>
#include <krg/proc.h>

bool krg_unprivileged_restart;

struct rst;

struct rst_task {
	struct callback_head work;
	struct rst *r;
	unsigned int index;
	struct ghost_import m;
};

struct rst {
	struct kref ref;
	struct file *dir;
	struct krg_img_tree_task *tree;
	unsigned int n;
	struct rst_task *tasks;
	struct ghost_objs *objs;	/* what the tasks share */
	s32 *pids;			/* of tree[], then of gone leaders */
	unsigned int npids;
	struct krg_restart_claim claim;
	const struct cred *caller;
	bool privileged;
	unsigned int flags;
	atomic_t pending, created;
	wait_queue_head_t wq;
	struct completion go;
	bool abort;
	spinlock_t lock;	/* err, msg */
	int err;
	char msg[GHOST_MSG_LEN];
};

static void rst_free(struct kref *ref)
{
	struct rst *r = container_of(ref, struct rst, ref);

	fput(r->dir);
	put_cred(r->caller);
	kvfree(r->pids);
	ghost_objs_free(r->objs);
	kvfree(r->tree);
	kvfree(r->tasks);
	kfree(r);
}

static void rst_put(struct rst *r)
{
	kref_put(&r->ref, rst_free);
}

static void rst_error(struct rst *r, int err, const char *msg)
{
	err = ghost_user_errno(err);
	spin_lock(&r->lock);
	if (!r->err) {
		r->err = err;
		strscpy(r->msg, msg, sizeof(r->msg));
	}
	spin_unlock(&r->lock);
}

static void rst_done(struct rst *r)
{
	if (atomic_dec_and_test(&r->pending))
		wake_up(&r->wq);
}

static int rst_start(void *arg);

/* Create task @i as a child (or a thread) of current, with its PID. */
static int spawn(struct rst *r, unsigned int i)
{
	bool thread = r->tree[i].tgid != r->tree[i].pid;
	pid_t pid = r->tree[i].pid;
	struct kernel_clone_args args = {
		.flags = thread ? CLONE_VM | CLONE_FS | CLONE_FILES |
				  CLONE_SIGHAND | CLONE_THREAD |
				  CLONE_SYSVSEM :
			 r->tree[i].flags & KRG_IMG_TREE_SHARES_FILES ?
				  CLONE_FILES : 0,
		.exit_signal = thread ? 0 : r->tree[i].exit_signal,
		.fn = rst_start,
		.fn_arg = &r->tasks[i],
		.set_tid = &pid,
		.set_tid_size = 1,
	};
	char msg[GHOST_MSG_LEN] = "";
	pid_t nr;

	kref_get(&r->ref);
	atomic_inc(&r->pending);
	nr = kernel_clone(&args);
	if (nr >= 0) {
		atomic_inc(&r->created);
		return 0;
	}
	rst_done(r);
	rst_put(r);
	if (nr == -EEXIST)
		nr = -EBUSY;
	krg_cr_fail(msg, nr, "cannot create pid %d%s", pid,
		    nr == -EBUSY ? ": in use" : "");
	rst_error(r, nr, msg);
	return nr;
}

static bool zombie(const struct krg_img_tree_task *e)
{
	return e->flags & KRG_IMG_TREE_ZOMBIE;
}

/*
 * The zombie children of @e exited just now, which queued their exit
 * signal to us: wait for them to be zombies, then take that signal back.
 * The pending signals of the image come after.
 */
static int take_back_exit_signals(struct rst *r,
				  const struct krg_img_tree_task *e)
{
	struct task_struct *child;
	kernel_siginfo_t info;
	enum pid_type type;
	sigset_t keep;
	unsigned int i;
	long wait;

	siginitsetinv(&keep, 0);
	for (i = 0; i < r->n; i++) {
		const struct krg_img_tree_task *c = &r->tree[i];

		if (!zombie(c) || c->ppid != e->pid)
			continue;
		for (wait = 10 * HZ; wait > 0; wait--) {
			rcu_read_lock();
			child = find_task_by_vpid(c->pid);
			if (child && READ_ONCE(child->exit_state) == EXIT_ZOMBIE)
				wait = 0;
			rcu_read_unlock();
			if (wait)
				schedule_timeout_uninterruptible(1);
		}
		if (!wait)
			return -ETIMEDOUT;
		if (valid_signal(c->exit_signal) && c->exit_signal)
			sigdelset(&keep, c->exit_signal);
	}
	spin_lock_irq(&current->sighand->siglock);
	while (dequeue_signal(&keep, &info, &type) > 0)
		;
	recalc_sigpending();
	spin_unlock_irq(&current->sighand->siglock);
	return 0;
}

/* A zombie of the image: exit as it did (restart sets its session). */
static void become_zombie(struct rst_task *t)
{
	int code = t->r->tree[t->index].exit_code;

	rst_done(t->r);
	rst_put(t->r);
	do_exit(code);
}

static int restore_self(struct rst_task *t)
{
	struct rst *r = t->r;
	const struct krg_img_tree_task *e = &r->tree[t->index];
	char name[32];
	struct file *f;
	unsigned int i;
	int err;

	t->m.thread = e->tgid != e->pid;
	t->m.shares_files = e->flags & KRG_IMG_TREE_SHARES_FILES;
	t->m.root = e->tgid == r->tree[0].pid;
	/* Made by a kernel thread (restart from another node): no memory. */
	if (!current->mm) {
		err = krg_mm_new();
		if (err)
			return ghost_fail(t->m.msg, err, "no address space");
	}
	if (!t->m.thread) {
		/* The caller's files are not ours (a shared table: the parent's). */
		if (!t->m.shares_files)
			__close_range(0, ~0U, 0);
		/* Children and threads now: choosing PIDs needs our creds. */
		for (i = t->index + 1, err = 0; i < r->n && !err; i++)
			if ((r->tree[i].ppid == e->pid &&
			     r->tree[i].tgid == r->tree[i].pid) ||
			    (r->tree[i].tgid == e->pid &&
			     r->tree[i].pid != e->pid))
				err = spawn(r, i);
		if (!err)
			err = take_back_exit_signals(r, e);
		if (err)
			return ghost_fail(t->m.msg, err, "cannot make its children");
	}

	snprintf(name, sizeof(name), KRG_IMAGE_TASK_FMT, e->pid);
	f = krg_image_open(r->dir, name, r->flags & KRG_CR_TRUST, t->m.msg);
	if (IS_ERR(f))
		return PTR_ERR(f);
	t->m.g = ghost_file_new(f, false);
	fput(f);
	if (!t->m.g)
		return -ENOMEM;
	t->m.pid = e->pid;
	t->m.objs = r->objs;
	t->m.caller = r->caller;
	t->m.tree = r->pids;
	t->m.ntree = r->n;
	t->m.privileged = r->privileged;
	t->m.eager = r->flags & KRG_CR_EAGER;
	err = ghost_import_task(&t->m);
	/*
	 * After its credentials, which reset it: dumpable as it was, not as
	 * the restarting task's memory (a kernel thread's is not).
	 */
	if (!err && !t->m.thread)
		set_dumpable(current->mm, t->m.undumpable ? SUID_DUMP_DISABLE :
				SUID_DUMP_USER);
	return err;
}

static void rst_work(struct callback_head *cb)
{
	struct rst_task *t = container_of(cb, struct rst_task, work);
	struct rst *r = t->r;
	int err;

	if (current->flags & PF_EXITING) {	/* killed before it ran */
		rst_error(r, -EINTR, "a restarted task was killed");
		rst_done(r);
		rst_put(r);
		return;
	}
	if (zombie(&r->tree[t->index])) {
		become_zombie(t);
		return;
	}
	err = restore_self(t);
	if (err)
		rst_error(r, err, t->m.msg);
	/* Queued now, before restart returns: a SIGCONT right after finds it. */
	if (!err && ((r->flags & KRG_CR_STOPPED) || t->m.stopped))
		send_sig_info(SIGSTOP, SEND_SIG_PRIV, current);
	ghost_import_release(&t->m);
	if (t->m.g)
		ghost_close(t->m.g);
	rst_done(r);
	if (wait_for_completion_killable(&r->go) || READ_ONCE(r->abort)) {
		rst_put(r);
		do_exit(SIGKILL);
	}
	ghost_apply_regs(&t->m);
	rst_put(r);
}

/* The first thing a restarted task runs: its restore, at the boundary. */
static int rst_start(void *arg)
{
	struct rst_task *t = arg;

	init_task_work(&t->work, rst_work);
	if (task_work_add(current, &t->work, TWA_RESUME)) {
		rst_error(t->r, -ESRCH, "a restarted task died");
		rst_done(t->r);
		rst_put(t->r);
		do_exit(SIGKILL);
	}
	return 0;
}

/* No PID of the image in use here, nor alive on another node. */
static int pids_free(struct rst *r, struct pid_namespace *ns, char *msg)
{
	unsigned int i;
	bool used;

	for (i = 0; i < r->npids; i++) {
		rcu_read_lock();
		used = find_pid_ns(r->pids[i], ns);
		rcu_read_unlock();
		if (used)
			return krg_cr_fail(msg, -EBUSY, "pid %d is in use",
					   r->pids[i]);
	}
	return krg_pids_alive_elsewhere(r->pids, r->npids, msg);
}

/*
 * Once the other nodes agreed (epm/elsewhere.c): run the tree, or undo it
 * and keep the claim on its PIDs until no task of it is left, so that
 * another restart of the image does not take the dying tree for a winner.
 */
static int settle(struct rst *r, int err)
{
	int rival = krg_restart_settle(&r->claim, !err);
	unsigned long i;

	if (!err && rival)
		err = krg_cr_fail(r->msg, -EBUSY,
				  "pid %d is being restarted on node %d",
				  r->tree[0].pid, rival);
	/* The winner, before it runs: the homes of its PIDs learn it. */
	if (!err)
		krg_location_arrived(r->pids, r->n);
	WRITE_ONCE(r->abort, err != 0);
	complete_all(&r->go);
	if (err) {
		/*
		 * The tasks exit as soon as they see the abort. Should one
		 * linger, other nodes see it alive and refuse: never twice.
		 */
		for (i = 0; i < 10 * HZ && krg_pids_alive_here(r->pids, r->npids);
		     i++)
			schedule_timeout_uninterruptible(1);
		krg_restart_unclaim(&r->claim);
	}
	return err;
}

/* Create the root, as able to choose PIDs: its restore drops that. */
static int spawn_root(struct rst *r)
{
	const struct cred *old;
	struct cred *boost;
	int err;

	boost = prepare_creds();
	if (!boost)
		return -ENOMEM;
	cap_raise(boost->cap_effective, CAP_CHECKPOINT_RESTORE);
	old = override_creds(boost);
	err = spawn(r, 0);
	revert_creds(old);
	put_cred(boost);
	return err;
}

static int restart_here(struct file *dir, unsigned int flags,
			struct krg_cr_result *res)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct file *tree_file;
	unsigned int i;
	struct rst *r;
	int err, end;

	if (!ns)
		return krg_cr_fail(res->msg, -ENODEV,
				   "this node has no cluster PID namespace");
	if (current->nsproxy->pid_ns_for_children != ns)
		return krg_cr_fail(res->msg, -EINVAL,
				   "restart must run in the cluster PID namespace");
	if (!capable(CAP_CHECKPOINT_RESTORE) &&
	    !READ_ONCE(krg_unprivileged_restart))
		return krg_cr_fail(res->msg, -EPERM,
				   "choosing PIDs needs CAP_CHECKPOINT_RESTORE, or /sys/kernel/krg/unprivileged_restart=1");
	if (!(flags & KRG_CR_TRUST)) {
		err = krg_image_trusted(dir, "the image directory", res->msg);
		if (err)
			return err;
	}
	tree_file = krg_image_open(dir, KRG_IMAGE_TREE, flags & KRG_CR_TRUST,
				   res->msg);
	if (IS_ERR(tree_file))
		return PTR_ERR(tree_file);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		fput(tree_file);
		return -ENOMEM;
	}
	kref_init(&r->ref);
	r->dir = get_file(dir);
	r->caller = get_current_cred();
	r->privileged = capable(CAP_SYS_ADMIN);
	r->flags = flags;
	init_waitqueue_head(&r->wq);
	init_completion(&r->go);
	spin_lock_init(&r->lock);
	atomic_set(&r->pending, 0);

	err = krg_image_read_tree(tree_file, &r->tree, &r->n, res->msg);
	fput(tree_file);
	if (err)
		goto out;
	r->tasks = kvcalloc(r->n, sizeof(*r->tasks), GFP_KERNEL);
	/* Each process may name a session and a group whose leader is gone. */
	r->pids = kvcalloc(3 * r->n, sizeof(*r->pids), GFP_KERNEL);
	r->objs = ghost_objs_new();
	err = -ENOMEM;
	if (!r->tasks || !r->pids || !r->objs)
		goto out;
	for (i = 0; i < r->n; i++) {
		r->tasks[i].r = r;
		r->tasks[i].index = i;
		r->pids[i] = r->tree[i].pid;
	}
	err = krg_tree_ids_check(r->tree, r->n, r->pids + r->n, &r->npids,
				 res->msg);
	if (err)
		goto out;
	r->npids += r->n;
	err = pids_free(r, ns, res->msg);
	if (err)
		goto out;
	/* No node runs them: those born here are no longer held for one. */
	krg_location_reclaim(r->pids, r->n);

	krg_restart_claim(&r->claim, r->pids, r->npids);
	spawn_root(r);
	if (wait_event_killable(r->wq, !atomic_read(&r->pending)))
		rst_error(r, -EINTR, "restart interrupted");
	wait_event(r->wq, !atomic_read(&r->pending));
	err = r->err;
	if (!err && atomic_read(&r->created) != r->n)
		err = -EINVAL;
	if (!err)
		err = krg_tree_ids_set(ns, r->tree, r->n, r->pids + r->n,
				       r->npids - r->n, r->msg);
	/*
	 * Again, now that the tree exists here: of two restarts of one image
	 * on two nodes at once, exactly one goes on.
	 */
	if (!err)
		err = krg_pids_alive_elsewhere(r->pids, r->npids, r->msg);
	/* Every task made its part: what stood in during it goes. */
	end = ghost_objs_end(r->objs, err ? NULL : r->msg);
	err = err ?: end;
	err = settle(r, err);
	if (err) {
		strscpy(res->msg, r->msg, sizeof(res->msg));
	} else {
		res->pid = r->tree[0].pid;
		res->tasks = r->n;
		for (i = 0, res->processes = 0; i < r->n; i++)
			res->processes += r->tree[i].tgid == r->tree[i].pid;
		pr_info("restart of %d: %u task(s)%s\n", res->pid, r->n,
			flags & KRG_CR_STOPPED ? ", stopped" : "");
	}
out:
	rst_put(r);
	return err;
}

int krg_restart(struct file *dir, unsigned int flags,
		struct krg_cr_result *res)
{
	int err;

	/*
	 * On a node that left, its tree would run alone, unseen by the
	 * cluster's checks; a node that leaves waits for it to be done.
	 */
	if (!krg_leave_hold())
		return krg_cr_fail(res->msg, -EHOSTDOWN,
				   "this node left the cluster");
	err = restart_here(dir, flags, res);
	krg_leave_release();
	return err;
}
