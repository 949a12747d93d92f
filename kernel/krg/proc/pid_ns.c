// SPDX-License-Identifier: GPL-2.0
/*
 * The cluster PID namespace: a child of the initial namespace, created when
 * the node joins, whose PIDs carry the node id (see <krg/pid.h>).
 *
 * Allocation stays local: alloc_pid() asks krg_pid_range() for this
 * namespace's range, node << 22 | 1 .. node << 22 | 2^22-1, and allocates
 * in it as usual. PID 1 is the node's reaper, a kernel thread that adopts
 * and reaps the namespace's orphans.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/completion.h>
#include <linux/fs_struct.h>
#include <linux/krg_hooks.h>
#include <linux/kthread.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/wait.h>
#include <uapi/linux/wait.h>
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

/* PID 1 of the cluster namespace: reap whatever is reparented to us. */
static int reaper_fn(void *unused)
{
	allow_signal(SIGCHLD);
	for (;;) {
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

int krg_pid_ns_start(void)
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
