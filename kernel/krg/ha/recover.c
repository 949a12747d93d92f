// SPDX-License-Identifier: GPL-2.0
/*
 * Recovery: what every node does when another is lost or joins, and the
 * framework's one-second tick.
 *
 * When node N is lost, every survivor marks RECOVERING each application
 * whose footprint held N, and drops N from it. The lowest online node
 * (the leader) then calls each such application's policy, node_failed(),
 * and publishes the result: RUNNING with its new root, or, after
 * KRG_HA_MAX_TRIES failures in a row, FAILED. The leader retries at each
 * tick, so when the leader itself is lost mid-recovery the next one
 * (which marked the application too) takes it over; a policy makes its
 * recovery safe to repeat (restart_scratch kills before it relaunches).
 *
 * At each tick every node counts the live tasks of each application it
 * runs, and leaves an application's footprint after KRG_HA_IDLE_TICKS
 * ticks with none; the leader calls the policies' tick().
 *
 * A node that joins gets the registry and the loaded policies from the
 * lowest other online node.
 */
#define pr_fmt(fmt) "krg: ha: " fmt

#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <krg/membership.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include "ha_internal.h"

#define KRG_HA_MAX_TRIES	3
#define TICK			HZ

static struct workqueue_struct *ha_wq;
static struct delayed_work tick_work;

struct node_event {
	struct work_struct work;
	int node;
	unsigned long event;
};

static bool leader(void)
{
	struct krg_nodemask online;

	krg_nodes_online(&online);
	return find_first_bit(online.bits, KRG_MAX_NODES) == krg_node_id;
}

/* Every survivor: the applications that may have lost tasks with @node. */
static void mark_lost(int node)
{
	struct ha_entry *e;

	mutex_lock(&ha_lock);
	list_for_each_entry(e, &ha_apps, list) {
		if (!krg_node_isset(node, &e->app.footprint))
			continue;
		krg_node_clear(node, &e->app.footprint);
		if (e->app.state == KRG_HA_RUNNING) {
			e->app.state = KRG_HA_RECOVERING;
			e->tries = 0;
		}
		e->lost = node;
		pr_info("application %u lost node %d\n", e->app.id, node);
	}
	mutex_unlock(&ha_lock);
}

/* The leader: recover application @id; publish how it went. */
static void recover_one(u32 id)
{
	struct krg_ha_policy *policy;
	struct ha_entry *e, copy;
	int err;

	mutex_lock(&ha_lock);
	e = ha_find(id);
	if (e)
		copy = *e;
	mutex_unlock(&ha_lock);
	if (!e || copy.app.state != KRG_HA_RECOVERING)
		return;
	policy = ha_policy_get(copy.app.policy, true);
	err = policy ? policy->node_failed(&copy.app, copy.lost) : -ENOENT;
	if (policy)
		ha_policy_put(policy);

	mutex_lock(&ha_lock);
	e = ha_find(id);
	if (!e) {		/* detached meanwhile */
		mutex_unlock(&ha_lock);
		return;
	}
	if (!err) {
		e->app.root = copy.app.root;
		e->app.footprint = copy.app.footprint;
		e->app.committed = copy.app.committed;
		e->app.recoveries++;
		e->app.state = KRG_HA_RUNNING;
		e->tries = 0;
	} else if (++e->tries >= KRG_HA_MAX_TRIES) {
		e->app.state = KRG_HA_FAILED;
	}
	copy = *e;
	mutex_unlock(&ha_lock);
	if (!err)
		pr_info("application %u recovered by %s: root %u\n", id,
			copy.app.policy, copy.app.root);
	else if (copy.app.state == KRG_HA_FAILED)
		pr_err("application %u: %s failed to recover it %d times (last %d): given up\n",
		       id, copy.app.policy, KRG_HA_MAX_TRIES, err);
	else
		pr_warn("application %u: %s failed to recover it (%d), will retry\n",
			id, copy.app.policy, err);
	if (!err || copy.app.state == KRG_HA_FAILED)
		ha_publish_id(id);
}

/* The leader: recover every application marked, one at a time. */
static void recover_all(void)
{
	u32 ids[KRG_HA_MAX_APPS];
	struct ha_entry *e;
	int n = 0, i;

	mutex_lock(&ha_lock);
	list_for_each_entry(e, &ha_apps, list)
		if (e->app.state == KRG_HA_RECOVERING && n < KRG_HA_MAX_APPS)
			ids[n++] = e->app.id;
	mutex_unlock(&ha_lock);
	for (i = 0; i < n; i++)
		recover_one(ids[i]);
}

static void node_event_work(struct work_struct *work)
{
	struct node_event *ev = container_of(work, struct node_event, work);

	if (ev->event == KRG_NODE_DOWN) {
		mark_lost(ev->node);
		if (leader())
			recover_all();
	} else {
		ha_policy_sync(ev->node);
		ha_registry_sync(ev->node);
	}
	kfree(ev);
}

/*
 * This node lost quorum: the majority may recover what runs here, so it
 * must not go on. Stop every protected process here until quorum is back
 * (and again at each tick, whoever sends them SIGCONT); if the majority
 * declared this node dead, it leaves and they are killed.
 */
static unsigned int signal_protected(int sig)
{
	struct task_struct *p;
	unsigned int n = 0;

	rcu_read_lock();
	for_each_process(p)
		if (READ_ONCE(p->krg_ha_app) && !p->exit_state &&
		    !(p->flags & PF_KTHREAD)) {
			send_sig(sig, p, 1);
			n++;
		}
	rcu_read_unlock();
	return n;
}

static void freeze_here(bool freeze)
{
	unsigned int n = signal_protected(freeze ? SIGSTOP : SIGCONT);

	if (n)
		pr_info("%s %u protected processes here\n",
			freeze ? "froze" : "thawed", n);
}

static int on_node_event(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	struct node_event *ev;

	if (event == KRG_NODE_QUORUM_LOST || event == KRG_NODE_QUORUM_BACK) {
		freeze_here(event == KRG_NODE_QUORUM_LOST);
		return NOTIFY_DONE;
	}
	if (event != KRG_NODE_DOWN && event != KRG_NODE_UP)
		return NOTIFY_DONE;
	if ((long)data == krg_node_id)
		return NOTIFY_DONE;
	ev = kmalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev) {
		pr_err("no memory to handle node %ld going %s\n", (long)data,
		       event == KRG_NODE_DOWN ? "down" : "up");
		return NOTIFY_DONE;
	}
	INIT_WORK(&ev->work, node_event_work);
	ev->node = (long)data;
	ev->event = event;
	queue_work(ha_wq, &ev->work);
	return NOTIFY_DONE;
}

static struct notifier_block node_events = {
	.notifier_call = on_node_event,
};

/* Processes of application @id that run here (zombies do not). */
static unsigned int count_here(u32 id)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct task_struct *p;
	unsigned int n = 0;

	if (!ns)
		return 0;
	rcu_read_lock();
	/* A shadow, or a moved original, is not where the process runs. */
	for_each_process(p)
		if (READ_ONCE(p->krg_ha_app) == id && !p->exit_state &&
		    task_tgid_nr_ns(p, ns) > 0 &&
		    !krg_location_elsewhere(task_tgid_nr_ns(p, ns)))
			n++;
	rcu_read_unlock();
	return n;
}

/* A set the policy committed at its tick: every node learns it. */
static void publish_committed(u32 id, u32 committed)
{
	struct ha_entry *e;

	mutex_lock(&ha_lock);
	e = ha_find(id);
	if (e)
		e->app.committed = committed;
	mutex_unlock(&ha_lock);
	if (e)
		ha_publish_id(id);
}

static void tick_fn(struct work_struct *work)
{
	u32 idle[KRG_HA_MAX_APPS], ticked[KRG_HA_MAX_APPS];
	int n_idle = 0, n_ticked = 0, i;
	struct krg_ha_policy *policy;
	bool lead = leader();
	struct ha_entry *e;
	struct ha_entry copy;
	u32 before;

	/* Without quorum: nothing recovered, checkpointed or let run here. */
	if (!krg_membership_quorate()) {
		signal_protected(SIGSTOP);
		/* Quorum came back meanwhile: its SIGCONT may have gone first. */
		if (krg_membership_quorate())
			signal_protected(SIGCONT);
		goto again;
	}
	mutex_lock(&ha_lock);
	list_for_each_entry(e, &ha_apps, list) {
		if (!krg_node_isset(krg_node_id, &e->app.footprint) ||
		    count_here(e->app.id))
			e->idle_ticks = 0;
		else if (++e->idle_ticks >= KRG_HA_IDLE_TICKS)
			idle[n_idle++] = e->app.id;
		if (lead && e->app.state == KRG_HA_RUNNING)
			ticked[n_ticked++] = e->app.id;
	}
	mutex_unlock(&ha_lock);
	for (i = 0; i < n_idle; i++)
		ha_footprint_del(idle[i], krg_node_id);
	if (lead)
		recover_all();
	for (i = 0; i < n_ticked; i++) {
		mutex_lock(&ha_lock);
		e = ha_find(ticked[i]);
		if (e)
			copy = *e;
		mutex_unlock(&ha_lock);
		if (!e)
			continue;
		before = copy.app.committed;
		policy = ha_policy_get(copy.app.policy, false);
		if (policy && policy->tick)
			policy->tick(&copy.app);
		if (policy)
			ha_policy_put(policy);
		if (copy.app.committed != before)
			publish_committed(copy.app.id, copy.app.committed);
	}
again:
	queue_delayed_work(ha_wq, &tick_work, TICK);
}

/**
 * krg_ha_task_arrives - a task of application @id is about to run here
 * @caller: the credentials of who restarts it, if it lacks CAP_SYS_ADMIN
 *
 * Restart and migration call it before the task runs.
 *
 * Return: 0 to keep its tag; -ENOENT if no such application is attached,
 * -EPERM if it is not @caller's: the task then runs untagged.
 */
int krg_ha_task_arrives(u32 id, const struct cred *caller)
{
	struct ha_entry *e;
	bool mine;

	mutex_lock(&ha_lock);
	e = ha_find(id);
	mine = e && (!caller || uid_eq(caller->uid,
				       make_kuid(&init_user_ns, e->app.owner)));
	mutex_unlock(&ha_lock);
	if (!e)
		return -ENOENT;
	if (!mine)
		return -EPERM;
	/* A node that did not take it (joining) learns it at its sync. */
	ha_footprint_add(id, krg_node_id);
	return 0;
}

int ha_recover_init(void)
{
	ha_wq = alloc_ordered_workqueue("krg_ha", 0);
	if (!ha_wq)
		return -ENOMEM;
	INIT_DELAYED_WORK(&tick_work, tick_fn);
	queue_delayed_work(ha_wq, &tick_work, TICK);
	return krg_node_notifier_register(&node_events);
}
