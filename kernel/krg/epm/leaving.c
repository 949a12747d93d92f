// SPDX-License-Identifier: GPL-2.0
/*
 * A node that leaves the cluster (comm/leave.c) would take the cluster
 * processes that run on it along: it may leave only once none is left,
 * or, forced, once they are killed. Not counted: the node's reaper, a
 * process already dying (exiting, or SIGKILL pending), a shadow
 * (epm/shadow.c) and the original of a finished move, whose process runs
 * elsewhere and goes on without them. A tree still moving out, or a
 * migration coming in, keeps the node in even when forced: it would be
 * stranded here.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/krg_hooks.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <krg/epm.h>
#include <krg/membership.h>
#include <krg/pid.h>
#include <krg/proc.h>

/* Passes over the tasks when forced: a kill races with a fork. */
#define KILL_PASSES	5

enum { STAYS, MOVING };

/* STAYS: a process that would be lost; MOVING: one moving out; else -1. */
static int kind(struct task_struct *p, struct pid_namespace *ns)
{
	pid_t pid = task_pid_nr_ns(p, ns);
	int left;

	/* A group whose leader exited runs on in its other threads. */
	if (p->flags & PF_KTHREAD || p == ns->child_reaper || pid <= 0 ||
	    !atomic_read(&p->signal->live) ||
	    p->signal->flags & SIGNAL_GROUP_EXIT ||
	    sigismember(&p->signal->shared_pending.signal, SIGKILL) ||
	    krg_task_is_shadow(p))
		return -1;
	left = krg_location_left(pid);
	if (left == KRG_LOCATION_MOVED)
		return -1;
	return left ? MOVING : STAYS;
}

/* How many would stay, killing them if @kill; *moving: those moving. */
static int scan(struct pid_namespace *ns, bool kill, int *moving)
{
	struct task_struct *p;
	int found = 0;

	*moving = 0;
	rcu_read_lock();
	for_each_process(p) {
		switch (kind(p, ns)) {
		case STAYS:
			found++;
			if (kill)
				send_sig(SIGKILL, p, 1);
			break;
		case MOVING:
			(*moving)++;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static int leaving(bool force)
{
	struct pid_namespace *ns = krg_pid_ns();
	int found, moving, killed = 0, pass;

	if (!ns)
		return 0;
	if (atomic_read(&krg_migrations_in)) {
		pr_info("leave refused: migrations are coming in\n");
		return -EBUSY;
	}
	found = scan(ns, false, &moving);
	if (moving) {
		pr_info("leave refused: %d processes are moving out\n", moving);
		return -EBUSY;
	}
	if (found && !force) {
		pr_info("leave refused: %d cluster processes run here\n",
			found);
		return -EBUSY;
	}
	for (pass = 0; found && pass < KILL_PASSES; pass++) {
		killed += scan(ns, true, &moving);
		found = scan(ns, false, &moving);	/* forked meanwhile */
	}
	if (killed)
		pr_info("%d cluster processes killed to leave\n", killed);
	return found ? -EBUSY : 0;
}

static int on_node_event(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	return event == KRG_NODE_LEAVING ?
	       notifier_from_errno(leaving((long)data)) : NOTIFY_DONE;
}

static struct notifier_block node_events = {
	.notifier_call = on_node_event,
};

int krg_leaving_init(void)
{
	return krg_node_notifier_register(&node_events);
}
