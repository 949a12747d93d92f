/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The proc layer: processes of the cluster PID namespace seen and reached
 * from every node (kernel/krg/proc).
 */
#ifndef _KRG_PROC_H
#define _KRG_PROC_H

#include <krg/node.h>
#include <krg/rpc.h>

/* proc's RPC message types: wire ABI, from its range (krg/rpc.h). */
enum krg_rpc_proc_type {
	KRG_RPC_PS = 48,	/* the processes that run here (proc/ps.c) */
	KRG_RPC_SIGNAL,		/* a signal to a process here (proc/signal.c) */
	KRG_RPC_TASK_OP,	/* its group, session, priority (task_ops.c) */
	KRG_RPC_PROC,		/* its /proc/PID files (procfs.c) */
	KRG_RPC_LOCATION,	/* where a PID runs (location.c) */
};

/* What the other nodes answered of a process (proc/runner.c). */
struct krg_runner {
	int found;	/* the answer for the process: 0 or an error */
	int lost;	/* the error of a node that did not answer, or 0 */
	bool any;	/* one of them answered 0 */
	bool asked;	/* the call got as far as the nodes */
};

bool krg_caller_capable(int cap);
void krg_runner_note(struct krg_runner *r, int node, int status);
int krg_runner_result(const struct krg_runner *r);
void krg_ask_others(u16 type, const void *req, size_t len,
		    krg_rpc_gather_t gather, void *arg, struct krg_runner *r);
int krg_ask_runner(pid_t pid, u16 type, const void *req, size_t len,
		   struct krg_rpc_reply *reply, size_t max);

/* The PID location directory (location.c). */
int krg_locate(pid_t pid);
void krg_location_arrived(const s32 *pids, unsigned int n);
void krg_location_reclaim(const s32 *pids, unsigned int n);
int krg_location_leaving(const s32 *pids, unsigned int n, int to);
void krg_location_stayed(const s32 *pids, unsigned int n);
void krg_location_moved(const s32 *pids, unsigned int n);
#define KRG_LOCATION_MOVED	KRG_MAX_NODES
int krg_location_left(pid_t pid);
/* A call for @pid is not for the task of it here, if any: it runs elsewhere. */
bool krg_location_elsewhere(pid_t pid);
struct task_struct;
void krg_location_released(struct task_struct *t);
unsigned long krg_pids_away(void);
extern atomic_long_t krg_locate_direct, krg_locate_broadcast, krg_locate_where;

/* Its command line, as /proc/PID/cmdline reads it (ps.c). */
int krg_read_cmdline(struct task_struct *t, char *buf, size_t size);

int krg_ps_init(void);
int krg_signal_init(void);
int krg_task_ops_init(void);
int krg_procfs_init(void);
int krg_location_init(void);

#endif /* _KRG_PROC_H */
