/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces of the krg communication layer. */
#ifndef _KRG_COMM_H
#define _KRG_COMM_H

#include <linux/types.h>
#include <net/tipc_kernel.h>
#include <krg/nodemask.h>

/*
 * TIPC service type of the per-node krg RPC socket; instance = node id.
 * It is in TIPC's kernel-only range: no user socket can bind or reach it.
 */
#define KRG_TIPC_RPC_TYPE	TIPC_KERN_TYPE_LOWER	/* "KRG\0" */

/* Legacy TIPC address <1.1.node> of a krg node. */
static inline u32 krg_tipc_addr(int node)
{
	return (1U << 24) | (1U << 12) | node;
}

int krg_rpc_init(void);		/* worker pool, receive buffer */
int krg_rpc_client_init(void);	/* node-loss wake-ups */
int krg_rpc_start(void);	/* bind the socket once TIPC is up */
int krg_ping_init(void);
int krg_leave_init(void);
#ifdef CONFIG_KRG_RPC_FUZZ
int krg_rpc_fuzz_init(void);	/* debug kernels: comm/rpc_fuzz.c */
#else
static inline int krg_rpc_fuzz_init(void) { return 0; }
#endif

struct krg_rpc_request;
struct krg_rpc_reply;

/* Ping payloads: byte i of round seq is i * 7 + seq (mod 256). */
static inline void krg_ping_fill(u8 *buf, size_t size, unsigned int seq)
{
	size_t i;

	for (i = 0; i < size; i++)
		buf[i] = (u8)(i * 7 + seq);
}

int ping_oneway_received(const struct krg_rpc_request *req);
int ping_stats_handler(const struct krg_rpc_request *req,
		       struct krg_rpc_reply *reply);
void krg_join_start(void);
void krg_join_kick(void);	/* the cluster key came */
int krg_key_install(void);
int krg_topology_start(void);

/* One-way message to a node the membership may not count (heartbeats). */
int krg_rpc_send_any(int node, u16 type, const void *msg, size_t len);

int krg_heartbeat_init(void);
int krg_heartbeat_start(void);
u64 krg_hb_nonce(void);
u64 krg_hb_nonce_of(int node);
void krg_hb_link(int node, bool up);
void krg_hb_fresh(int node);
void krg_hb_leaving(bool leaving);

/* What one round of heartbeats says, taken at one instant (quorum.c). */
struct krg_hb_round {
	struct krg_nodemask to;		/* the members and the declared dead */
	struct krg_nodemask suspects;	/* whom this node suspects */
	u64 declared[KRG_MAX_NODES];	/* the incarnation declared dead, or 0 */
};

int krg_quorum_init(void);
void krg_quorum_round(struct krg_hb_round *r);
void krg_quorum_suspect(int node, bool silent);
void krg_quorum_heard(int src, u64 old, u64 nonce, u64 declared,
		      bool leaving, const struct krg_nodemask *suspects);
void krg_quorum_decide(void);
void krg_quorum_alone(void);
bool krg_quorum_is_dead(int node);
bool krg_quorum_majority(const struct krg_nodemask *set,
			 const struct krg_nodemask *members);
bool krg_quorum_declares(const struct krg_nodemask *votes,
			 const struct krg_nodemask *reachable,
			 const struct krg_nodemask *members);
void krg_fence(int node, u64 nonce);
void krg_leave_evicted(void);

#endif /* _KRG_COMM_H */
