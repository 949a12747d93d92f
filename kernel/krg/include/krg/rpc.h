/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krg RPC: typed messages between nodes over TIPC.
 *
 *   krg_rpc_call()        request to one node, wait for its reply
 *   krg_rpc_call_nodes()  request to a set of nodes, gather every reply
 *   krg_rpc_send()        one-way message
 *
 * A handler is registered per message type and runs in the krg_rpc worker
 * pool (process context, may sleep). Messages of any size up to
 * KRG_RPC_MAX_MSG are streamed as several TIPC messages.
 *
 * Every wait is bounded: a call fails with -EHOSTDOWN when the node is not
 * online or leaves while the call waits, -ETIMEDOUT when no reply came in
 * time, -EINTR on a fatal signal, -EBADRQC when the peer has no handler for
 * the type, or with the handler's own negative errno.
 */
#ifndef _KRG_RPC_H
#define _KRG_RPC_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/jiffies.h>
#include <krg/nodemask.h>

/*
 * Message types are wire ABI: a number, once used, is never reused. Each
 * layer defines its own in its own header, from the range it owns: comm
 * 1-15 (here), epm 16-47, proc 48-79, ha and its policies 80-255.
 */
enum krg_rpc_comm_type {
	KRG_RPC_PING = 1,	/* echo the payload back; one-way: count it */
	KRG_RPC_PING_STATS,	/* how many one-way pings came from the caller */
	/* 3, 4: epm's restart and PID check in RPC version 1; retired. */
	KRG_RPC_LEAVE = 5,	/* leave the cluster (comm/leave.c) */
	KRG_RPC_HEARTBEAT,	/* one-way: alive, and whom it suspects (heartbeat.c) */
};
#define KRG_RPC_NR_TYPES	256

#define KRG_RPC_MAX_MSG		(64 << 20)
#define KRG_RPC_TIMEOUT		(10 * HZ)

struct krg_rpc_later;

struct krg_rpc_request {
	int src_node;
	u16 type;
	bool oneway;
	const void *data;
	size_t len;
	const struct krg_rpc_later *ctx;	/* for krg_rpc_defer() */
};

/* A handler that replies later, with krg_rpc_reply_later(), returns this. */
#define KRG_RPC_LATER	1

/* A reply buffer: allocated with kvmalloc(), freed with krg_rpc_reply_free(). */
struct krg_rpc_reply {
	void *data;
	size_t len;
};

typedef int (*krg_rpc_handler_t)(const struct krg_rpc_request *req,
				 struct krg_rpc_reply *reply);

/* Called once per gathered node: status is 0 or a negative errno. */
typedef void (*krg_rpc_gather_t)(int node, int status,
				 const struct krg_rpc_reply *reply, void *arg);

/* What a layer serves on one message type. */
struct krg_rpc_service {
	u16 type;
	const char *name;			/* in logs */
	krg_rpc_handler_t handler;
	/* A well-formed request, which debug kernels' fuzzer mutates. */
	const void *sample;
	size_t sample_len;
	/* Liveness traffic, ten a second per peer: not in rpc_handled. */
	bool uncounted;
};

int krg_rpc_register(const struct krg_rpc_service *s);
void krg_rpc_unregister(const struct krg_rpc_service *s);

int krg_rpc_call(int node, u16 type, const void *req, size_t len,
		 struct krg_rpc_reply *reply, unsigned long timeout);
int krg_rpc_call_nodes(const struct krg_nodemask *nodes, u16 type,
		       const void *req, size_t len,
		       krg_rpc_gather_t gather, void *arg,
		       unsigned long timeout);
int krg_rpc_send(int node, u16 type, const void *msg, size_t len);

void krg_rpc_reply_free(struct krg_rpc_reply *reply);

/* Long work: the handler returns KRG_RPC_LATER, the work replies. */
struct krg_rpc_later *krg_rpc_defer(const struct krg_rpc_request *req);
void krg_rpc_reply_later(struct krg_rpc_later *l, int status,
			 const void *data, size_t len);

/* Messages handed to handlers, and frames refused: not from a krg kernel. */
extern atomic_long_t krg_rpc_handled, krg_rpc_refused;

/* Ping: count echo round trips of size bytes, payload checked each time. */
int krg_rpc_ping(int node, u16 type, size_t size, unsigned int count,
		 unsigned long timeout, u64 *total_ns);
int krg_rpc_ping_oneway(int node, size_t size, unsigned int count,
			unsigned long timeout, u64 *total_ns);
int krg_rpc_ping_nodes(const struct krg_nodemask *nodes, u16 type,
		       size_t size, unsigned int count, unsigned long timeout,
		       int *status, u64 *total_ns);

#endif /* _KRG_RPC_H */
