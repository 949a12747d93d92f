// SPDX-License-Identifier: GPL-2.0
/*
 * RPC client side. A call borrows a port, an unnamed TIPC socket from a
 * small pool, sends its request from it and reads the replies on it
 * itself: the reply wakes the caller directly, with no thread in between.
 *
 * The caller sleeps on the port's wait queue, woken by a frame (the
 * socket's data_ready), by a node leaving the cluster (membership
 * notifier) or by the deadline; a fatal signal ends the wait too. So no
 * call ever waits longer than its timeout, and a call to a node that
 * leaves fails with -EHOSTDOWN as soon as the membership says so.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <net/sock.h>
#include <krg/membership.h>
#include <krg/rpc.h>
#include "comm.h"
#include "rpc_internal.h"

#define RPC_MAX_FREE_PORTS	16

struct rpc_port {
	struct list_head list;		/* on free_ports or busy_ports */
	struct socket *sock;
	wait_queue_head_t wait;
	void *buf;			/* one frame + ancillary data */
};

/* One node's side of a call. */
struct rpc_target {
	int node;
	int status;			/* -EINPROGRESS until known */
	struct krg_rpc_reply reply;
	u32 received;
};

static LIST_HEAD(free_ports);
static LIST_HEAD(busy_ports);
static DEFINE_SPINLOCK(ports_lock);
static unsigned int nr_free_ports;

static void port_data_ready(struct sock *sk)
{
	struct rpc_port *port;

	rcu_read_lock();
	port = rcu_dereference_sk_user_data(sk);
	if (port)
		wake_up(&port->wait);
	rcu_read_unlock();
}

static void port_free(struct rpc_port *port)
{
	if (port->sock)
		sock_release(port->sock);
	kvfree(port->buf);
	kfree(port);
}

static struct rpc_port *port_new(void)
{
	struct rpc_port *port = kzalloc(sizeof(*port), GFP_KERNEL);
	struct sock *sk;

	if (!port)
		return NULL;
	init_waitqueue_head(&port->wait);
	port->buf = kvmalloc(KRG_RPC_MAX_FRAME + RPC_CONTROL_LEN, GFP_KERNEL);
	if (!port->buf || rpc_socket_create(&port->sock)) {
		port_free(port);
		return NULL;
	}
	sk = port->sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_sk_user_data(sk, port);
	sk->sk_data_ready = port_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	return port;
}

static struct rpc_port *port_get(void)
{
	struct rpc_port *port;

	spin_lock(&ports_lock);
	port = list_first_entry_or_null(&free_ports, struct rpc_port, list);
	if (port) {
		list_del(&port->list);
		nr_free_ports--;
	}
	spin_unlock(&ports_lock);
	if (!port)
		port = port_new();
	if (!port)
		return NULL;
	spin_lock(&ports_lock);
	list_add(&port->list, &busy_ports);
	spin_unlock(&ports_lock);
	return port;
}

static void port_put(struct rpc_port *port)
{
	struct kvec iov = { .iov_base = port->buf, .iov_len = KRG_RPC_MAX_FRAME };
	struct msghdr msg = {};

	/* Late replies of this call must not meet the next one. */
	while (kernel_recvmsg(port->sock, &msg, &iov, 1, KRG_RPC_MAX_FRAME,
			      MSG_DONTWAIT) >= 0)
		memset(&msg, 0, sizeof(msg));
	spin_lock(&ports_lock);
	list_del(&port->list);
	if (nr_free_ports < RPC_MAX_FREE_PORTS) {
		list_add(&port->list, &free_ports);
		nr_free_ports++;
		port = NULL;
	}
	spin_unlock(&ports_lock);
	if (port)
		port_free(port);
}

static bool port_has_data(struct rpc_port *port)
{
	return !skb_queue_empty_lockless(&port->sock->sk->sk_receive_queue);
}

static struct rpc_target *target_of(struct rpc_target *t, int n, int node)
{
	int i;

	for (i = 0; i < n; i++)
		if (t[i].node == node && t[i].status == -EINPROGRESS)
			return &t[i];
	return NULL;
}

static void target_done(struct rpc_target *t, int status, int *pending)
{
	t->status = status;
	if (status)
		krg_rpc_reply_free(&t->reply);
	(*pending)--;
}

/* Add a reply frame to its target's reply. */
static void reply_frame(struct rpc_target *t, const struct krg_rpc_frame *f,
			const void *payload, int *pending)
{
	if (!f->offset) {
		krg_rpc_reply_free(&t->reply);
		t->reply.data = kvmalloc(max_t(u32, f->total_len, 1),
					 GFP_KERNEL);
		if (!t->reply.data)
			return target_done(t, -ENOMEM, pending);
		t->reply.len = f->total_len;
		t->received = 0;
	}
	if (!t->reply.data || f->offset != t->received ||
	    f->total_len != t->reply.len)
		return target_done(t, -EPROTO, pending);
	memcpy(t->reply.data + f->offset, payload, f->frag_len);
	t->received += f->frag_len;
	if (t->received == t->reply.len)
		target_done(t, -(int)f->status, pending);
}

/* Take one frame off the port. Return: -EAGAIN when there is none. */
static int port_recv(struct rpc_port *port, u64 id, struct rpc_target *t,
		     int n, int *pending)
{
	struct sockaddr_tipc from;
	struct krg_rpc_frame f;
	struct rpc_target *target;
	struct msghdr msg = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_control = port->buf + KRG_RPC_MAX_FRAME,
		.msg_controllen = RPC_CONTROL_LEN,
	};
	struct kvec iov = {
		.iov_base = port->buf,
		.iov_len = KRG_RPC_MAX_FRAME,
	};
	int len, err;

	len = kernel_recvmsg(port->sock, &msg, &iov, 1, KRG_RPC_MAX_FRAME,
			     MSG_DONTWAIT);
	if (len < 0)
		return -EAGAIN;	/* nothing queued: wait for more */
	if (len == 0) {
		/* Our request came back: the node that refused it is the
		 * origin of the returned message.
		 */
		err = rpc_returned(port->buf + KRG_RPC_MAX_FRAME,
				   RPC_CONTROL_LEN - msg.msg_controllen, &f);
		if (!err || f.kind != KRG_RPC_REQUEST || f.id != id)
			return 0;
		target = target_of(t, n, from.addr.id.node & 0xfff);
		if (!target && n == 1 && t->status == -EINPROGRESS)
			target = t;
		if (target)
			target_done(target, err, pending);
		return 0;
	}
	err = krg_rpc_hdr_unpack(port->buf, len, KRG_RPC_MAX_MSG, &f);
	if (err || f.kind != KRG_RPC_REPLY) {
		pr_warn_ratelimited("malformed RPC reply dropped (%d)\n", err);
		return 0;
	}
	if (!rpc_sender_ok(&from, f.src_node))
		return 0;
	if (f.id != id)
		return 0;	/* late reply of a call that gave up */
	target = target_of(t, n, f.src_node);
	if (target)
		reply_frame(target, &f, port->buf + KRG_RPC_HDR_LEN, pending);
	return 0;
}

static bool target_lost(struct rpc_target *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (t[i].status == -EINPROGRESS && !krg_node_online(t[i].node))
			return true;
	return false;
}

static void fail_pending(struct rpc_target *t, int n, int status,
			 bool offline_only, int *pending)
{
	int i;

	for (i = 0; i < n; i++)
		if (t[i].status == -EINPROGRESS &&
		    (!offline_only || !krg_node_online(t[i].node)))
			target_done(&t[i], status, pending);
}

/* Send one request to every target and collect their replies. */
static void rpc_exchange(struct rpc_target *t, int n, u16 type,
			 const void *req, size_t len, unsigned long timeout)
{
	unsigned long deadline = jiffies + timeout;
	struct krg_rpc_frame f = {
		.kind = KRG_RPC_REQUEST,
		.type = type,
		.src_node = krg_node_id,
		.id = rpc_new_id(),
		.total_len = len,
	};
	struct sockaddr_tipc dest;
	struct rpc_port *port;
	int i, err, pending = 0;
	long left;

	port = port_get();
	for (i = 0; i < n; i++) {
		t[i].status = -EINPROGRESS;
		pending++;
		if (!port) {
			target_done(&t[i], -ENOMEM, &pending);
			continue;
		}
		if (!krg_node_online(t[i].node)) {
			target_done(&t[i], -EHOSTDOWN, &pending);
			continue;
		}
		rpc_service_addr(&dest, t[i].node);
		err = rpc_xmit(port->sock, &dest, &f, req);
		if (err)
			target_done(&t[i], err, &pending);
	}
	while (pending) {
		if (port_recv(port, f.id, t, n, &pending) != -EAGAIN)
			continue;
		fail_pending(t, n, -EHOSTDOWN, true, &pending);
		left = (long)(deadline - jiffies);
		if (!pending)
			break;
		if (left <= 0) {
			fail_pending(t, n, -ETIMEDOUT, false, &pending);
			break;
		}
		left = wait_event_killable_timeout(port->wait,
				port_has_data(port) || target_lost(t, n), left);
		if (left < 0) {
			fail_pending(t, n, -EINTR, false, &pending);
			break;
		}
	}
	if (port)
		port_put(port);
}

int krg_rpc_call(int node, u16 type, const void *req, size_t len,
		 struct krg_rpc_reply *reply, unsigned long timeout)
{
	struct rpc_target t = { .node = node };
	int err;

	reply->data = NULL;
	reply->len = 0;
	err = rpc_check_args(type, len);
	if (err)
		return err;
	if (!krg_node_valid(node))
		return -EINVAL;
	rpc_exchange(&t, 1, type, req, len, timeout);
	if (!t.status)
		*reply = t.reply;
	return t.status;
}
EXPORT_SYMBOL_GPL(krg_rpc_call);

int krg_rpc_call_nodes(const struct krg_nodemask *nodes, u16 type,
		       const void *req, size_t len,
		       krg_rpc_gather_t gather, void *arg,
		       unsigned long timeout)
{
	int n = krg_nodemask_weight(nodes), i = 0, node, err;
	struct rpc_target *t;

	err = rpc_check_args(type, len);
	if (err || !n)
		return err;
	t = kcalloc(n, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	for_each_krg_node(node, nodes)
		t[i++].node = node;
	rpc_exchange(t, n, type, req, len, timeout);
	for (i = 0; i < n; i++) {
		if (gather)
			gather(t[i].node, t[i].status, &t[i].reply, arg);
		if (t[i].status && !err)
			err = t[i].status;
		krg_rpc_reply_free(&t[i].reply);
	}
	kfree(t);
	return err;
}
EXPORT_SYMBOL_GPL(krg_rpc_call_nodes);

/* Node loss: wake every waiting caller so that it sees the node gone. */
static int rpc_node_event(struct notifier_block *nb, unsigned long event,
			  void *data)
{
	struct rpc_port *port;

	if (event != KRG_NODE_DOWN)
		return NOTIFY_DONE;
	spin_lock(&ports_lock);
	list_for_each_entry(port, &busy_ports, list)
		wake_up(&port->wait);
	spin_unlock(&ports_lock);
	return NOTIFY_OK;
}

static struct notifier_block rpc_node_nb = {
	.notifier_call = rpc_node_event,
	.priority = KRG_PRIO_RPC,
};

int krg_rpc_client_init(void)
{
	return krg_node_notifier_register(&rpc_node_nb);
}
