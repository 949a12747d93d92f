/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Node identity: who this node is and which cluster session it belongs to.
 */
#ifndef _KRG_NODE_H
#define _KRG_NODE_H

#include <linux/types.h>

/* Node ids are 1..KRG_MAX_NODES-1; 0 means "no valid id". */
#define KRG_MAX_NODES		256
#define KRG_NODE_NONE		0
/* A session id is the TIPC network id of the cluster. */
#define KRG_SESSION_MAX		9999

enum krg_state {
	KRG_STATE_OUT,		/* bad or missing identity: never joins */
	KRG_STATE_JOINING,	/* waiting for the cluster interface */
	KRG_STATE_NOKEY,	/* waiting for the cluster key */
	KRG_STATE_JOINED,	/* TIPC up, RPC bound, membership watched */
	KRG_STATE_FAILED,	/* joining failed; see the kernel log */
	KRG_STATE_LEFT,		/* left the cluster (comm/leave.c) */
};

extern int krg_node_id;
extern u32 krg_session_id;
extern char krg_iface[];

enum krg_state krg_state(void);
void krg_set_state(enum krg_state state);
const char *krg_state_name(enum krg_state state);

int krg_parse_node_id(const char *s, int *node);
int krg_parse_session_id(const char *s, u32 *session);
int krg_identity_init(void);

static inline bool krg_node_valid(int node)
{
	return node > KRG_NODE_NONE && node < KRG_MAX_NODES;
}

#endif /* _KRG_NODE_H */
