// SPDX-License-Identifier: GPL-2.0
/*
 * Present and online node maps, and the node-up/node-down notifier chain.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/notifier.h>
#include <linux/spinlock.h>
#include <krg/membership.h>
#include <krg/node.h>
#include "comm.h"

static struct krg_nodemask online, present;
static DEFINE_SPINLOCK(maps_lock);
static BLOCKING_NOTIFIER_HEAD(node_chain);

int krg_node_notifier_register(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&node_chain, nb);
}
EXPORT_SYMBOL_GPL(krg_node_notifier_register);

int krg_node_notifier_unregister(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&node_chain, nb);
}
EXPORT_SYMBOL_GPL(krg_node_notifier_unregister);

bool krg_node_online(int node)
{
	return krg_node_valid(node) && test_bit(node, online.bits);
}
EXPORT_SYMBOL_GPL(krg_node_online);

void krg_nodes_online(struct krg_nodemask *dst)
{
	spin_lock(&maps_lock);
	*dst = online;
	spin_unlock(&maps_lock);
}
EXPORT_SYMBOL_GPL(krg_nodes_online);

void krg_nodes_present(struct krg_nodemask *dst)
{
	spin_lock(&maps_lock);
	*dst = present;
	spin_unlock(&maps_lock);
}
EXPORT_SYMBOL_GPL(krg_nodes_present);

int krg_membership_joining(void)
{
	return notifier_to_errno(blocking_notifier_call_chain(&node_chain,
			KRG_NODE_JOINING, (void *)(long)krg_node_id));
}

int krg_membership_leaving(bool force)
{
	return notifier_to_errno(blocking_notifier_call_chain(&node_chain,
			KRG_NODE_LEAVING, (void *)(long)force));
}

void krg_membership_node_up(int node)
{
	bool was_online;

	/* Declared dead: it comes back only as a new boot (quorum.c). */
	if (!krg_node_valid(node) || krg_quorum_is_dead(node))
		return;
	spin_lock(&maps_lock);
	was_online = test_bit(node, online.bits);
	krg_node_set(node, &online);
	krg_node_set(node, &present);
	spin_unlock(&maps_lock);
	if (was_online)
		return;
	krg_hb_fresh(node);
	pr_info("node %d online\n", node);
	blocking_notifier_call_chain(&node_chain, KRG_NODE_UP,
				     (void *)(long)node);
}

void krg_membership_node_down(int node)
{
	bool was_online;

	if (!krg_node_valid(node))
		return;
	spin_lock(&maps_lock);
	was_online = test_bit(node, online.bits);
	krg_node_clear(node, &online);
	spin_unlock(&maps_lock);
	if (!was_online)
		return;
	pr_info("node %d unreachable\n", node);
	blocking_notifier_call_chain(&node_chain, KRG_NODE_DOWN,
				     (void *)(long)node);
}

void krg_membership_quorum(int event)
{
	blocking_notifier_call_chain(&node_chain, event,
				     (void *)(long)krg_node_id);
}
