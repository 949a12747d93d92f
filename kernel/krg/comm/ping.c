// SPDX-License-Identifier: GPL-2.0
/*
 * KRG_RPC_PING: the echo service behind "krgadm rpc ping", the RPC
 * benchmark and the RPC integration tests.
 */
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <krg/rpc.h>
#include "comm.h"

static int ping_handler(const struct krg_rpc_request *req,
			struct krg_rpc_reply *reply)
{
	if (req->oneway)
		return ping_oneway_received(req);
	if (!req->len)
		return 0;
	reply->data = kvmalloc(req->len, GFP_KERNEL);
	if (!reply->data)
		return -ENOMEM;
	memcpy(reply->data, req->data, req->len);
	reply->len = req->len;
	return 0;
}

/**
 * krg_rpc_ping - time @count echo round trips of @size bytes to @node
 * @type: message type, normally KRG_RPC_PING (another one tests the
 *        unknown-type error path)
 * @total_ns: total time of the round trips
 *
 * Every echo is checked byte for byte. Return: 0, -EIO on a corrupt echo,
 * -EINTR on a signal, or the krg_rpc_call() error.
 */
int krg_rpc_ping(int node, u16 type, size_t size, unsigned int count,
		 unsigned long timeout, u64 *total_ns)
{
	struct krg_rpc_reply reply;
	unsigned int seq;
	ktime_t start;
	u8 *buf;
	int err = 0;

	if (size > KRG_RPC_MAX_MSG)
		return -EMSGSIZE;
	buf = kvmalloc(max_t(size_t, size, 1), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	*total_ns = 0;
	for (seq = 0; seq < count && !err; seq++) {
		if (signal_pending(current)) {
			err = -EINTR;
			break;
		}
		krg_ping_fill(buf, size, seq);
		start = ktime_get();
		err = krg_rpc_call(node, type, buf, size, &reply, timeout);
		*total_ns += ktime_to_ns(ktime_sub(ktime_get(), start));
		if (err)
			break;
		if (reply.len != size || memcmp(reply.data, buf, size))
			err = -EIO;
		krg_rpc_reply_free(&reply);
	}
	kvfree(buf);
	return err;
}
EXPORT_SYMBOL_GPL(krg_rpc_ping);

struct ping_round {
	const u8 *sent;
	size_t size;
	int *status;		/* per node, KRG_MAX_NODES entries */
};

static void ping_gather(int node, int status, const struct krg_rpc_reply *reply,
			void *arg)
{
	struct ping_round *round = arg;

	if (!status && (reply->len != round->size ||
			memcmp(reply->data, round->sent, round->size)))
		status = -EIO;
	if (status && !round->status[node])
		round->status[node] = status;
}

/**
 * krg_rpc_ping_nodes - time @count rounds of echoes to a set of nodes
 * @status: per node (KRG_MAX_NODES entries): 0, or the first error; a
 *          node that failed is left out of later rounds
 *
 * Each round is one krg_rpc_call_nodes(). Return: 0, -EINTR, -ENOMEM.
 */
int krg_rpc_ping_nodes(const struct krg_nodemask *nodes, u16 type,
		       size_t size, unsigned int count, unsigned long timeout,
		       int *status, u64 *total_ns)
{
	struct krg_nodemask left = *nodes;
	struct ping_round round = { .size = size, .status = status };
	unsigned int seq;
	ktime_t start;
	int node, err = 0;
	u8 *buf;

	if (size > KRG_RPC_MAX_MSG)
		return -EMSGSIZE;
	buf = kvmalloc(max_t(size_t, size, 1), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	round.sent = buf;
	*total_ns = 0;
	for (seq = 0; seq < count && krg_nodemask_weight(&left); seq++) {
		if (signal_pending(current)) {
			err = -EINTR;
			break;
		}
		krg_ping_fill(buf, size, seq);
		start = ktime_get();
		krg_rpc_call_nodes(&left, type, buf, size, ping_gather, &round,
				   timeout);
		*total_ns += ktime_to_ns(ktime_sub(ktime_get(), start));
		for_each_krg_node(node, nodes)
			if (status[node])
				krg_node_clear(node, &left);
	}
	kvfree(buf);
	return err;
}
EXPORT_SYMBOL_GPL(krg_rpc_ping_nodes);

static const char ping_sample[] = "krg ping sample";

static const struct krg_rpc_service ping_service = {
	.type = KRG_RPC_PING,
	.name = "ping",
	.handler = ping_handler,
	.sample = ping_sample,
	.sample_len = sizeof(ping_sample),
};

static const struct krg_rpc_service ping_stats_service = {
	.type = KRG_RPC_PING_STATS,
	.name = "ping stats",
	.handler = ping_stats_handler,
};

int krg_ping_init(void)
{
	return krg_rpc_register(&ping_service) ?:
	       krg_rpc_register(&ping_stats_service);
}
