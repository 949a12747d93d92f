// SPDX-License-Identifier: GPL-2.0
/*
 * A node that leaves the cluster (comm/leave.c) would take the cluster
 * processes that run on it along: it may leave only once none is left,
 * or, forced, once they are killed. Not counted: the node's reaper, and
 * shadows (epm/shadow.c), whose process runs elsewhere and goes on
 * without them. Nor may a node that leaves take a process in.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/krg_hooks.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <krg/epm.h>
#include <krg/membership.h>
#include <krg/pid.h>

static bool counts(struct task_struct *p, struct pid_namespace *ns)
{
	return !(p->flags & PF_KTHREAD) && p != ns->child_reaper &&
	       !p->exit_state && task_pid_nr_ns(p, ns) > 0 &&
	       !krg_task_is_shadow(p);
}

static int leaving(bool force)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct task_struct *p;
	int found = 0;

	if (!ns)
		return 0;
	rcu_read_lock();
	for_each_process(p) {
		if (!counts(p, ns))
			continue;
		found++;
		if (force)
			send_sig(SIGKILL, p, 1);
	}
	rcu_read_unlock();
	if (found && !force) {
		pr_info("leave refused: %d cluster processes run here\n",
			found);
		return -EBUSY;
	}
	if (found)
		pr_info("%d cluster processes killed to leave\n", found);
	return 0;
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
