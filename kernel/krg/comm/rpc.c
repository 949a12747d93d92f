// SPDX-License-Identifier: GPL-2.0
/*
 * krg RPC over one TIPC RDM socket per node, bound to the service
 * {KRG_TIPC_RPC_TYPE, node id}.
 *
 * One receive thread reads frames, reassembles streamed messages and hands
 * them on: requests to the krg_rpc worker pool, replies to the waiting
 * caller. Waiting callers live in an xarray keyed by request id; a node
 * that leaves the cluster fails its pending calls with -EHOSTDOWN.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sockptr.h>
#include <linux/tipc.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <krg/membership.h>
#include <krg/rpc.h>
#include "comm.h"
#include "rpc_msg.h"

#define RPC_SEND_TIMEOUT	(5 * HZ)
#define RPC_SOCK_BUF		(8 << 20)
/* Half-received messages older than this are abandoned. */
#define RPC_ASSEMBLY_TTL	(2 * KRG_RPC_TIMEOUT)
/* TIPC returns at most this much of an undelivered message. */
#define RPC_RETDATA_MAX		1024

/* A message being received: a whole request or reply, or part of one. */
struct rpc_msg {
	struct list_head assembly;	/* while fragments are missing */
	struct work_struct work;	/* requests: runs the handler */
	struct krg_rpc_frame frame;	/* first frame, describes the message */
	unsigned long started;		/* jiffies at the first frame */
	u32 received;
	void *data;
};

/* A caller waiting for one node's reply. */
struct rpc_call {
	int node;
	bool registered;	/* in the calls table */
	bool done;
	int status;
	struct krg_rpc_reply reply;
	struct completion *wake;
};

static struct socket *rpc_sock;
static struct workqueue_struct *rpc_wq;
static krg_rpc_handler_t handlers[KRG_RPC_NR_TYPES];
static DEFINE_XARRAY_ALLOC(calls);
static DEFINE_MUTEX(calls_lock);	/* calls entries and their fields */
static u32 next_call_id;
static atomic64_t next_oneway_id;	/* ids with bit 63 set: no reply */
static LIST_HEAD(assemblies);
static DEFINE_MUTEX(assembly_lock);

int krg_rpc_register(u16 type, krg_rpc_handler_t handler)
{
	if (type >= KRG_RPC_NR_TYPES || !handler)
		return -EINVAL;
	if (cmpxchg(&handlers[type], NULL, handler))
		return -EBUSY;
	return 0;
}
EXPORT_SYMBOL_GPL(krg_rpc_register);

/* Not from a handler: it waits for the handlers to finish. */
void krg_rpc_unregister(u16 type)
{
	if (type < KRG_RPC_NR_TYPES)
		WRITE_ONCE(handlers[type], NULL);
	/* Let handlers already running finish before the caller frees. */
	if (rpc_wq)
		flush_workqueue(rpc_wq);
}
EXPORT_SYMBOL_GPL(krg_rpc_unregister);

void krg_rpc_reply_free(struct krg_rpc_reply *reply)
{
	kvfree(reply->data);
	reply->data = NULL;
	reply->len = 0;
}
EXPORT_SYMBOL_GPL(krg_rpc_reply_free);

/* Send one message in as many frames as it takes. */
static int rpc_xmit(int node, struct krg_rpc_frame *f, const void *data)
{
	struct sockaddr_tipc dest = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_ADDR,
		.addr.name.name.type = KRG_TIPC_RPC_TYPE,
		.addr.name.name.instance = node,
	};
	struct krg_rpc_hdr hdr;
	struct kvec iov[2];
	struct msghdr msg;
	u32 off = 0;
	int ret;

	if (!rpc_sock)
		return -ENOTCONN;
	do {
		f->offset = off;
		f->frag_len = min_t(u32, f->total_len - off, KRG_RPC_MAX_FRAG);
		krg_rpc_hdr_pack(&hdr, f);
		iov[0].iov_base = &hdr;
		iov[0].iov_len = sizeof(hdr);
		iov[1].iov_base = (void *)data + off;
		iov[1].iov_len = f->frag_len;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &dest;
		msg.msg_namelen = sizeof(dest);
		ret = kernel_sendmsg(rpc_sock, &msg, iov, 2,
				     sizeof(hdr) + f->frag_len);
		if (ret < 0)
			/* No such service: the node is not (or no more) there. */
			return ret == -EHOSTUNREACH ? -EHOSTDOWN : ret;
		off += f->frag_len;
	} while (off < f->total_len);
	return 0;
}

static void rpc_send_reply(const struct krg_rpc_frame *req, int status,
			   const struct krg_rpc_reply *reply)
{
	struct krg_rpc_frame f = {
		.kind = KRG_RPC_REPLY,
		.type = req->type,
		.src_node = krg_node_id,
		.status = status < 0 ? -status : 0,
		.id = req->id,
		.total_len = status < 0 ? 0 : reply->len,
	};
	int err;

	err = rpc_xmit(req->src_node, &f, reply->data);
	if (err)
		pr_warn_ratelimited("reply to node %u (type %u) lost: %d\n",
				    req->src_node, req->type, err);
}

static void rpc_msg_free(struct rpc_msg *m)
{
	kvfree(m->data);
	kfree(m);
}

/* Worker pool: run the handler of a request or one-way message. */
static void rpc_handle(struct work_struct *work)
{
	struct rpc_msg *m = container_of(work, struct rpc_msg, work);
	struct krg_rpc_frame *f = &m->frame;
	struct krg_rpc_request req = {
		.src_node = f->src_node,
		.type = f->type,
		.oneway = f->kind == KRG_RPC_ONEWAY,
		.data = m->data,
		.len = f->total_len,
	};
	struct krg_rpc_reply reply = {};
	krg_rpc_handler_t handler = NULL;
	int status;

	if (f->type < KRG_RPC_NR_TYPES)
		handler = READ_ONCE(handlers[f->type]);
	if (handler) {
		status = handler(&req, &reply);
	} else {
		pr_warn_ratelimited("node %u sent unknown message type %u\n",
				    f->src_node, f->type);
		status = -EBADRQC;
	}
	if (!req.oneway) {
		if (status >= 0 && reply.len > KRG_RPC_MAX_MSG)
			status = -EMSGSIZE;
		if (status < -MAX_ERRNO)
			status = -EIO;
		rpc_send_reply(f, status, &reply);
	}
	krg_rpc_reply_free(&reply);
	rpc_msg_free(m);
}

/* Receive thread: a whole reply arrived, give it to its caller. */
static void rpc_complete(struct rpc_msg *m)
{
	struct krg_rpc_frame *f = &m->frame;
	struct rpc_call *call;

	mutex_lock(&calls_lock);
	call = f->id <= U32_MAX ? xa_load(&calls, f->id) : NULL;
	if (call && !call->done && call->node == f->src_node) {
		call->status = -(int)f->status;
		if (!f->status) {
			call->reply.data = m->data;
			call->reply.len = f->total_len;
			m->data = NULL;
		}
		call->done = true;
		complete(call->wake);
	}
	mutex_unlock(&calls_lock);
	rpc_msg_free(m);
}

static void rpc_deliver(struct rpc_msg *m)
{
	if (m->frame.kind == KRG_RPC_REPLY) {
		rpc_complete(m);
		return;
	}
	INIT_WORK(&m->work, rpc_handle);
	queue_work(rpc_wq, &m->work);
}

static bool same_stream(const struct krg_rpc_frame *a,
			const struct krg_rpc_frame *b)
{
	return a->src_node == b->src_node && a->id == b->id &&
	       a->kind == b->kind;
}

/* A continuation frame must describe the message its first frame began. */
static bool same_message(const struct krg_rpc_frame *a,
			 const struct krg_rpc_frame *b)
{
	return a->type == b->type && a->status == b->status &&
	       a->total_len == b->total_len;
}

static void assembly_drop(struct rpc_msg *m)
{
	list_del(&m->assembly);
	rpc_msg_free(m);
}

/*
 * Find the stream a frame continues. Streams whose sender stopped half way
 * (send error, restart) are dropped once older than any caller could wait
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

/* Receive thread: one validated frame. */
static void rpc_receive(const struct krg_rpc_frame *f, const void *payload)
{
	struct rpc_msg *m;

	mutex_lock(&assembly_lock);
	m = assembly_find(f);
	if (f->offset && (!m || m->received != f->offset ||
			  !same_message(&m->frame, f))) {
		if (m)
			assembly_drop(m);
		mutex_unlock(&assembly_lock);
		pr_warn_ratelimited("node %u: fragment out of its stream dropped\n",
				    f->src_node);
		return;
	}
	if (!m) {
		m = kzalloc(sizeof(*m), GFP_KERNEL);
		if (m)
			m->data = kvmalloc(max_t(u32, f->total_len, 1),
					   GFP_KERNEL);
		if (!m || !m->data) {
			kfree(m);
			mutex_unlock(&assembly_lock);
			pr_warn_ratelimited("node %u: no memory for a %u byte message\n",
					    f->src_node, f->total_len);
			return;
		}
		m->frame = *f;
		m->started = jiffies;
		INIT_LIST_HEAD(&m->assembly);
		if (f->frag_len < f->total_len)
			list_add(&m->assembly, &assemblies);
	}
	memcpy(m->data + f->offset, payload, f->frag_len);
	m->received += f->frag_len;
	if (m->received < m->frame.total_len) {
		mutex_unlock(&assembly_lock);
		return;
	}
	list_del_init(&m->assembly);
	mutex_unlock(&assembly_lock);
	rpc_deliver(m);
}

/* Fail a call whose request TIPC returned undelivered. */
static void rpc_fail_call(u64 id, int err)
{
	struct rpc_call *call;

	mutex_lock(&calls_lock);
	call = id <= U32_MAX ? xa_load(&calls, id) : NULL;
	if (call && !call->done) {
		call->status = err;
		call->done = true;
		complete(call->wake);
	}
	mutex_unlock(&calls_lock);
}

/*
 * A frame of ours came back undelivered: TIPC gives its error code and the
 * start of the frame as ancillary data. A returned request fails its call
 * at once instead of letting it time out.
 */
static void rpc_returned(void *control, size_t len)
{
	struct krg_rpc_frame f;
	struct cmsghdr *cmsg;
	u32 errcode = 0;
	void *data = NULL;
	size_t dlen = 0, off;

	for (off = 0; off + sizeof(*cmsg) <= len;
	     off += CMSG_ALIGN(cmsg->cmsg_len)) {
		cmsg = control + off;
		if (cmsg->cmsg_len < sizeof(*cmsg) ||
		    off + cmsg->cmsg_len > len)
			break;
		if (cmsg->cmsg_level != SOL_TIPC)
			continue;
		if (cmsg->cmsg_type == TIPC_ERRINFO &&
		    cmsg->cmsg_len >= CMSG_LEN(8))
			errcode = *(u32 *)CMSG_DATA(cmsg);
		if (cmsg->cmsg_type == TIPC_RETDATA) {
			data = CMSG_DATA(cmsg);
			dlen = cmsg->cmsg_len - CMSG_LEN(0);
		}
	}
	if (!data || krg_rpc_hdr_peek(data, dlen, &f) ||
	    f.kind != KRG_RPC_REQUEST || f.src_node != krg_node_id)
		return;
	rpc_fail_call(f.id, errcode == TIPC_ERR_OVERLOAD ? -ENOBUFS :
							   -EHOSTDOWN);
}

/* The sender's TIPC address must be that of the node its frame names. */
static bool sender_ok(const struct sockaddr_tipc *from, u32 src_node)
{
	return from->family == AF_TIPC &&
	       from->addr.id.node == krg_tipc_addr(src_node);
}

static int rpc_recv_thread(void *unused)
{
	const size_t control_len = CMSG_SPACE(8) + CMSG_SPACE(RPC_RETDATA_MAX);
	struct sockaddr_tipc from;
	void *control;
	struct krg_rpc_frame f;
	struct msghdr msg;
	struct kvec iov;
	void *buf;
	int len, err;

	buf = kvmalloc(KRG_RPC_MAX_FRAME + control_len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	control = buf + KRG_RPC_MAX_FRAME;
	while (!kthread_should_stop()) {
		iov.iov_base = buf;
		iov.iov_len = KRG_RPC_MAX_FRAME;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_control = control;
		msg.msg_controllen = control_len;
		len = kernel_recvmsg(rpc_sock, &msg, &iov, 1,
				     KRG_RPC_MAX_FRAME, 0);
		if (len == 0) {
			/* put_cmsg() moved msg_control past what it wrote. */
			rpc_returned(control, control_len - msg.msg_controllen);
			continue;
		}
		if (len < 0) {
			pr_warn_ratelimited("RPC receive error %d\n", len);
			continue;
		}
		err = krg_rpc_hdr_unpack(buf, len, KRG_RPC_MAX_MSG, &f);
		if (!err && !sender_ok(&from, f.src_node))
			err = -EPERM;
		if (err) {
			pr_warn_ratelimited("malformed RPC frame dropped (%d)\n",
					    err);
			continue;
		}
		rpc_receive(&f, buf + KRG_RPC_HDR_LEN);
	}
	kvfree(buf);
	return 0;
}

/* Node loss: fail its calls, drop its half-received messages. */
static int rpc_node_event(struct notifier_block *nb, unsigned long event,
			  void *data)
{
	int node = (long)data;
	struct rpc_msg *m, *tmp;
	struct rpc_call *call;
	unsigned long id;

	if (event != KRG_NODE_DOWN)
		return NOTIFY_DONE;

	mutex_lock(&calls_lock);
	xa_for_each(&calls, id, call) {
		if (call->node == node && !call->done) {
			call->status = -EHOSTDOWN;
			call->done = true;
			complete(call->wake);
		}
	}
	mutex_unlock(&calls_lock);

	mutex_lock(&assembly_lock);
	list_for_each_entry_safe(m, tmp, &assemblies, assembly) {
		if (m->frame.src_node == node) {
			list_del(&m->assembly);
			rpc_msg_free(m);
		}
	}
	mutex_unlock(&assembly_lock);
	return NOTIFY_OK;
}

static struct notifier_block rpc_node_nb = {
	.notifier_call = rpc_node_event,
	.priority = KRG_PRIO_RPC,
};

/*
 * Register a call and send its request. The node is checked after the call
 * is visible to the node-down notifier, so a node that leaves in between
 * either fails the call or is seen offline here: no call waits for a node
 * already gone.
 */
static int call_start(struct rpc_call *call, u32 *id, u16 type,
		      const void *req, size_t len)
{
	struct krg_rpc_frame f = {
		.kind = KRG_RPC_REQUEST,
		.type = type,
		.src_node = krg_node_id,
		.total_len = len,
	};
	int err;

	mutex_lock(&calls_lock);
	err = xa_alloc_cyclic(&calls, id, call, xa_limit_32b, &next_call_id,
			      GFP_KERNEL);
	call->registered = err >= 0;
	mutex_unlock(&calls_lock);
	if (err < 0)
		return err;
	if (!krg_node_online(call->node))
		return -EHOSTDOWN;
	f.id = *id;
	return rpc_xmit(call->node, &f, req);
}

/* Take the call out of the table; after this nobody else touches it. */
static void call_finish(struct rpc_call *call, u32 id, int start_err)
{
	mutex_lock(&calls_lock);
	if (call->registered)
		xa_erase(&calls, id);
	if (start_err) {
		call->status = start_err;
		krg_rpc_reply_free(&call->reply);
	} else if (!call->done) {
		call->status = fatal_signal_pending(current) ? -EINTR :
							       -ETIMEDOUT;
	}
	call->done = true;
	mutex_unlock(&calls_lock);
}

static int check_call_args(u16 type, size_t len)
{
	if (krg_state() != KRG_STATE_JOINED)
		return -ENOTCONN;
	if (type >= KRG_RPC_NR_TYPES)
		return -EINVAL;
	if (len > KRG_RPC_MAX_MSG)
		return -EMSGSIZE;
	return 0;
}

int krg_rpc_call(int node, u16 type, const void *req, size_t len,
		 struct krg_rpc_reply *reply, unsigned long timeout)
{
	DECLARE_COMPLETION_ONSTACK(wake);
	struct rpc_call call = { .node = node, .wake = &wake };
	u32 id;
	int err;

	reply->data = NULL;
	reply->len = 0;
	err = check_call_args(type, len);
	if (err)
		return err;
	if (!krg_node_valid(node))
		return -EINVAL;
	err = call_start(&call, &id, type, req, len);
	if (!err)
		wait_for_completion_killable_timeout(&wake, timeout);
	call_finish(&call, id, err);
	if (!call.status)
		*reply = call.reply;
	return call.status;
}
EXPORT_SYMBOL_GPL(krg_rpc_call);

int krg_rpc_call_nodes(const struct krg_nodemask *nodes, u16 type,
		       const void *req, size_t len,
		       krg_rpc_gather_t gather, void *arg,
		       unsigned long timeout)
{
	DECLARE_COMPLETION_ONSTACK(wake);
	unsigned int n = krg_nodemask_weight(nodes), i = 0, pending;
	unsigned long deadline = jiffies + timeout;
	struct rpc_call *calls_v;
	long left;
	int node, err, first_err = 0;
	u32 *ids;
	int *start_err;

	err = check_call_args(type, len);
	if (err)
		return err;
	if (!n)
		return 0;
	calls_v = kcalloc(n, sizeof(*calls_v), GFP_KERNEL);
	ids = kcalloc(n, sizeof(*ids), GFP_KERNEL);
	start_err = kcalloc(n, sizeof(*start_err), GFP_KERNEL);
	if (!calls_v || !ids || !start_err) {
		err = -ENOMEM;
		goto out;
	}
	for_each_krg_node(node, nodes) {
		calls_v[i].node = node;
		calls_v[i].wake = &wake;
		start_err[i] = call_start(&calls_v[i], &ids[i], type, req, len);
		i++;
	}
	/* One completion for all: wait until every call is done or time is up. */
	for (;;) {
		pending = 0;
		mutex_lock(&calls_lock);
		for (i = 0; i < n; i++)
			if (!start_err[i] && !calls_v[i].done)
				pending++;
		mutex_unlock(&calls_lock);
		left = (long)(deadline - jiffies);
		if (!pending || left <= 0)
			break;
		if (wait_for_completion_killable_timeout(&wake, left) <= 0)
			break;
	}
	for (i = 0; i < n; i++) {
		call_finish(&calls_v[i], ids[i], start_err[i]);
		if (gather)
			gather(calls_v[i].node, calls_v[i].status,
			       &calls_v[i].reply, arg);
		if (calls_v[i].status && !first_err)
			first_err = calls_v[i].status;
		krg_rpc_reply_free(&calls_v[i].reply);
	}
	err = first_err;
out:
	kfree(start_err);
	kfree(ids);
	kfree(calls_v);
	return err;
}
EXPORT_SYMBOL_GPL(krg_rpc_call_nodes);

int krg_rpc_send(int node, u16 type, const void *msg, size_t len)
{
	struct krg_rpc_frame f = {
		.kind = KRG_RPC_ONEWAY,
		.type = type,
		.src_node = krg_node_id,
		.total_len = len,
	};
	int err;

	err = check_call_args(type, len);
	if (err)
		return err;
	if (!krg_node_online(node))
		return -EHOSTDOWN;
	/* A unique id keeps two streamed one-way messages apart. */
	f.id = BIT_ULL(63) | atomic64_inc_return(&next_oneway_id);
	return rpc_xmit(node, &f, msg);
}
EXPORT_SYMBOL_GPL(krg_rpc_send);

int krg_rpc_init(void)
{
	rpc_wq = alloc_workqueue("krg_rpc", WQ_UNBOUND, 0);
	if (!rpc_wq)
		return -ENOMEM;
	return krg_node_notifier_register(&rpc_node_nb);
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
	struct task_struct *t;
	int err, val;

	err = sock_create_kern(&init_net, AF_TIPC, SOCK_RDM, 0, &rpc_sock);
	if (err)
		return err;
	/* Critical importance: the largest receive queue TIPC allows. */
	val = TIPC_CRITICAL_IMPORTANCE;
	err = rpc_sock->ops->setsockopt(rpc_sock, SOL_TIPC, TIPC_IMPORTANCE,
					KERNEL_SOCKPTR(&val), sizeof(val));
	if (err)
		goto fail;
	rpc_sock->sk->sk_sndtimeo = RPC_SEND_TIMEOUT;
	rpc_sock->sk->sk_rcvbuf = RPC_SOCK_BUF;
	err = kernel_bind(rpc_sock, (struct sockaddr *)&addr, sizeof(addr));
	if (err)
		goto fail;
	t = kthread_run(rpc_recv_thread, NULL, "krg_rpc_recv");
	if (!IS_ERR(t))
		return 0;
	err = PTR_ERR(t);
fail:
	sock_release(rpc_sock);
	rpc_sock = NULL;
	return err;
}
