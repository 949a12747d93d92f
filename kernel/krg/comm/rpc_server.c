// SPDX-License-Identifier: GPL-2.0
/*
 * RPC server side: the node's service socket, bound to
 * {KRG_TIPC_RPC_TYPE, node id}, receives requests and one-way messages.
 *
 * Each frame TIPC queues on it schedules one work item in the krg_rpc
 * worker pool. The work item takes one frame off the socket, adds it to
 * its message, and when the message is whole runs its handler right there
 * and sends the reply: one wake-up per request, handlers in parallel, and
 * never in softirq context. Taking a frame and adding it to its message
 * happen under one lock, so streamed messages are rebuilt in order.
 *
 * A handler whose work takes long (a remote restart) does not keep its
 * worker: it takes a krg_rpc_defer() handle, returns KRG_RPC_LATER, and
 * replies with krg_rpc_reply_later() from wherever the work ends.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <krg/membership.h>
#include <krg/rpc.h>
#include "comm.h"
#include "rpc_internal.h"

/* Half-received messages older than this are abandoned. */
#define RPC_ASSEMBLY_TTL	(2 * KRG_RPC_TIMEOUT)

/* A request or one-way message, whole or still being received. */
struct rpc_msg {
	struct list_head assembly;	/* while fragments are missing */
	struct krg_rpc_frame frame;	/* first frame, describes the message */
	struct sockaddr_tipc from;	/* the caller's port: where to reply */
	unsigned long started;		/* jiffies at the first frame */
	u32 received;
	void *data;
};

static struct socket *rpc_sock;
atomic_long_t krg_rpc_handled = ATOMIC_LONG_INIT(0);
/* Bytes of received messages held now, and the most we hold. */
static atomic_long_t rx_bytes;
static long rx_budget;
static struct workqueue_struct *rpc_wq;
static const struct krg_rpc_service *services[KRG_RPC_NR_TYPES];
static DEFINE_MUTEX(services_lock);	/* changes, and samples read */
static LIST_HEAD(assemblies);
static DEFINE_MUTEX(rx_lock);		/* the socket's reads, assemblies */
static void *rx_buf;			/* one frame + ancillary data */

static void rpc_rx_drain(struct work_struct *work);
static DECLARE_WORK(rx_drain_work, rpc_rx_drain);

/**
 * krg_rpc_register - serve a message type
 * @s: the service; it must stay until krg_rpc_unregister()
 *
 * Return: 0, -EINVAL for a type out of range or no handler, or -EBUSY
 * when another layer serves the type already (two layers chose one
 * number: a bug, shown at boot or at a module's load).
 */
int krg_rpc_register(const struct krg_rpc_service *s)
{
	int err = 0;

	if (!s->type || s->type >= KRG_RPC_NR_TYPES || !s->handler)
		return -EINVAL;
	mutex_lock(&services_lock);
	if (services[s->type]) {
		pr_err("RPC type %u: %s is already served by %s\n", s->type,
		       s->name, services[s->type]->name);
		err = -EBUSY;
	} else {
		WRITE_ONCE(services[s->type], s);
	}
	mutex_unlock(&services_lock);
	return err;
}
EXPORT_SYMBOL_GPL(krg_rpc_register);

/* Not from a handler: it waits for the handlers to finish. */
void krg_rpc_unregister(const struct krg_rpc_service *s)
{
	mutex_lock(&services_lock);
	if (s->type < KRG_RPC_NR_TYPES && services[s->type] == s)
		WRITE_ONCE(services[s->type], NULL);
	mutex_unlock(&services_lock);
	if (rpc_wq)
		flush_workqueue(rpc_wq);
}
EXPORT_SYMBOL_GPL(krg_rpc_unregister);

/* The fuzzer: copy the sample of @type, if it is served; its length. */
int rpc_service_sample(u16 type, void *buf, size_t max)
{
	const struct krg_rpc_service *s;
	int n = -ENOENT;

	mutex_lock(&services_lock);
	s = type < KRG_RPC_NR_TYPES ? services[type] : NULL;
	if (s) {
		n = min(s->sample_len, max);
		memcpy(buf, s->sample, n);
	}
	mutex_unlock(&services_lock);
	return n;
}

void krg_rpc_reply_free(struct krg_rpc_reply *reply)
{
	kvfree(reply->data);
	reply->data = NULL;
	reply->len = 0;
}
EXPORT_SYMBOL_GPL(krg_rpc_reply_free);

/* @any: a heartbeat, also sent by a node that left until its bearer goes */
static int rpc_send(int node, u16 type, const void *msg, size_t len, bool any)
{
	struct krg_rpc_frame f = {
		.kind = KRG_RPC_ONEWAY,
		.type = type,
		.src_node = krg_node_id,
		.id = rpc_new_id(),
		.total_len = len,
	};
	struct sockaddr_tipc dest;
	int err;

	err = rpc_check_args(type, len);
	if (err == -ENOTCONN && any && krg_state() == KRG_STATE_LEFT)
		err = 0;
	if (err)
		return err;
	if (!rpc_sock || !krg_node_valid(node))
		return -EHOSTDOWN;
	rpc_service_addr(&dest, node);
	return rpc_xmit_flags(rpc_sock, &dest, &f, msg, any ? MSG_DONTWAIT : 0);
}

int krg_rpc_send(int node, u16 type, const void *msg, size_t len)
{
	if (!krg_node_online(node))
		return -EHOSTDOWN;
	return rpc_send(node, type, msg, len, false);
}
EXPORT_SYMBOL_GPL(krg_rpc_send);

/*
 * Never waits: a heartbeat that finds the link congested is dropped. Sent
 * also once this node left, so that its last beats say it left on purpose.
 */
int krg_rpc_send_any(int node, u16 type, const void *msg, size_t len)
{
	return rpc_send(node, type, msg, len, true);
}

/* What a message costs while held: its data and its bookkeeping. */
static long rpc_msg_cost(u32 total_len)
{
	return sizeof(struct rpc_msg) + max_t(u32, total_len, 1);
}

static void rpc_msg_free(struct rpc_msg *m)
{
	if (m->data)
		atomic_long_sub(rpc_msg_cost(m->frame.total_len), &rx_bytes);
	kvfree(m->data);
	kfree(m);
}

/* Where the reply of a request handled later goes. */
struct krg_rpc_later {
	struct sockaddr_tipc to;
	struct krg_rpc_frame frame;	/* the request's */
};

static int rpc_reply(const struct sockaddr_tipc *to,
		     const struct krg_rpc_frame *f, int status,
		     const void *data, size_t len)
{
	struct sockaddr_tipc dest = *to;
	struct krg_rpc_frame r;

	if (status >= 0 && len > KRG_RPC_MAX_MSG)
		status = -EMSGSIZE;
	if (status < -MAX_ERRNO)
		status = -EIO;
	r = (struct krg_rpc_frame) {
		.kind = KRG_RPC_REPLY,
		.type = f->type,
		.src_node = krg_node_id,
		.status = status < 0 ? -status : 0,
		.id = f->id,
		.total_len = status < 0 ? 0 : len,
	};
	return rpc_xmit(rpc_sock, &dest, &r, data);
}

/**
 * krg_rpc_defer - in a handler: the reply will come later
 *
 * Return: a handle for krg_rpc_reply_later(), or NULL (no memory, or a
 * one-way message: nothing to reply). The handler then returns
 * KRG_RPC_LATER.
 */
struct krg_rpc_later *krg_rpc_defer(const struct krg_rpc_request *req)
{
	struct krg_rpc_later *l;

	if (req->oneway || !req->ctx)
		return NULL;
	l = kmalloc(sizeof(*l), GFP_KERNEL);
	if (l)
		*l = *req->ctx;
	return l;
}
EXPORT_SYMBOL_GPL(krg_rpc_defer);

/**
 * krg_rpc_reply_later - send the reply of a deferred request, free @l
 * @status: 0 and @data, @len; or a negative errno
 */
void krg_rpc_reply_later(struct krg_rpc_later *l, int status,
			 const void *data, size_t len)
{
	int err = rpc_reply(&l->to, &l->frame, status, data, len);

	if (err)
		pr_warn_ratelimited("reply to node %u (type %u) lost: %d\n",
				    l->frame.src_node, l->frame.type, err);
	kfree(l);
}
EXPORT_SYMBOL_GPL(krg_rpc_reply_later);

/* Run the handler of a whole message and send its reply. */
static void rpc_handle(struct rpc_msg *m)
{
	struct krg_rpc_frame *f = &m->frame;
	struct krg_rpc_later ctx = { .to = m->from, .frame = *f };
	struct krg_rpc_request req = {
		.src_node = f->src_node,
		.type = f->type,
		.oneway = f->kind == KRG_RPC_ONEWAY,
		.data = m->data,
		.len = f->total_len,
		.ctx = &ctx,
	};
	struct krg_rpc_reply reply = {};
	const struct krg_rpc_service *s = NULL;
	int status, err;

	if (f->type < KRG_RPC_NR_TYPES)
		s = READ_ONCE(services[f->type]);
	if (s) {
		if (!s->uncounted)
			atomic_long_inc(&krg_rpc_handled);
		status = s->handler(&req, &reply);
	} else {
		pr_warn_ratelimited("node %u sent unknown message type %u\n",
				    f->src_node, f->type);
		status = -EBADRQC;
	}
	if (!req.oneway && status != KRG_RPC_LATER) {
		err = rpc_reply(&m->from, f, status, reply.data, reply.len);
		if (err)
			pr_warn_ratelimited("reply to node %u (type %u) lost: %d\n",
					    f->src_node, f->type, err);
	}
	krg_rpc_reply_free(&reply);
	rpc_msg_free(m);
}

static bool same_stream(const struct krg_rpc_frame *a,
			const struct krg_rpc_frame *b)
{
	return a->src_node == b->src_node && a->id == b->id;
}

/* A continuation frame must describe the message its first frame began. */
static bool same_message(const struct krg_rpc_frame *a,
			 const struct krg_rpc_frame *b)
{
	return a->kind == b->kind && a->type == b->type &&
	       a->total_len == b->total_len;
}

static void assembly_drop(struct rpc_msg *m)
{
	list_del(&m->assembly);
	rpc_msg_free(m);
}

/*
 * Find the stream a frame continues. Streams whose sender stopped half way
 * (send error, crash) are dropped once older than any caller could wait
 * for them, and a new first frame replaces an old stream of the same key.
 */
static struct rpc_msg *assembly_find(const struct krg_rpc_frame *f)
{
	struct rpc_msg *m, *tmp, *found = NULL;

	list_for_each_entry_safe(m, tmp, &assemblies, assembly) {
		if (same_stream(&m->frame, f) && f->offset) {
			found = m;
			continue;
		}
		if (same_stream(&m->frame, f) ||
		    time_after(jiffies, m->started + RPC_ASSEMBLY_TTL))
			assembly_drop(m);
	}
	return found;
}

/* Add a validated frame to its message; return the message once whole. */
static struct rpc_msg *rpc_assemble(const struct krg_rpc_frame *f,
				    const struct sockaddr_tipc *from,
				    const void *payload)
{
	struct rpc_msg *m = assembly_find(f);

	if (f->offset && (!m || m->received != f->offset ||
			  !same_message(&m->frame, f))) {
		if (m)
			assembly_drop(m);
		pr_warn_ratelimited("node %u: fragment out of its stream dropped\n",
				    f->src_node);
		return NULL;
	}
	if (!m) {
		long size = max_t(u32, f->total_len, 1);
		long cost = rpc_msg_cost(f->total_len);

		/* Peers cannot pin more memory than the budget. */
		if (atomic_long_add_return(cost, &rx_bytes) > rx_budget) {
			atomic_long_sub(cost, &rx_bytes);
			pr_warn_ratelimited("node %u: %u byte message dropped, %ld bytes of messages already held\n",
					    f->src_node, f->total_len,
					    atomic_long_read(&rx_bytes));
			return NULL;
		}
		m = kzalloc(sizeof(*m), GFP_KERNEL);
		if (m)
			m->data = kvmalloc(size, GFP_KERNEL);
		if (!m || !m->data) {
			atomic_long_sub(cost, &rx_bytes);
			kfree(m);
			pr_warn_ratelimited("node %u: no memory for a %u byte message\n",
					    f->src_node, f->total_len);
			return NULL;
		}
		m->frame = *f;
		m->from = *from;
		m->started = jiffies;
		INIT_LIST_HEAD(&m->assembly);
		if (f->frag_len < f->total_len)
			list_add(&m->assembly, &assemblies);
	}
	memcpy(m->data + f->offset, payload, f->frag_len);
	m->received += f->frag_len;
	if (m->received < m->frame.total_len)
		return NULL;
	list_del_init(&m->assembly);
	return m;
}

/*
 * Take one frame off the service socket. Return: false when the socket is
 * empty; *whole is set to a message ready for its handler.
 */
static bool rpc_rx_one(struct rpc_msg **whole)
{
	struct sockaddr_tipc from;
	struct krg_rpc_frame f;
	struct msghdr msg = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_control = rx_buf + KRG_RPC_MAX_FRAME,
		.msg_controllen = RPC_CONTROL_LEN,
	};
	struct kvec iov = {
		.iov_base = rx_buf,
		.iov_len = KRG_RPC_MAX_FRAME,
	};
	int len, err;

	*whole = NULL;
	mutex_lock(&rx_lock);
	len = kernel_recvmsg(rpc_sock, &msg, &iov, 1, KRG_RPC_MAX_FRAME,
			     MSG_DONTWAIT);
	if (len == -EAGAIN) {
		mutex_unlock(&rx_lock);
		return false;
	}
	if (len <= 0) {
		/* 0: a reply or one-way frame of ours came back; its caller
		 * times out or sees the node go down.
		 */
		if (len < 0)
			pr_warn_ratelimited("RPC receive error %d\n", len);
		mutex_unlock(&rx_lock);
		return true;
	}
	err = krg_rpc_hdr_unpack(rx_buf, len, KRG_RPC_MAX_MSG, &f);
	if (err || f.kind == KRG_RPC_REPLY)
		pr_warn_ratelimited("malformed RPC frame dropped (%d)\n", err);
	else if (rpc_sender_ok(&from, f.src_node))
		*whole = rpc_assemble(&f, &from, rx_buf + KRG_RPC_HDR_LEN);
	mutex_unlock(&rx_lock);
	return true;
}

static void rpc_rx_work(struct work_struct *work)
{
	struct rpc_msg *m;

	kfree(work);
	rpc_rx_one(&m);
	if (m)
		rpc_handle(m);
}

/* Fallback when no work item could be allocated: empty the socket. */
static void rpc_rx_drain(struct work_struct *work)
{
	struct rpc_msg *m;

	while (rpc_rx_one(&m))
		if (m)
			rpc_handle(m);
}

/* Softirq: a frame was queued on the service socket. */
static void rpc_data_ready(struct sock *sk)
{
	struct work_struct *work = kmalloc(sizeof(*work), GFP_ATOMIC);

	if (!work) {
		queue_work(rpc_wq, &rx_drain_work);
		return;
	}
	INIT_WORK(work, rpc_rx_work);
	queue_work(rpc_wq, work);
}

int krg_rpc_init(void)
{
	rpc_wq = alloc_workqueue("krg_rpc", WQ_UNBOUND, 0);
	if (!rpc_wq)
		return -ENOMEM;
	/* A quarter of memory, but room for one message of the largest size. */
	rx_budget = max_t(long, KRG_RPC_MAX_MSG,
			  (totalram_pages() << PAGE_SHIFT) / 4);
	rx_buf = kvmalloc(KRG_RPC_MAX_FRAME + RPC_CONTROL_LEN, GFP_KERNEL);
	if (!rx_buf)
		return -ENOMEM;
	return 0;
}

int krg_rpc_start(void)
{
	struct sockaddr_tipc addr = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_RANGE,
		.scope = TIPC_CLUSTER_SCOPE,
		.addr.nameseq.type = KRG_TIPC_RPC_TYPE,
		.addr.nameseq.lower = krg_node_id,
		.addr.nameseq.upper = krg_node_id,
	};
	struct sock *sk;
	int err;

	err = rpc_socket_create(&rpc_sock);
	if (err)
		return err;
	sk = rpc_sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = rpc_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	err = kernel_bind(rpc_sock, (struct sockaddr *)&addr, sizeof(addr));
	if (err) {
		sock_release(rpc_sock);
		rpc_sock = NULL;
	}
	return err;
}
