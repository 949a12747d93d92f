// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow of a migrated process: its original task, kept on the node
 * its parent is on, so that the parent sees its child as before. The
 * shadow holds no memory and no files. It forwards each signal sent to it
 * to the process, wherever that runs, and when the process is reaped
 * there, it exits with the same status: the parent's wait() and SIGCHLD
 * come as on one machine.
 *
 * The node that runs a migrated process keeps whom to tell (a relay:
 * PID -> the shadow's node). A further migration hands the relay on, so a
 * process has one shadow at most. The relay is armed only once the
 * restart has won: the tasks of a restart that failed are reaped too,
 * and must not end the shadow. A process reaped before its relay is
 * armed is told when it is armed.
 *
 * KRG_RPC_SHADOW carries { __le32 pid, __le32 status }: that process was
 * reaped with that wait status. Any krg node may say it (the process may
 * have moved on since); only a PID with a shadow here is acted on.
 *
 * Should a node leave the cluster, or a minute pass with no word, the
 * shadow asks where its process runs; if no node runs it (asked twice,
 * a few seconds apart: a process between two nodes is briefly found
 * nowhere), the shadow exits as killed (SIGKILL): the process went with
 * its node. A shadow cannot be checkpointed or migrated.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/hrtimer.h>
#include <linux/krg_hooks.h>
#include <linux/mm.h>
#include <linux/pid_namespace.h>
#include <linux/posix-timers.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <uapi/linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <krg/epm.h>
#include <krg/membership.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include <krg/rpc.h>

struct shadow_wire {
	__le32 pid;
	__le32 status;
} __packed;

/* Here, the shadows: PID -> struct shadow. */
struct shadow {
	bool active;		/* the task is a shadow now (not migrating) */
	bool exited;
	int status;
	struct rcu_head rcu;
};
static DEFINE_XARRAY(shadows);
atomic_t krg_shadows = ATOMIC_INIT(0);

/* Where the process runs: PID -> struct relay. */
struct relay {
	int node;
	bool armed, reaped;
	int status;
};
static DEFINE_XARRAY(relays);
static DEFINE_MUTEX(relay_lock);

/* Bumped when a node leaves: shadows check their process is still run. */
static atomic_t left_gen = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(shadow_wq);

/* A shadow asks where its process runs this often, should a tell be lost. */
#define SHADOW_PROBE	(60 * HZ)
#define SHADOW_RECHECK	(5 * HZ)
/* Tries of telling a shadow, a second apart, before giving up. */
#define TELL_TRIES	10

/* Any value but SIG_DFL and SIG_IGN: a shadow's signals are all queued. */
#define SHADOW_HANDLER	((__sighandler_t)2)

/**
 * krg_shadow_prepare - the task of @pid here is to stay as a shadow
 *
 * Before the migration's restart: its exit may come at once.
 */
int krg_shadow_prepare(pid_t pid)
{
	struct shadow *s = kzalloc(sizeof(*s), GFP_KERNEL);
	int err;

	if (!s)
		return -ENOMEM;
	err = xa_insert(&shadows, pid, s, GFP_KERNEL);
	if (err)
		kfree(s);
	return err;
}

/* The migration failed: no shadow. */
void krg_shadow_cancel(pid_t pid)
{
	struct shadow *s = xa_erase(&shadows, pid);

	if (s)
		kfree_rcu(s, rcu);
}

/* Patch 0022, under tasklist_lock: @t skips its group's signals. */
bool krg_task_is_shadow(struct task_struct *t)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct shadow *s;
	bool active;

	if (!ns || xa_empty(&shadows) || task_active_pid_ns(t) != ns)
		return false;
	rcu_read_lock();
	s = xa_load(&shadows, task_pid_nr_ns(t, ns));
	active = s && READ_ONCE(s->active);
	rcu_read_unlock();
	return active;
}

static void drop_memory(void)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long start = 0, len = 0;

	for (;;) {
		mmap_read_lock(mm);
		vma = find_vma(mm, 0);
		if (vma) {
			start = vma->vm_start;
			len = vma->vm_end - vma->vm_start;
		}
		mmap_read_unlock(mm);
		if (!vma || vm_munmap(start, len))
			return;
	}
}

/* Every signal queued (none ignored, none blocked), and none pending. */
static void take_all_signals(void)
{
	struct k_sigaction *ka = current->sighand->action;
	int sig;

	spin_lock_irq(&current->sighand->siglock);
	for (sig = 1; sig <= _NSIG; sig++) {
		if (sig_kernel_only(sig))
			continue;
		ka[sig - 1].sa.sa_handler = SHADOW_HANDLER;
		ka[sig - 1].sa.sa_flags = 0;
	}
	sigemptyset(&current->blocked);
	spin_unlock_irq(&current->sighand->siglock);
}

/*
 * Those pending when it froze travelled in its image; those sent since
 * are forwarded. Child notifications are its own children's, that moved
 * with it; timers fire where it runs now.
 */
static unsigned int forward_signals(pid_t pid)
{
	kernel_siginfo_t info;
	enum pid_type type;
	unsigned int n;
	int sig;

	for (n = 0;; n++) {
		spin_lock_irq(&current->sighand->siglock);
		sig = dequeue_signal(&current->blocked, &info, &type);
		spin_unlock_irq(&current->sighand->siglock);
		if (!sig)
			return n;
		if (info.si_code > 0 || info.si_code == SI_TIMER)
			continue;
		krg_kill_elsewhere(sig, &info, type == PIDTYPE_PID ? pid : 0,
				   pid, type);
	}
}

/* Send @sig to the process, wherever it runs; 0 probes it. */
static int signal_elsewhere(pid_t pid, int sig)
{
	kernel_siginfo_t info;

	clear_siginfo(&info);
	info.si_signo = sig;
	info.si_code = SI_USER;
	return krg_kill_elsewhere(sig, &info, 0, pid, PIDTYPE_TGID);
}

/*
 * No node runs it: asked twice, SHADOW_RECHECK apart, since a process
 * between two nodes (migrating on) is briefly found nowhere.
 */
static bool gone_everywhere(pid_t pid)
{
	if (signal_elsewhere(pid, 0) != -ESRCH)
		return false;
	schedule_timeout_idle(SHADOW_RECHECK);
	return signal_elsewhere(pid, 0) == -ESRCH;
}

/*
 * A killed task's RPC calls end at once (they wait killably): a child of
 * the reaper, wearing the shadow's credentials, sends its SIGKILL on.
 */
struct kill_job {
	pid_t pid;
	const struct cred *cred;
	struct completion done;
};

static int kill_fn(void *arg)
{
	struct kill_job *job = arg;
	const struct cred *old = override_creds(job->cred);

	signal_elsewhere(job->pid, SIGKILL);
	revert_creds(old);
	complete(&job->done);
	/* A kernel_thread() that returns would go to user space. */
	do_exit(0);
}

static void kill_elsewhere(pid_t pid)
{
	struct kill_job job = { .pid = pid, .cred = current_cred() };

	init_completion(&job.done);
	if (krg_reaper_spawn(kill_fn, &job, "krg_shadow") >= 0)
		wait_for_completion(&job.done);
}

/**
 * krg_shadow_run - become the shadow of this migrated process
 *
 * Called by the root of a migrated tree, at its user boundary, once every
 * other task of the tree exits. Never returns.
 */
void __noreturn krg_shadow_run(void)
{
	pid_t pid = task_pid_nr_ns(current, krg_pid_ns());
	struct shadow *s = xa_load(&shadows, pid);
	sigset_t all;
	int gen, status = SIGKILL;
	long woken = 1;
	bool killed;

	if (WARN_ON_ONCE(!s))
		do_exit(SIGKILL);
	/* Its children moved with it: reap their originals here. */
	sigfillset(&all);
	set_current_blocked(&all);
	while (kernel_wait4(-1, NULL, __WALL, NULL) != -ECHILD &&
	       !fatal_signal_pending(current))
		;
	exit_itimers(current);
	__close_range(0, ~0U, 0);
	drop_memory();
	hrtimer_cancel(&current->signal->real_timer);
	current->signal->it_real_incr = 0;
	flush_signals(current);
	/* Killed while frozen or since: that goes on (the flag outlives it). */
	killed = current->signal->flags & SIGNAL_GROUP_EXIT;
	take_all_signals();
	WRITE_ONCE(s->active, true);
	atomic_inc(&krg_shadows);

	for (;;) {
		gen = atomic_read(&left_gen);
		if (!killed)
			woken = wait_event_interruptible_timeout(shadow_wq,
						 READ_ONCE(s->exited) ||
						 signal_pending(current) ||
						 atomic_read(&left_gen) != gen,
						 SHADOW_PROBE);
		/* Work queued on it (TWA_SIGNAL) runs here, as at a return. */
		if (test_thread_flag(TIF_NOTIFY_SIGNAL)) {
			clear_notify_signal();
			task_work_run();
		}
		if (READ_ONCE(s->exited)) {
			status = s->status;
			break;
		}
		if (killed || fatal_signal_pending(current)) {
			kill_elsewhere(pid);
			/* Its status comes from where it runs, if in time. */
			wait_event_timeout(shadow_wq, READ_ONCE(s->exited),
					   KRG_RPC_TIMEOUT);
			status = READ_ONCE(s->exited) ? s->status : SIGKILL;
			break;
		}
		if (signal_pending(current)) {
			/* Nothing to dequeue (a ptrace stop asked): not a spin. */
			if (!forward_signals(pid))
				schedule_timeout_idle(HZ / 10);
		} else if (woken <= 0 || atomic_read(&left_gen) != gen) {
			/* A node left, or the news of its exit was lost? */
			if (gone_everywhere(pid))
				break;
		}
	}
	atomic_dec(&krg_shadows);
	xa_erase(&shadows, pid);
	kfree_rcu(s, rcu);
	do_exit(status);
}

static int shadow_handler(const struct krg_rpc_request *req,
			  struct krg_rpc_reply *reply)
{
	const struct shadow_wire *w = req->data;
	struct shadow *s;
	u32 status;
	pid_t pid;

	if (req->len != sizeof(*w))
		return -EPROTO;
	pid = le32_to_cpu(w->pid);
	status = le32_to_cpu(w->status);
	/* A wait status of an exit: a code, or a signal (not a stop). */
	if (!krg_pid_valid(pid) || status & ~0xffff ||
	    (status & 0x7f) == 0x7f || ((status & 0x7f) && (status & 0xff00)))
		return -EPROTO;
	xa_lock(&shadows);
	s = xa_load(&shadows, pid);
	if (s) {
		s->status = status;
		WRITE_ONCE(s->exited, true);
	}
	xa_unlock(&shadows);
	if (!s)
		return -ESRCH;
	wake_up_all(&shadow_wq);
	return 0;
}

/**
 * krg_shadow_relay_add - @pid, about to be restarted here, has a shadow
 * on @node: disarmed until krg_shadow_relay_arm().
 */
int krg_shadow_relay_add(pid_t pid, int node)
{
	struct relay *r = kzalloc(sizeof(*r), GFP_KERNEL);
	int err;

	if (!r)
		return -ENOMEM;
	r->node = node;
	mutex_lock(&relay_lock);
	kfree(xa_erase(&relays, pid));	/* a stale one, of a failed run */
	err = xa_err(xa_store(&relays, pid, r, GFP_KERNEL));
	mutex_unlock(&relay_lock);
	if (err)
		kfree(r);
	return err;
}

/* Tell the shadow of @pid, on @node, the status it was reaped with. */
struct told {
	struct delayed_work work;
	struct shadow_wire w;
	int node;
	int tries;
};

static void tell_work(struct work_struct *work)
{
	struct told *t = container_of(work, struct told, work.work);
	struct krg_rpc_reply reply;
	int err;

	err = krg_rpc_call(t->node, KRG_RPC_SHADOW, &t->w, sizeof(t->w),
			   &reply, KRG_RPC_TIMEOUT);
	if (!err)
		krg_rpc_reply_free(&reply);
	/* Gone, or no shadow there: nothing to tell. Else try again. */
	if (err && err != -EHOSTDOWN && err != -ESRCH && ++t->tries < TELL_TRIES) {
		schedule_delayed_work(&t->work, HZ);
		return;
	}
	if (err && err != -EHOSTDOWN && err != -ESRCH)
		pr_warn("the shadow of %d on node %d was not told its exit (%d)\n",
			le32_to_cpu(t->w.pid), t->node, err);
	kfree(t);
}

static void tell(pid_t pid, int node, int status)
{
	struct told *t = kmalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return;
	INIT_DELAYED_WORK(&t->work, tell_work);
	t->w.pid = cpu_to_le32(pid);
	t->w.status = cpu_to_le32(status);
	t->node = node;
	t->tries = 0;
	schedule_delayed_work(&t->work, 0);
}

/* The restart of @pid ran (or failed: the relay goes). */
void krg_shadow_relay_arm(pid_t pid, bool run)
{
	struct relay *r;

	mutex_lock(&relay_lock);
	r = xa_load(&relays, pid);
	if (r && run && r->reaped) {
		tell(pid, r->node, r->status);
		run = false;
	}
	if (r && !run)
		kfree(xa_erase(&relays, pid));
	else if (r)
		r->armed = true;
	mutex_unlock(&relay_lock);
}

/**
 * krg_shadow_relay_take - @pid moves on from here: its shadow's node, or
 * -ENOENT if it has none. The shadow is told by the next node.
 */
int krg_shadow_relay_take(pid_t pid)
{
	struct relay *r;
	int node = -ENOENT;

	mutex_lock(&relay_lock);
	r = xa_load(&relays, pid);
	if (r && r->armed) {
		node = r->node;
		kfree(xa_erase(&relays, pid));
	}
	mutex_unlock(&relay_lock);
	return node;
}

/* The node of @pid's shadow, or -ENOENT. */
int krg_shadow_relay_node(pid_t pid)
{
	struct relay *r;
	int node;

	mutex_lock(&relay_lock);
	r = xa_load(&relays, pid);
	node = r && r->armed ? r->node : -ENOENT;
	mutex_unlock(&relay_lock);
	return node;
}

/* release_task(): a migrated process reaped here tells its shadow. */
void krg_shadow_released(struct task_struct *t)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct relay *r;
	int status;
	pid_t pid;

	if (!ns || task_active_pid_ns(t) != ns || !thread_group_leader(t) ||
	    xa_empty(&relays))
		return;
	pid = task_pid_nr_ns(t, ns);
	if (!xa_load(&relays, pid))
		return;
	mutex_lock(&relay_lock);
	r = xa_load(&relays, pid);
	/* What its parent's wait() would have read. */
	status = t->signal->flags & SIGNAL_GROUP_EXIT ?
		 t->signal->group_exit_code : t->exit_code;
	if (r && r->armed) {
		tell(pid, r->node, status);
		kfree(xa_erase(&relays, pid));
	} else if (r) {
		r->reaped = true;
		r->status = status;
	}
	mutex_unlock(&relay_lock);
}

static int on_node_event(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	if (event == KRG_NODE_DOWN) {
		atomic_inc(&left_gen);
		wake_up_all(&shadow_wq);
	}
	return NOTIFY_DONE;
}

static struct notifier_block node_events = {
	.notifier_call = on_node_event,
};

/* The exit of a PID no node allocates early, that has no shadow. */
static const struct shadow_wire shadow_sample = {
	.pid = cpu_to_le32(KRG_PID_LOCAL_MAX | 1 << KRG_PID_NODE_SHIFT),
};

static const struct krg_rpc_service shadow_service = {
	.type = KRG_RPC_SHADOW,
	.name = "shadow",
	.handler = shadow_handler,
	.sample = &shadow_sample,
	.sample_len = sizeof(shadow_sample),
};

int krg_shadow_init(void)
{
	int err = krg_rpc_register(&shadow_service);

	if (!err) {
		err = krg_node_notifier_register(&node_events);
		if (err)
			krg_rpc_unregister(&shadow_service);
	}
	return err;
}
