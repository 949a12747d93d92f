// SPDX-License-Identifier: GPL-2.0
/*
 * Agreement on who is dead. heartbeat.c says whom this node suspects, and
 * every heartbeat says whom its sender suspects. A member is declared dead
 * when a majority of the members suspect it: more than half, or exactly
 * half when that half holds the lowest member (two nodes: either, and the
 * fence decides). Every member decides from the same votes, so all agree.
 *
 * A declared node is fenced (fence.c), and only then does the node-down
 * notifier run, with the recoveries above it. Until it boots again (a new
 * nonce), it is not let back in: if it was only cut off, the first
 * heartbeat it hears from us says it was declared dead, and it stops
 * its cluster processes and leaves (comm/leave.c).
 *
 * A node that does not see a majority itself has lost quorum: it recovers
 * nothing, and the layers above freeze what they protect
 * (KRG_NODE_QUORUM_LOST) until quorum is back (KRG_NODE_QUORUM_BACK).
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <krg/membership.h>
#include <krg/node.h>
#include "comm.h"

static struct krg_nodemask votes[KRG_MAX_NODES];	/* who suspects each */
static struct krg_nodemask dead;	/* declared, not booted again yet */
static struct krg_nodemask left;	/* said they leave on purpose */
static u64 dead_nonce[KRG_MAX_NODES];
static bool lost, evicted;
static DEFINE_SPINLOCK(quorum_lock);
static struct workqueue_struct *quorum_wq;	/* ordered: one change at a time */

enum change { DECLARED, LEFT, REBOOTED, BACK };

struct change_work {
	struct work_struct work;
	enum change what;
	int node;
	u64 nonce;		/* DECLARED: the incarnation to fence */
};

static void change_fn(struct work_struct *work)
{
	struct change_work *c = container_of(work, struct change_work, work);

	switch (c->what) {
	case DECLARED:
		krg_fence(c->node, c->nonce);
		krg_membership_node_down(c->node);
		break;
	case LEFT:
		krg_membership_node_down(c->node);
		break;
	case REBOOTED:
		pr_info("node %d booted again\n", c->node);
		krg_membership_node_down(c->node);
		krg_hb_link(c->node, true);
		krg_membership_node_up(c->node);
		break;
	case BACK:
		krg_hb_link(c->node, true);
		krg_membership_node_up(c->node);
		break;
	}
	kfree(c);
}

/* Return: false if out of memory (the caller tries again later). */
static bool queue_change_nonce(enum change what, int node, u64 nonce)
{
	struct change_work *c = kmalloc(sizeof(*c), GFP_ATOMIC);

	if (!c)
		return false;
	INIT_WORK(&c->work, change_fn);
	c->what = what;
	c->node = node;
	c->nonce = nonce;
	queue_work(quorum_wq, &c->work);
	return true;
}

static bool queue_change(enum change what, int node)
{
	return queue_change_nonce(what, node, 0);
}

/* Members: online and not declared dead. Caller holds quorum_lock. */
static void members_locked(struct krg_nodemask *m)
{
	krg_nodes_online(m);
	bitmap_andnot(m->bits, m->bits, dead.bits, KRG_MAX_NODES);
}

/* Do the nodes of @set make a majority of @members? (KUnit: quorum_test) */
bool krg_quorum_majority(const struct krg_nodemask *set,
			 const struct krg_nodemask *members)
{
	struct krg_nodemask in;
	unsigned int n = krg_nodemask_weight(members), k;
	int lowest = find_first_bit(members->bits, KRG_MAX_NODES);

	if (!n)
		return false;
	bitmap_and(in.bits, set->bits, members->bits, KRG_MAX_NODES);
	k = krg_nodemask_weight(&in);
	if (2 * k != n)
		return 2 * k > n;
	return n == 2 || krg_node_isset(lowest, &in);
}

/*
 * Is the member suspected by @votes dead? Only the votes of the members
 * this node still hears (@reachable) count: a member that went silent has
 * no say in who else is dead. (KUnit: quorum_test)
 */
bool krg_quorum_declares(const struct krg_nodemask *votes,
			 const struct krg_nodemask *reachable,
			 const struct krg_nodemask *members)
{
	struct krg_nodemask voters;

	bitmap_and(voters.bits, votes->bits, reachable->bits, KRG_MAX_NODES);
	return krg_quorum_majority(&voters, members);
}

/* Suspects of this node. Caller holds quorum_lock. */
static void suspects_locked(struct krg_nodemask *suspects)
{
	int node;

	krg_nodemask_clear(suspects);
	for (node = 1; node < KRG_MAX_NODES; node++)
		if (krg_node_isset(krg_node_id, &votes[node]))
			krg_node_set(node, suspects);
}

/*
 * One round's worth, at one instant: heartbeats go to the members, and to
 * the declared dead with the incarnation declared, to tell them so.
 */
void krg_quorum_round(struct krg_hb_round *r)
{
	struct krg_nodemask members;
	int node;

	spin_lock(&quorum_lock);
	members_locked(&members);
	bitmap_or(r->to.bits, members.bits, dead.bits, KRG_MAX_NODES);
	suspects_locked(&r->suspects);
	for (node = 0; node < KRG_MAX_NODES; node++)
		r->declared[node] = krg_node_isset(node, &dead) ?
				    dead_nonce[node] : 0;
	spin_unlock(&quorum_lock);
}

bool krg_quorum_is_dead(int node)
{
	bool d;

	spin_lock(&quorum_lock);
	d = krg_node_isset(node, &dead);
	spin_unlock(&quorum_lock);
	return d;
}

/* For /sys/kernel/krg: what this node suspects, declared, and has. */
void krg_nodes_suspected(struct krg_nodemask *dst)
{
	struct krg_nodemask members;

	spin_lock(&quorum_lock);
	suspects_locked(dst);
	members_locked(&members);
	bitmap_and(dst->bits, dst->bits, members.bits, KRG_MAX_NODES);
	spin_unlock(&quorum_lock);
}

void krg_nodes_dead(struct krg_nodemask *dst)
{
	spin_lock(&quorum_lock);
	*dst = dead;
	spin_unlock(&quorum_lock);
}

bool krg_membership_quorate(void)
{
	return !READ_ONCE(lost);
}

void krg_quorum_suspect(int node, bool silent)
{
	spin_lock(&quorum_lock);
	if (silent)
		krg_node_set(krg_node_id, &votes[node]);
	else
		krg_node_clear(krg_node_id, &votes[node]);
	spin_unlock(&quorum_lock);
}

/*
 * A heartbeat from @src: its boot (@old as we knew it), whether it leaves
 * on purpose, its votes, and @declared: our incarnation if its side of
 * the cluster declared us dead. Heartbeats are handled one at a time.
 */
void krg_quorum_heard(int src, u64 old, u64 nonce, u64 declared,
		      bool leaving, const struct krg_nodemask *suspects)
{
	struct krg_nodemask members;
	bool out = false;
	int node;

	spin_lock(&quorum_lock);
	if (krg_node_isset(src, &dead)) {
		/* The incarnation we declared dead stays out; a new one joins. */
		if (nonce != dead_nonce[src] && queue_change(BACK, src)) {
			krg_node_clear(src, &dead);
			krg_node_clear(src, &left);
			krg_nodemask_clear(&votes[src]);
		}
		spin_unlock(&quorum_lock);
		return;
	}
	members_locked(&members);
	/*
	 * Heard: our doubt is lifted now, the others' come again with their
	 * next heartbeats, and no verdict from older votes reaches a new boot.
	 */
	krg_nodemask_clear(&votes[src]);
	if (old && old != nonce && krg_node_isset(src, &members)) {
		if (!queue_change(REBOOTED, src))
			pr_err("no memory: node %d booted again unnoticed\n", src);
		spin_unlock(&quorum_lock);
		return;
	}
	/* A leave that did not happen (its bearer stayed) is taken back. */
	if (leaving)
		krg_node_set(src, &left);
	else
		krg_node_clear(src, &left);
	for (node = 1; node < KRG_MAX_NODES; node++) {
		if (node != src && krg_node_isset(node, suspects))
			krg_node_set(src, &votes[node]);
		else
			krg_node_clear(src, &votes[node]);
	}
	/* This very boot of ours was declared dead over there. */
	if (declared && declared == krg_hb_nonce() && !evicted) {
		evicted = true;
		out = true;
	}
	spin_unlock(&quorum_lock);
	if (out) {
		pr_err("node %d was declared dead by the other nodes (it was cut off): it stops its cluster processes and leaves; boot it again to rejoin\n",
		       krg_node_id);
		krg_leave_evicted();
	}
}

/* This node left: the others are gone for it, without a verdict. */
void krg_quorum_alone(void)
{
	struct krg_nodemask members;
	int node;

	spin_lock(&quorum_lock);
	members_locked(&members);
	for_each_krg_node(node, &members)
		if (node != krg_node_id && !queue_change(LEFT, node))
			pr_err("no memory: node %d stays online here\n", node);
	spin_unlock(&quorum_lock);
}

/* Each heartbeat period: verdicts on the members, and our own quorum. */
void krg_quorum_decide(void)
{
	struct krg_nodemask members, reachable, who_set;
	int node, event = 0;
	char who[64];
	u64 nonce;
	bool has;

	spin_lock(&quorum_lock);
	members_locked(&members);
	reachable = members;
	for_each_krg_node(node, &members)
		if (krg_node_isset(krg_node_id, &votes[node]))
			krg_node_clear(node, &reachable);
	for_each_krg_node(node, &members) {
		if (!krg_node_isset(krg_node_id, &votes[node]))
			continue;
		nonce = krg_hb_nonce_of(node);
		/* Out of memory: not marked, so decided again next period. */
		if (krg_node_isset(node, &left)) {
			if (!queue_change(LEFT, node))
				continue;
		} else if (krg_quorum_declares(&votes[node], &reachable,
					       &members)) {
			if (!queue_change_nonce(DECLARED, node, nonce))
				continue;
			bitmap_and(who_set.bits, votes[node].bits,
				   reachable.bits, KRG_MAX_NODES);
			krg_nodemask_format(who, sizeof(who), &who_set);
			pr_info("node %d declared dead: suspected by nodes %s, a majority of the %u members\n",
				node, who, krg_nodemask_weight(&members));
		} else {
			continue;
		}
		krg_node_set(node, &dead);
		dead_nonce[node] = nonce;
	}
	has = krg_quorum_majority(&reachable, &members);
	/* Declared dead: what is frozen stays so until the leave kills it. */
	if (has == lost && !(has && evicted)) {
		lost = !has;
		event = lost ? KRG_NODE_QUORUM_LOST : KRG_NODE_QUORUM_BACK;
		krg_nodemask_format(who, sizeof(who), &reachable);
	}
	spin_unlock(&quorum_lock);
	if (event == KRG_NODE_QUORUM_LOST)
		pr_err("quorum lost: this node reaches only nodes %s of %u members; it recovers nothing and freezes what is protected\n",
		       who, krg_nodemask_weight(&members));
	else if (event)
		pr_info("quorum back: nodes %s reachable\n", who);
	if (event)
		krg_membership_quorum(event);
}

int krg_quorum_init(void)
{
	quorum_wq = alloc_ordered_workqueue("krg_quorum", 0);
	return quorum_wq ? 0 : -ENOMEM;
}
