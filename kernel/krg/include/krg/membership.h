/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cluster membership: which nodes are present (seen since boot) and online
 * (reachable now), and notification of node arrival and loss.
 *
 * Subsystems hang their per-node state off the node notifier chain: a
 * notifier_block whose callback gets KRG_NODE_UP or KRG_NODE_DOWN with the
 * node id (cast to void *) as data. Callbacks run in process context, one
 * event at a time, in decreasing nb->priority order: lower layers use higher
 * priorities so that, on node loss, RPC fails its calls before the layers
 * above clean up. The node is already marked offline when DOWN is sent.
 * KRG_NODE_JOINING is sent once, with this node's id, before it becomes
 * visible to the others: a layer above starts there what their requests
 * need (the cluster PID namespace), and may stop the join with
 * notifier_from_errno(). KRG_NODE_LEAVING is sent before this node leaves
 * (comm/leave.c), with data non-zero if the leave is forced: a layer may
 * refuse it with notifier_from_errno() (cluster processes still run
 * here), or, forced, stop what would refuse it.
 *
 * KRG_NODE_DOWN comes only once a majority of the members agreed that the
 * node is dead and it was fenced (comm/quorum.c, comm/fence.c). A node
 * that reaches no majority gets KRG_NODE_QUORUM_LOST (data: this node's
 * id): it must not recover anything, and freezes what it protects, until
 * KRG_NODE_QUORUM_BACK.
 */
#ifndef _KRG_MEMBERSHIP_H
#define _KRG_MEMBERSHIP_H

#include <linux/notifier.h>
#include <krg/nodemask.h>

enum krg_node_event {
	KRG_NODE_UP = 1,
	KRG_NODE_DOWN,
	KRG_NODE_JOINING,
	KRG_NODE_LEAVING,
	KRG_NODE_QUORUM_LOST,
	KRG_NODE_QUORUM_BACK,
};

/* Notifier priorities, highest first. */
enum {
	KRG_PRIO_RPC = 100,
	KRG_PRIO_DEFAULT = 0,
};

int krg_node_notifier_register(struct notifier_block *nb);
int krg_node_notifier_unregister(struct notifier_block *nb);

bool krg_node_online(int node);
void krg_nodes_online(struct krg_nodemask *dst);
void krg_nodes_present(struct krg_nodemask *dst);
/* Members this node suspects; nodes declared dead, not booted again. */
void krg_nodes_suspected(struct krg_nodemask *dst);
void krg_nodes_dead(struct krg_nodemask *dst);
/* False while this node reaches no majority of the members. */
bool krg_membership_quorate(void);

/* Called by the join (comm/join.c): 0, or the error that stops it. */
int krg_membership_joining(void);
/* Called as it leaves (comm/leave.c): 0, or the error that stops it. */
int krg_membership_leaving(bool force);
/* Take @node out of the cluster; the caller checked CAP_SYS_ADMIN. */
int krg_node_leave(int node, bool force);
/* Work that must not be cut by a leave (a restart): false if it left. */
bool krg_leave_hold(void);
void krg_leave_release(void);

/* Called by the TIPC topology watcher and comm/quorum.c. */
void krg_membership_node_up(int node);
void krg_membership_node_down(int node);
void krg_membership_quorum(int event);

#endif /* _KRG_MEMBERSHIP_H */
