/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the RPC client and server sides. */
#ifndef _KRG_RPC_INTERNAL_H
#define _KRG_RPC_INTERNAL_H

#include <linux/net.h>
#include <linux/tipc.h>
#include "rpc_msg.h"

#define RPC_SEND_TIMEOUT	(5 * HZ)
#define RPC_SOCK_BUF		(8 << 20)
/* TIPC returns at most this much of an undelivered message. */
#define RPC_RETDATA_MAX		1024
#define RPC_CONTROL_LEN		(CMSG_SPACE(8) + CMSG_SPACE(RPC_RETDATA_MAX))

/* Where a frame goes: a node's service, or a caller's port. */
void rpc_service_addr(struct sockaddr_tipc *addr, int node);

int rpc_socket_create(struct socket **sock);
int rpc_xmit_flags(struct socket *sock, struct sockaddr_tipc *dest,
		   struct krg_rpc_frame *f, const void *data, int flags);
int rpc_xmit(struct socket *sock, struct sockaddr_tipc *dest,
	     struct krg_rpc_frame *f, const void *data);
bool rpc_sender_ok(const struct sockaddr_tipc *from, u32 src_node);
int rpc_returned(void *control, size_t len, struct krg_rpc_frame *f);
int rpc_check_args(u16 type, size_t len);
u64 rpc_new_id(void);
int rpc_service_sample(u16 type, void *buf, size_t max);

#endif /* _KRG_RPC_INTERNAL_H */
