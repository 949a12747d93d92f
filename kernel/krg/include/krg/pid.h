/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cluster PIDs: in the krg PID namespace a PID is
 *
 *   bits 29..22  origin node (1..255)
 *   bits 21..0   local number (1..2^22-1), allocated on that node alone
 *
 * so every PID is unique cluster-wide without asking anyone, fits the
 * 30-bit FUTEX_TID_MASK, and says where the process was born. PID 1 of
 * the namespace is each node's own reaper, outside every node's range.
 */
#ifndef _KRG_PID_H
#define _KRG_PID_H

#include <linux/types.h>
#include <krg/node.h>

#define KRG_PID_NODE_SHIFT	22
#define KRG_PID_LOCAL_MAX	((1 << KRG_PID_NODE_SHIFT) - 1)

static inline pid_t krg_pid_make(int node, int local)
{
	return (node << KRG_PID_NODE_SHIFT) | local;
}

static inline int krg_pid_node(pid_t pid)
{
	return pid >> KRG_PID_NODE_SHIFT;
}

static inline int krg_pid_local(pid_t pid)
{
	return pid & KRG_PID_LOCAL_MAX;
}

/* A PID some node of the cluster can allocate (not a node's reaper). */
static inline bool krg_pid_valid(pid_t pid)
{
	return pid > 0 && krg_node_valid(krg_pid_node(pid)) &&
	       krg_pid_local(pid);
}

struct pid_namespace;

struct pid_namespace *krg_pid_ns(void);
pid_t krg_pid_ns_reaper(void);
int krg_pid_ns_init(void);	/* starts it as the node joins */
pid_t krg_reaper_spawn(int (*fn)(void *arg), void *arg, const char *name);

#endif /* _KRG_PID_H */
