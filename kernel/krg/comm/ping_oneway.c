// SPDX-License-Identifier: GPL-2.0
/*
 * One-way pings: krg_rpc_send() a stream of pings, then ask the peer
 * (KRG_RPC_PING_STATS) how many intact ones it received from us, until
 * all have arrived. Exercises and times the one-way path.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <krg/node.h>
#include <krg/rpc.h>
#include "comm.h"

static atomic64_t received[KRG_MAX_NODES];

/* Handler side of a one-way ping: count it if its payload is intact. */
int ping_oneway_received(const struct krg_rpc_request *req)
{
	const u8 *p = req->data;
	size_t i;

	for (i = 1; i < req->len; i++) {
		if (p[i] != (u8)(i * 7 + p[0])) {
			pr_warn_ratelimited("node %d: corrupt one-way ping\n",
					    req->src_node);
			return -EIO;
		}
	}
	atomic64_inc(&received[req->src_node]);
	return 0;
}

int ping_stats_handler(const struct krg_rpc_request *req,
		       struct krg_rpc_reply *reply)
{
	u64 *n = kvmalloc(sizeof(*n), GFP_KERNEL);

	if (!n)
		return -ENOMEM;
	*n = atomic64_read(&received[req->src_node]);
	reply->data = n;
	reply->len = sizeof(*n);
	return 0;
}

static int ping_stats(int node, unsigned long timeout, u64 *count)
{
	struct krg_rpc_reply reply;
	int err;

	err = krg_rpc_call(node, KRG_RPC_PING_STATS, NULL, 0, &reply, timeout);
	if (err)
		return err;
	if (reply.len == sizeof(*count))
		*count = *(u64 *)reply.data;
	else
		err = -EPROTO;
	krg_rpc_reply_free(&reply);
	return err;
}

/**
 * krg_rpc_ping_oneway - send @count one-way pings of @size bytes to @node
 * and wait until the peer has counted them all
 * @total_ns: from the first send until the last one was counted
 *
 * Return: 0, -ETIMEDOUT if they were not all counted within @timeout,
 * -EINTR, or the error of a send or of the count query.
 */
int krg_rpc_ping_oneway(int node, size_t size, unsigned int count,
			unsigned long timeout, u64 *total_ns)
{
	unsigned long deadline;
	u64 before, now;
	unsigned int seq;
	ktime_t start;
	u8 *buf;
	int err;

	if (size > KRG_RPC_MAX_MSG)
		return -EMSGSIZE;
	err = ping_stats(node, timeout, &before);
	if (err)
		return err;
	buf = kvmalloc(max_t(size_t, size, 1), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	start = ktime_get();
	for (seq = 0; seq < count && !err; seq++) {
		krg_ping_fill(buf, size, seq);
		err = krg_rpc_send(node, KRG_RPC_PING, buf, size);
	}
	kvfree(buf);
	deadline = jiffies + timeout;
	while (!err) {
		err = ping_stats(node, timeout, &now);
		if (err || now - before >= count)
			break;
		if (time_after(jiffies, deadline))
			err = -ETIMEDOUT;
		else if (msleep_interruptible(1))
			err = -EINTR;
	}
	*total_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	return err;
}
EXPORT_SYMBOL_GPL(krg_rpc_ping_oneway);
