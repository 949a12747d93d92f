/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The proc layer: processes of the cluster PID namespace seen and reached
 * from every node (kernel/krg/proc).
 */
#ifndef _KRG_PROC_H
#define _KRG_PROC_H

/* proc's RPC message types: wire ABI, from its range (krg/rpc.h). */
enum krg_rpc_proc_type {
	KRG_RPC_PS = 48,	/* the processes that run here (proc/ps.c) */
	KRG_RPC_SIGNAL,		/* a signal to a process here (proc/signal.c) */
};

int krg_ps_init(void);
int krg_signal_init(void);

#endif /* _KRG_PROC_H */
