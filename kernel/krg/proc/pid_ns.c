// SPDX-License-Identifier: GPL-2.0
/*
 * The cluster PID namespace: a child of the initial namespace, created when
 * the node joins, whose PIDs carry the node id (see <krg/pid.h>).
 *
 * Allocation stays local: alloc_pid() asks krg_pid_range() for this
 * namespace's range, node << 22 | 1 .. node << 22 | 2^22-1, and allocates
 * in it as usual. PID 1 is the node's reaper, a kernel thread that adopts
 * and reaps the namespace's orphans, and starts kernel threads inside the
 * namespace for the work other nodes ask of this one (remote restart).
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/completion.h>
#include <linux/fs_struct.h>
#include <linux/krg_hooks.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/wait.h>
#include <uapi/linux/wait.h>
#include <krg/membership.h>
#include <krg/node.h>
#include <krg/pid.h>

static struct pid_namespace *cluster_ns;
static struct pid *reaper;

struct pid_namespace *krg_pid_ns(void)
{
	return READ_ONCE(cluster_ns);
}

/* The reaper's PID as the caller sees it: 0 if it cannot see it. */
pid_t krg_pid_ns_reaper(void)
{
	struct pid *pid = READ_ONCE(reaper);

	return pid ? pid_nr_ns(pid, task_active_pid_ns(current)) : 0;
}

/* Called by alloc_pid() under pidmap_lock: keep it trivial. */
void krg_pid_range(struct pid_namespace *ns, int *min, int *end)
{
	int node = READ_ONCE(krg_node_id);

	/* The reaper, first in the namespace, still gets PID 1. */
	if (ns != READ_ONCE(cluster_ns) || !READ_ONCE(ns->child_reaper) ||
	    !krg_node_valid(node))
		return;
	*min = krg_pid_make(node, 1);
	*end = krg_pid_make(node, KRG_PID_LOCAL_MAX) + 1;
}

/*
 * PIDs chosen in the cluster namespace (clone3() set_tid, ns_last_pid), as
 * restart and migration do, may be any cluster PID, not only this node's.
 */
int krg_pid_limit(struct pid_namespace *ns, int pid_max)
{
	if (ns != READ_ONCE(cluster_ns))
		return pid_max;
	return krg_pid_make(KRG_MAX_NODES - 1, KRG_PID_LOCAL_MAX) + 1;
}

/* A kernel thread the reaper starts as its child: see krg_reaper_spawn(). */
struct reaper_job {
	struct list_head list;
	int (*fn)(void *arg);
	void *arg;
	const char *name;
	pid_t pid;
	struct completion started;
};

static LIST_HEAD(reaper_jobs);
static DEFINE_SPINLOCK(reaper_jobs_lock);

static void reaper_run_jobs(void)
{
	struct reaper_job *job;

	spin_lock(&reaper_jobs_lock);
	while ((job = list_first_entry_or_null(&reaper_jobs,
					       struct reaper_job, list))) {
		list_del(&job->list);
		spin_unlock(&reaper_jobs_lock);
		/*
		 * A fork fails with -ERESTARTNOINTR while a signal is pending:
		 * SIGCHLD, our wake-up, comes with each job asked and each
		 * child that exits (reaped in reaper_fn() all the same).
		 */
		do {
			flush_signals(current);
			job->pid = kernel_thread(job->fn, job->arg, job->name,
						 SIGCHLD);
		} while (job->pid == -ERESTARTNOINTR);
		complete(&job->started);
		spin_lock(&reaper_jobs_lock);
	}
	spin_unlock(&reaper_jobs_lock);
}

/**
 * krg_reaper_spawn - run @fn in a kernel thread, child of the reaper
 *
 * The thread is in the cluster namespace, and what it forks is made there:
 * its orphans go to the reaper, as any orphan of the namespace does.
 *
 * Return: the thread's PID in the namespace, or -errno.
 */
pid_t krg_reaper_spawn(int (*fn)(void *arg), void *arg, const char *name)
{
	struct pid *pid = READ_ONCE(reaper);
	struct reaper_job job = { .fn = fn, .arg = arg, .name = name };
	struct task_struct *task;

	if (!pid)
		return -ENODEV;
	init_completion(&job.started);
	spin_lock(&reaper_jobs_lock);
	list_add_tail(&job.list, &reaper_jobs);
	spin_unlock(&reaper_jobs_lock);
	/* Wakes it from its wait (SIGCHLD is what it listens to). */
	rcu_read_lock();
	task = pid_task(pid, PIDTYPE_PID);
	if (task)
		send_sig(SIGCHLD, task, 1);
	rcu_read_unlock();
	wait_for_completion(&job.started);
	return job.pid;
}

/*
 * PID 1 of the cluster namespace: reap whatever is reparented to us, and
 * start the threads asked of us.
 */
static int reaper_fn(void *unused)
{
	allow_signal(SIGCHLD);
	for (;;) {
		reaper_run_jobs();
		if (kernel_wait4(-1, NULL, __WALL, NULL) == -ECHILD) {
			set_current_state(TASK_INTERRUPTIBLE);
			if (!signal_pending(current))
				schedule();
			__set_current_state(TASK_RUNNING);
		}
		flush_signals(current);
	}
	return 0;
}

struct ns_start {
	struct completion done;
	int err;
};

/*
 * In a throw-away kthread: unshare a new PID namespace for our children,
 * then fork the reaper into it. The reaper keeps the namespace alive.
 */
static int ns_start_fn(void *arg)
{
	struct ns_start *start = arg;
	struct nsproxy *nsp = NULL;
	pid_t pid;
	int err;

	err = unshare_nsproxy_namespaces(CLONE_NEWPID, &nsp, NULL, NULL);
	if (err)
		goto out;
	WRITE_ONCE(cluster_ns, get_pid_ns(nsp->pid_ns_for_children));
	switch_task_namespaces(current, nsp);
	/* CLONE_PARENT: a child of kthreadd, not of user space's init. */
	pid = kernel_thread(reaper_fn, NULL, "krg_reaper",
			    CLONE_FS | CLONE_FILES | CLONE_PARENT | SIGCHLD);
	if (pid < 0) {
		err = pid;
		put_pid_ns(cluster_ns);
		WRITE_ONCE(cluster_ns, NULL);
		goto out;
	}
	WRITE_ONCE(reaper, find_get_pid(pid));
out:
	start->err = err;
	complete(&start->done);
	return 0;
}

static int pid_ns_start(void)
{
	struct ns_start start = { .err = 0 };
	struct task_struct *t;

	init_completion(&start.done);
	t = kthread_run(ns_start_fn, &start, "krg_pid_ns");
	if (IS_ERR(t))
		return PTR_ERR(t);
	wait_for_completion(&start.done);
	if (!start.err)
		pr_info("cluster PID namespace up: PIDs %d..%d\n",
			krg_pid_make(krg_node_id, 1),
			krg_pid_make(krg_node_id, KRG_PID_LOCAL_MAX));
	return start.err;
}

/* The namespace starts as the node joins, before others can ask of it. */
static int on_node_event(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	return event == KRG_NODE_JOINING ?
	       notifier_from_errno(pid_ns_start()) : NOTIFY_DONE;
}

static struct notifier_block node_events = {
	.notifier_call = on_node_event,
};

int krg_pid_ns_init(void)
{
	return krg_node_notifier_register(&node_events);
}
