// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint of a process tree. The caller (the checkpoint tool, in a
 * netlink request) finds the tree, queues a task work on each task
 * (waking stopped tasks for it), and opens one image file per task once
 * they are frozen. Each task, at its user boundary:
 *
 *   1. says it is frozen and waits until the whole tree is;
 *   2. exports itself to its file (ghost_export_task());
 *   3. waits for the verdict: resume, or a SIGKILL or SIGSTOP queued
 *      by the caller, which it takes on its way out; a task that was
 *      stopped goes back to its stop.
 *
 * The tree file is written last, only once every task is saved, so an
 * interrupted checkpoint never leaves an image that looks complete. All
 * files are written aside and replace those of the image before only
 * then (image_dir.c): a failed checkpoint leaves that image as it was.
 *
 * Reading a process needs what ptrace attach needs, checked before the
 * freeze and again once the tree is frozen (an exec of a setuid program
 * in between is caught), and the tree must be the one collected: a task
 * forked or gone meanwhile fails that try cleanly (-EAGAIN), and the
 * whole checkpoint is tried again, CKPT_TRIES times at most. A task is in
 * one checkpoint at a time.
 *
 * Migration (epm/migrate.c) is a checkpoint with a hand-off: once the
 * image is complete, and while the tree is still frozen, its hand-off
 * restarts the image on the other node. If that succeeds, the verdict is
 * "gone": each task exits, but the root, which becomes its own shadow
 * (epm/shadow.c) if the hand-off says so; otherwise the tree resumes, as
 * if nothing happened. A migration needs CAN_MIGRATE instead of
 * CHECKPOINTABLE, and ptrace attach or CAP_SYS_ADMIN.
 *
 * A zombie (a child that exited and that its parent has not reaped) is
 * saved as an entry of the tree with its exit code, and no file. A
 * process that shares its parent's fd table (CLONE_FILES) is marked so,
 * and saves no files: its parent has them.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/kref.h>
#include <linux/ptrace.h>
#include <linux/xarray.h>
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include <linux/sched/jobctl.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/wait.h>
#include <uapi/linux/krg_netlink.h>
#include <krg/cap.h>
#include <krg/epm.h>
#include <krg/ghost.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_inside.h>
#include <krg/pid.h>
#include <krg/proc.h>

/* How long a task may take to reach its user boundary. */
#define FREEZE_TIMEOUT	(10 * HZ)
#define CKPT_TRIES	5	/* of a tree in motion */
#define CKPT_RETRY_MS	5

/* Tasks in a checkpoint now, by their global PID number. */
static DEFINE_XARRAY(busy);

struct ckpt {
	struct kref ref;	/* the caller's, and each queued task work's */
	atomic_t to_freeze, to_dump, running;
	wait_queue_head_t wq;
	struct completion dump, verdict;
	bool abort;
	bool gone;		/* migrated: the tasks exit, the root may stay */
	struct task_struct *shadow;	/* the root, to stay as its shadow */
	unsigned int flags;
	struct ghost_objs *objs;	/* what the tasks share */
	struct ghost_objs *inside;	/* channels with all ends in the tree */
	spinlock_t lock;	/* err, msg, substituted */
	int err;
	unsigned int substituted;
	char msg[GHOST_MSG_LEN];
};

struct ckpt_task {
	struct callback_head work;
	struct ckpt *c;
	struct task_struct *task;
	struct file *file;
	bool queued, cap_held, busy;
	bool zombie;		/* exited, not reaped: an entry, no file */
	bool shares_files;	/* its parent's fd table (CLONE_FILES) */
	bool stopped;		/* woken out of a group stop to save itself */
};

static void ckpt_error(struct ckpt *c, int err, const char *msg,
		       unsigned int substituted)
{
	spin_lock(&c->lock);
	if (err && !c->err) {
		c->err = err;
		strscpy(c->msg, msg, sizeof(c->msg));
	}
	c->substituted += substituted;
	spin_unlock(&c->lock);
}

static void ckpt_free(struct kref *ref)
{
	struct ckpt *c = container_of(ref, struct ckpt, ref);

	ghost_objs_free(c->objs);
	ghost_objs_free(c->inside);
	kfree(c);
}

static void ckpt_put(struct ckpt *c)
{
	kref_put(&c->ref, ckpt_free);
}

/* A task work holds a reference: the caller may free @c once woken. */
static void done(struct ckpt *c, atomic_t *count)
{
	if (atomic_dec_and_test(count))
		wake_up(&c->wq);
}

/* Back in the group stop it was woken from, unless that ended meanwhile. */
static void stop_again(void)
{
	spin_lock_irq(&current->sighand->siglock);
	if (current->signal->flags & SIGNAL_STOP_STOPPED) {
		current->jobctl |= JOBCTL_STOP_PENDING;
		set_thread_flag(TIF_SIGPENDING);
	}
	spin_unlock_irq(&current->sighand->siglock);
}

static void ckpt_work(struct callback_head *cb)
{
	struct ckpt_task *t = container_of(cb, struct ckpt_task, work);
	struct ckpt *c = t->c;
	struct ghost_export x = {
		.flags = c->flags, .objs = c->objs, .inside = c->inside,
		.thread = !thread_group_leader(current),
		.shares_files = t->shares_files,
	};
	int err = -EINTR;

	/*
	 * The TWA_SIGNAL that queued us is ours. Run from the resume path (a
	 * stopped task, woken), it would still be set: I/O would see a
	 * signal pending.
	 */
	clear_notify_signal();
	if (current->flags & PF_EXITING) {	/* killed before it ran */
		ghost_fail(x.msg, -ESRCH, "exited during its checkpoint");
		ckpt_error(c, -ESRCH, x.msg, 0);
		done(c, &c->to_freeze);
		done(c, &c->to_dump);
		done(c, &c->running);
		ckpt_put(c);
		return;
	}
	done(c, &c->to_freeze);
	if (!wait_for_completion_killable(&c->dump) && !READ_ONCE(c->abort)) {
		x.g = ghost_file_new(t->file, true);
		err = x.g ? ghost_export_task(&x) : -ENOMEM;
		if (x.g)
			ghost_close(x.g);
	} else if (!READ_ONCE(c->abort)) {
		ghost_fail(x.msg, err, "killed during its checkpoint");
	}
	ckpt_error(c, READ_ONCE(c->abort) ? 0 : err, x.msg, x.substituted);
	done(c, &c->to_dump);
	/*
	 * A migration's tasks are in two places now: no signal may end the
	 * wait, which may be long (an image in transit): not a hung task.
	 */
	if (c->flags & KRG_CR_MIGRATE)
		wait_for_completion_state(&c->verdict, TASK_IDLE);
	else
		wait_for_completion_killable(&c->verdict);
	if (READ_ONCE(c->gone)) {
		bool shadow = c->shadow == current;

		done(c, &c->running);
		ckpt_put(c);
		if (shadow)
			krg_shadow_run();
		do_exit(0);
	}
	if (READ_ONCE(t->stopped))
		stop_again();
	done(c, &c->running);
	ckpt_put(c);
}

/*
 * Reading a process is what ptrace attach allows, LSM included; moving
 * it, that or CAP_SYS_ADMIN.
 */
static bool may_checkpoint(struct task_struct *task, unsigned int flags)
{
	return ptrace_may_access(task, PTRACE_MODE_ATTACH_REALCREDS) ||
	       ((flags & KRG_CR_MIGRATE) && capable(CAP_SYS_ADMIN));
}

/* What a migration cannot take along: refused, named in @msg. */
static int migrate_checks(struct task_struct *task, pid_t pid, bool zombie,
			  bool root, char *msg)
{
	const char *confined;

	if (zombie)
		return root ? krg_cr_fail(msg, -ESRCH, "pid %d has exited", pid) :
			      0;
	confined = krg_migrate_confinement(task);
	if (confined)
		return krg_cr_fail(msg, -EBUSY,
				   "pid %d is in %s: it cannot move", pid,
				   confined);
	return 0;
}

/* Add @task to the list; false if it is full. */
static bool add(struct ckpt_task *t, unsigned int *count,
		struct task_struct *task)
{
	if (*count == KRG_IMAGE_MAX_TASKS)
		return false;
	t[(*count)++].task = task;
	return true;
}

/*
 * The tree rooted at @root, with a reference on each task: processes
 * parents first, each one's threads after it. Threads must share their
 * leader's files and fs, as pthreads do.
 */
static int collect(struct task_struct *root, struct ckpt_task *t,
		   unsigned int *n, bool hold, char *msg)
{
	struct task_struct *p, *th, *child;
	unsigned int i, count = 1;
	pid_t bad = 0;
	bool full = false;

	t[0].task = root;
	read_lock(&tasklist_lock);
	for (i = 0; i < count && !full && !bad; i++) {
		p = t[i].task;
		if (!thread_group_leader(p))
			continue;
		for_each_thread(p, th) {
			if (th == p)
				continue;
			if (th->files != p->files || th->fs != p->fs)
				bad = task_pid_vnr(th);
			full |= !add(t, &count, th);
		}
		list_for_each_entry(child, &p->children, sibling)
			full |= !add(t, &count, child);
		for_each_thread(p, th)
			if (th != p)
				list_for_each_entry(child, &th->children, sibling)
					full |= !add(t, &count, child);
	}
	for (i = 1; i < count && hold; i++)	/* the caller holds the root */
		get_task_struct(t[i].task);
	read_unlock(&tasklist_lock);
	*n = count;
	if (bad)
		return krg_cr_fail(msg, -EBUSY,
				   "thread %d does not share its process's files or fs",
				   bad);
	if (full)
		return krg_cr_fail(msg, -E2BIG, "more than %d tasks",
				   KRG_IMAGE_MAX_TASKS);
	return 0;
}

/*
 * Which tasks are zombies, and which processes share their parent's fd
 * table. Sharing one with a process that is not the parent cannot be made
 * again at restart: refused.
 */
static int classify(struct ckpt_task *t, unsigned int n, char *msg)
{
	struct task_struct *task, *parent;
	unsigned int i, j;
	pid_t pid;

	for (i = 0; i < n; i++) {
		task = t[i].task;
		pid = task_pid_nr_ns(task, krg_pid_ns());
		if (READ_ONCE(task->exit_state) == EXIT_DEAD)
			return krg_cr_fail(msg, -EAGAIN,
					   "pid %d is being reaped: try again",
					   pid);
		t[i].zombie = READ_ONCE(task->exit_state) == EXIT_ZOMBIE;
		if (t[i].zombie || !thread_group_leader(task) || !i)
			continue;
		for (j = 0; j < i; j++) {
			if (t[j].zombie || t[j].task->files != task->files)
				continue;
			rcu_read_lock();
			parent = rcu_dereference(task->real_parent);
			rcu_read_unlock();
			if (t[j].task != parent)
				return krg_cr_fail(msg, -EBUSY,
						   "pid %d shares its fd table with pid %d, not with its parent",
						   pid, task_pid_nr_ns(t[j].task,
								       krg_pid_ns()));
			t[i].shares_files = true;
			break;
		}
	}
	return 0;
}

/* May each task be checkpointed (or migrated), by us? Hold its capability. */
static int check(struct ckpt_task *t, unsigned int n, unsigned int flags,
		 char *msg)
{
	bool migrate = flags & KRG_CR_MIGRATE;
	int cap = migrate ? KRG_CAP_CAN_MIGRATE : KRG_CAP_CHECKPOINTABLE;
	struct task_struct *task;
	unsigned int i;
	pid_t pid;
	int err;

	for (i = 1; migrate && !(flags & KRG_CR_TREE) && i < n; i++)
		if (thread_group_leader(t[i].task))
			return krg_cr_fail(msg, -EBUSY,
					   "pid %d has children: migrate them along (--tree)",
					   task_pid_nr_ns(t[0].task, krg_pid_ns()));
	for (i = 0; i < n; i++) {
		task = t[i].task;
		pid = task_pid_nr_ns(task, krg_pid_ns());
		if (task->group_leader == current->group_leader)
			return krg_cr_fail(msg, -EINVAL,
					   "pid %d: the tree holds the caller", pid);
		if (!may_checkpoint(task, flags))
			return krg_cr_fail(msg, -EPERM,
					   "pid %d: the caller may not read it (as ptrace)",
					   pid);
		err = xa_insert(&busy, task_pid_nr(task), task, GFP_KERNEL);
		if (err == -EBUSY)
			return krg_cr_fail(msg, -EBUSY,
					   "pid %d: in another checkpoint", pid);
		if (err)
			return err;
		t[i].busy = true;
		/* Its process runs elsewhere: this is its shadow, or leaving. */
		if (krg_location_left(pid))
			return krg_cr_fail(msg, -EBUSY,
					   "pid %d moved to another node: its shadow stays here",
					   pid);
		err = migrate ? migrate_checks(task, pid, t[i].zombie, !i, msg) : 0;
		if (err)
			return err;
		if (t[i].zombie)
			continue;	/* its exit code is all there is */
		if (task->flags & PF_EXITING && !(task->flags & PF_KTHREAD))
			return krg_cr_fail(msg, -EAGAIN, "pid %d is exiting",
					   pid);
		if (!task->mm || (task->flags & PF_KTHREAD))
			return krg_cr_fail(msg, -EBUSY,
					   "pid %d: exiting or not a user task",
					   pid);
		/* A process migrates: its threads go with it, as it says. */
		if (migrate && !thread_group_leader(task))
			continue;
		if (krg_cap_use(task, cap))
			return krg_cr_fail(msg, -EPERM,
					   "pid %d: not %s (see krgcapset)", pid,
					   migrate ? "CAN_MIGRATE" : "CHECKPOINTABLE");
		t[i].cap_held = true;
	}
	return 0;
}

/*
 * The tree's entries, and its files (the tree's first, then one for each
 * task but zombies), under temporary names (image_dir.c); *@named counts
 * the names.
 */
static int open_files(struct file *dir, struct ckpt_task *t, unsigned int n,
		      struct krg_img_tree_task *tree, struct file **tree_file,
		      char (*names)[KRG_IMAGE_NAME_MAX], unsigned int *named,
		      char *msg)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct file *f;
	unsigned int i;

	strscpy(names[0], KRG_IMAGE_TREE, KRG_IMAGE_NAME_MAX);
	*named = 1;
	for (i = 0; i < n; i++) {
		struct task_struct *task = t[i].task;

		rcu_read_lock();
		tree[i] = (struct krg_img_tree_task) {
			.pid = task_pid_nr_ns(task, ns),
			.tgid = task_tgid_nr_ns(task, ns),
			.ppid = task_tgid_nr_ns(rcu_dereference(task->real_parent),
						ns),
			.pgid = task_pgrp_nr_ns(task, ns),
			.sid = task_session_nr_ns(task, ns),
			.exit_signal = thread_group_leader(task) ?
				       task->exit_signal : 0,
			.flags = (t[i].zombie ? KRG_IMG_TREE_ZOMBIE : 0) |
				 (t[i].shares_files ?
				  KRG_IMG_TREE_SHARES_FILES : 0),
			.exit_code = t[i].zombie ? READ_ONCE(task->exit_code) : 0,
		};
		rcu_read_unlock();
	}
	f = krg_image_create(dir, names[0]);
	if (IS_ERR(f))
		return krg_cr_fail(msg, PTR_ERR(f), "cannot create %s",
				   names[0]);
	*tree_file = f;
	for (i = 0; i < n; i++) {
		char *name = names[*named];

		if (t[i].zombie)
			continue;
		snprintf(name, KRG_IMAGE_NAME_MAX, KRG_IMAGE_TASK_FMT,
			 tree[i].pid);
		(*named)++;
		f = krg_image_create(dir, name);
		if (IS_ERR(f))
			return krg_cr_fail(msg, PTR_ERR(f), "cannot create %s",
					   name);
		t[i].file = f;
	}
	return 0;
}

/*
 * A task stopped by a signal (SIGSTOP, ^Z) never reaches its boundary: wake
 * it, out of its stop, to save itself; ckpt_work() stops it again.
 */
static void wake_stopped(struct ckpt_task *t)
{
	unsigned long flags;

	if (!lock_task_sighand(t->task, &flags))
		return;
	/* Its state, not JOBCTL_STOPPED: that stays set once it is woken. */
	if ((READ_ONCE(t->task->__state) & __TASK_STOPPED) &&
	    !t->task->ptrace) {
		WRITE_ONCE(t->stopped, true);
		signal_wake_up_state(t->task, __TASK_STOPPED);
	}
	unlock_task_sighand(t->task, &flags);
}

/* Stop the tasks: all reach their boundary in time, or none is saved. */
static void freeze(struct ckpt *c, struct ckpt_task *t, unsigned int n)
{
	unsigned long end = jiffies + FREEZE_TIMEOUT;
	unsigned int i;
	long left;

	for (i = 0; i < n; i++) {
		if (t[i].zombie)
			continue;
		init_task_work(&t[i].work, ckpt_work);
		t[i].c = c;
		/* Counted before it is queued: it may run at once. */
		kref_get(&c->ref);
		atomic_inc(&c->running);
		atomic_inc(&c->to_freeze);
		atomic_inc(&c->to_dump);
		if (task_work_add(t[i].task, &t[i].work, TWA_SIGNAL)) {
			atomic_dec(&c->running);
			atomic_dec(&c->to_freeze);
			atomic_dec(&c->to_dump);
			ckpt_put(c);
			ckpt_error(c, -ESRCH, "a task exited", 0);
			break;
		}
		t[i].queued = true;
	}
	/* Wake stopped tasks again: one may have been stopping just now. */
	do {
		for (i = 0; i < n; i++)
			if (t[i].queued)
				wake_stopped(&t[i]);
		left = wait_event_killable_timeout(c->wq,
						   !atomic_read(&c->to_freeze),
						   HZ / 10);
	} while (!left && time_before(jiffies, end));
	if (left <= 0 && !c->err) {
		c->err = left ? -EINTR : -ETIMEDOUT;
		krg_cr_fail(c->msg, c->err,
			    "the tree did not stop in time (a traced or blocked task?)");
	}
	if (c->err)
		WRITE_ONCE(c->abort, true);
	/* A task work that has not started will not: count it out. */
	for (i = 0; i < n; i++) {
		if (t[i].queued && task_work_cancel(t[i].task, &t[i].work)) {
			done(c, &c->to_freeze);
			done(c, &c->to_dump);
			done(c, &c->running);
			ckpt_put(c);
		}
	}
}

/*
 * The tree, frozen, must be the one collected and still readable by the
 * caller: a fork, an exit or an exec (of a setuid program, say) between
 * the collection and the freeze fails the checkpoint cleanly.
 */
static void check_frozen(struct ckpt *c, struct ckpt_task *t, unsigned int n)
{
	bool migrate = c->flags & KRG_CR_MIGRATE;
	char msg[GHOST_MSG_LEN] = "";
	struct ckpt_task *now;
	unsigned int i, m = 0;
	int err;

	now = kvcalloc(KRG_IMAGE_MAX_TASKS, sizeof(*now), GFP_KERNEL);
	err = now ? collect(t[0].task, now, &m, false, msg) : -ENOMEM;
	for (i = 0; !err && i < n; i++)
		if (i >= m || now[i].task != t[i].task)
			break;
	if (!err && (i < n || m != n))
		err = krg_cr_fail(msg, -EAGAIN,
				  "the tree changed during its checkpoint (a fork or an exit)");
	for (i = 0; !err && i < n; i++)
		if (!may_checkpoint(t[i].task, c->flags))
			err = krg_cr_fail(msg, -EPERM,
					  "pid %d: the caller may no longer read it (an exec?)",
					  task_pid_nr_ns(t[i].task, krg_pid_ns()));
	/* An unshare() or chroot() between the checks and the freeze. */
	for (i = 0; !err && migrate && i < n; i++)
		err = migrate_checks(t[i].task,
				     task_pid_nr_ns(t[i].task, krg_pid_ns()),
				     t[i].zombie, !i, msg);
	kvfree(now);
	if (err) {
		ckpt_error(c, err, msg, 0);
		WRITE_ONCE(c->abort, true);
	}
}

/* Which pipes and socket pairs the tree holds every end of: saved. */
static void find_inside(struct ckpt *c, struct ckpt_task *t, unsigned int n)
{
	struct task_struct **tasks;
	unsigned int i, live;
	int err = -ENOMEM;

	tasks = kvcalloc(n, sizeof(*tasks), GFP_KERNEL);
	if (tasks) {
		for (i = 0, live = 0; i < n; i++)
			if (!t[i].zombie)
				tasks[live++] = t[i].task;
		err = ghost_inside(tasks, live, c->inside);
		kvfree(tasks);
	}
	if (err) {
		c->err = krg_cr_fail(c->msg, err, err == -EBUSY ?
				     "an fd table is shared with a process outside the tree" :
				     "cannot list the tree's pipes and sockets");
		WRITE_ONCE(c->abort, true);
	}
}

static int checkpoint_once(pid_t pid, struct file *dir, unsigned int flags,
			   struct krg_cr_result *res, struct krg_handoff *h)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct krg_img_tree_task *tree = NULL;
	struct ckpt_task *t;
	struct task_struct *root;
	char (*names)[KRG_IMAGE_NAME_MAX] = NULL;
	struct file *tree_file = NULL;
	unsigned int n = 0, i, named = 0;
	struct ckpt *c;
	u64 frozen;
	int err;

	if (!ns)
		return krg_cr_fail(res->msg, -ENODEV,
				   "this node has no cluster PID namespace");
	rcu_read_lock();
	root = find_task_by_pid_ns(pid, ns);
	if (root)
		get_task_struct(root);
	rcu_read_unlock();
	if (!root)
		return krg_cr_fail(res->msg, -ESRCH, "no process %d", pid);
	if (!thread_group_leader(root)) {
		put_task_struct(root);
		return krg_cr_fail(res->msg, -EINVAL,
				   "%d is a thread: name its process", pid);
	}

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (c)
		kref_init(&c->ref);
	t = kvcalloc(KRG_IMAGE_MAX_TASKS, sizeof(*t), GFP_KERNEL);
	tree = kvcalloc(KRG_IMAGE_MAX_TASKS, sizeof(*tree), GFP_KERNEL);
	names = kvcalloc(KRG_IMAGE_MAX_TASKS + 1, sizeof(*names), GFP_KERNEL);
	err = -ENOMEM;
	if (!c || !t || !tree || !names)
		goto out;
	c->objs = ghost_objs_new();
	c->inside = ghost_objs_new();
	if (!c->objs || !c->inside)
		goto out;
	init_waitqueue_head(&c->wq);
	init_completion(&c->dump);
	init_completion(&c->verdict);
	spin_lock_init(&c->lock);
	c->flags = flags;

	err = collect(root, t, &n, true, res->msg);
	if (!err)
		err = classify(t, n, res->msg);
	if (!err)
		err = check(t, n, flags, res->msg);
	if (err)
		goto out;

	/*
	 * Frozen as soon as collected: the files are made after, so a tree
	 * that forks all the time has no time to change in between.
	 */
	frozen = ktime_get_ns();
	freeze(c, t, n);
	if (!c->err)
		check_frozen(c, t, n);
	if (!c->err) {
		err = open_files(dir, t, n, tree, &tree_file, names, &named,
				 res->msg);
		if (err) {
			ckpt_error(c, err, res->msg, 0);
			WRITE_ONCE(c->abort, true);
		}
	}
	if (!c->err)
		find_inside(c, t, n);
	complete_all(&c->dump);
	wait_event(c->wq, !atomic_read(&c->to_dump));
	err = c->err;
	if (!err)
		err = krg_image_write_tree(tree_file, tree, n);
	if (err && !c->msg[0])
		krg_cr_fail(c->msg, err, "cannot write %s", KRG_IMAGE_TREE);
	if (!err)
		err = krg_image_commit(dir, names, named, c->msg);
	if (!err)
		named = 0;
	/* Migration: the other node takes the tree, or it resumes here. */
	if (!err && h) {
		err = h->go(h, tree, n, c->msg);
		if (!err) {
			c->shadow = h->shadow ? t[0].task : NULL;
			WRITE_ONCE(c->gone, true);
		}
	}
	for (i = 0; i < n && !err && !h; i++) {
		if (flags & KRG_CR_KILL)
			send_sig_info(SIGKILL, SEND_SIG_PRIV, t[i].task);
		else if (flags & KRG_CR_STOP)
			send_sig_info(SIGSTOP, SEND_SIG_PRIV, t[i].task);
	}
	res->frozen_ns = ktime_get_ns() - frozen;
	complete_all(&c->verdict);
	wait_event(c->wq, !atomic_read(&c->running));
	if (err)
		strscpy(res->msg, c->msg, sizeof(res->msg));
	res->pid = pid;
	res->tasks = n;
	for (i = 0, res->processes = 0; i < n; i++)
		res->processes += thread_group_leader(t[i].task);
	res->substituted = c->substituted;
	if (!err && !h)
		pr_info("checkpoint of %d: %u task(s) saved%s\n", pid, n,
			flags & KRG_CR_KILL ? ", killed" :
			flags & KRG_CR_STOP ? ", stopped" : "");
out:
	if (tree_file)
		fput(tree_file);
	if (named)
		krg_image_discard(dir, names, named);
	kvfree(names);
	for (i = 0; t && i < n; i++) {
		if (t[i].file)
			fput(t[i].file);
		if (t[i].cap_held)
			krg_cap_unuse(t[i].task, flags & KRG_CR_MIGRATE ?
				      KRG_CAP_CAN_MIGRATE :
				      KRG_CAP_CHECKPOINTABLE);
		if (t[i].busy)
			xa_erase(&busy, task_pid_nr(t[i].task));
		put_task_struct(t[i].task);
	}
	if (!n)
		put_task_struct(root);
	kvfree(tree);
	kvfree(t);
	if (c)
		ckpt_put(c);
	return err;
}

/*
 * A tree that forks and exits all the time may change between its listing
 * and its freeze (-EAGAIN): tried again a few times, as a user would.
 */
int krg_checkpoint_handoff(pid_t pid, struct file *dir, unsigned int flags,
			   struct krg_cr_result *res, struct krg_handoff *h)
{
	int tries = CKPT_TRIES, err;

	for (;;) {
		err = checkpoint_once(pid, dir, flags, res, h);
		if (err != -EAGAIN || !--tries || fatal_signal_pending(current))
			return err;
		msleep(CKPT_RETRY_MS);
	}
}

int krg_checkpoint(pid_t pid, struct file *dir, unsigned int flags,
		   struct krg_cr_result *res)
{
	return krg_checkpoint_handoff(pid, dir, flags, res, NULL);
}
