// SPDX-License-Identifier: GPL-2.0
/*
 * Sending frames over TIPC, and what both RPC sides check on receipt.
 */
#include <linux/atomic.h>
#include <linux/socket.h>
#include <linux/sockptr.h>
#include <linux/uio.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tipc_kernel.h>
#include <krg/rpc.h>
#include <krg/node.h>
#include "comm.h"
#include "rpc_internal.h"

static atomic64_t next_id;

/* Message ids are never reused: a late reply cannot match a new call. */
u64 rpc_new_id(void)
{
	return atomic64_inc_return(&next_id);
}

void rpc_service_addr(struct sockaddr_tipc *addr, int node)
{
	memset(addr, 0, sizeof(*addr));
	addr->family = AF_TIPC;
	addr->addrtype = TIPC_SERVICE_ADDR;
	addr->addr.name.name.type = KRG_TIPC_RPC_TYPE;
	addr->addr.name.name.instance = node;
}

/* An RDM socket with critical importance: the largest queue TIPC allows. */
int rpc_socket_create(struct socket **sock)
{
	int val = TIPC_CRITICAL_IMPORTANCE;
	int err;

	err = sock_create_kern(&init_net, AF_TIPC, SOCK_RDM, 0, sock);
	if (err)
		return err;
	err = (*sock)->ops->setsockopt(*sock, SOL_TIPC, TIPC_IMPORTANCE,
				       KERNEL_SOCKPTR(&val), sizeof(val));
	if (err) {
		sock_release(*sock);
		*sock = NULL;
		return err;
	}
	(*sock)->sk->sk_sndtimeo = RPC_SEND_TIMEOUT;
	(*sock)->sk->sk_rcvbuf = RPC_SOCK_BUF;
	return 0;
}

/*
 * Send one message in as many frames as it takes; @flags: MSG_DONTWAIT
 * drops it rather than wait for a congested link (heartbeats).
 */
int rpc_xmit_flags(struct socket *sock, struct sockaddr_tipc *dest,
		   struct krg_rpc_frame *f, const void *data, int flags)
{
	struct krg_rpc_hdr hdr;
	struct kvec iov[2];
	struct msghdr msg;
	u32 off = 0;
	int ret;

	do {
		f->offset = off;
		f->frag_len = min_t(u32, f->total_len - off, KRG_RPC_MAX_FRAG);
		krg_rpc_hdr_pack(&hdr, f);
		iov[0].iov_base = &hdr;
		iov[0].iov_len = sizeof(hdr);
		iov[1].iov_base = (void *)data + off;
		iov[1].iov_len = f->frag_len;
		memset(&msg, 0, sizeof(msg));
		msg.msg_flags = flags;
		msg.msg_name = dest;
		msg.msg_namelen = sizeof(*dest);
		ret = kernel_sendmsg(sock, &msg, iov, 2,
				     sizeof(hdr) + f->frag_len);
		if (ret < 0)
			/* No such service: the node is not (or no more) there. */
			return ret == -EHOSTUNREACH ? -EHOSTDOWN : ret;
		off += f->frag_len;
	} while (off < f->total_len);
	return 0;
}

atomic_long_t krg_rpc_refused = ATOMIC_LONG_INIT(0);

/*
 * Only krg's kernels speak krg RPC: the sender must be a kernel socket
 * (user sockets cannot send from, nor to, that port range: patch 0013) on
 * the node its frame names. Anything else is refused and counted.
 */
bool rpc_sender_ok(const struct sockaddr_tipc *from, u32 src_node)
{
	if (from->family == AF_TIPC && tipc_kernel_port(from->addr.id.ref) &&
	    from->addr.id.node == krg_tipc_addr(src_node))
		return true;
	atomic_long_inc(&krg_rpc_refused);
	pr_warn_ratelimited("krg: frame from port %u on node %x refused: not a krg kernel port of node %u\n",
			    from->addr.id.ref, from->addr.id.node, src_node);
	return false;
}

/*
 * A frame of ours came back undelivered (recvmsg returned 0): TIPC gives
 * its error code and the start of the frame as ancillary data. Decode the
 * frame's header; return the errno its sender should see, or 0 if the
 * ancillary data is not that of a krg frame.
 */
int rpc_returned(void *control, size_t len, struct krg_rpc_frame *f)
{
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
	if (!data || krg_rpc_hdr_peek(data, dlen, f))
		return 0;
	return errcode == TIPC_ERR_OVERLOAD ? -ENOBUFS : -EHOSTDOWN;
}

int rpc_check_args(u16 type, size_t len)
{
	if (type >= KRG_RPC_NR_TYPES)
		return -EINVAL;
	if (len > KRG_RPC_MAX_MSG)
		return -EMSGSIZE;
	if (krg_state() != KRG_STATE_JOINED)
		return -ENOTCONN;
	return 0;
}

int rpc_xmit(struct socket *sock, struct sockaddr_tipc *dest,
	     struct krg_rpc_frame *f, const void *data)
{
	return rpc_xmit_flags(sock, dest, f, data, 0);
}
