/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces of the krg communication layer. */
#ifndef _KRG_COMM_H
#define _KRG_COMM_H

#include <linux/types.h>

/* TIPC service type of the per-node krg RPC socket; instance = node id. */
#define KRG_TIPC_RPC_TYPE	0x4b524700	/* "KRG\0" */

/* Legacy TIPC address <1.1.node> of a krg node. */
static inline u32 krg_tipc_addr(int node)
{
	return (1U << 24) | (1U << 12) | node;
}

int krg_rpc_init(void);		/* worker pool, receive buffer */
int krg_rpc_client_init(void);	/* node-loss wake-ups */
int krg_rpc_start(void);	/* bind the socket once TIPC is up */
int krg_ping_init(void);
void krg_join_start(void);
int krg_topology_start(void);

#endif /* _KRG_COMM_H */
