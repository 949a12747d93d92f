/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RPC wire framing. Every TIPC message krg sends is one frame:
 *
 *   struct krg_rpc_hdr (40 bytes, little endian) | frag_len payload bytes
 *
 * A message of total_len bytes is cut into frames carrying consecutive
 * [offset, offset + frag_len) slices, sent in order on one socket pair (TIPC
 * keeps that order). A frame is validated before anything else looks at it.
 */
#ifndef _KRG_RPC_MSG_H
#define _KRG_RPC_MSG_H

#include <linux/types.h>

#define KRG_RPC_MAGIC		0x5247524bU	/* "KRGR" */
/* 2: epm's message types moved to its own range (16, 17; were 3, 4). */
#define KRG_RPC_VERSION		2
/* TIPC_MAX_USER_MSG_SIZE is 66000: one frame stays below it. */
#define KRG_RPC_MAX_FRAME	66000
#define KRG_RPC_HDR_LEN		((int)sizeof(struct krg_rpc_hdr))
#define KRG_RPC_MAX_FRAG	(KRG_RPC_MAX_FRAME - KRG_RPC_HDR_LEN)

enum krg_rpc_kind {
	KRG_RPC_REQUEST = 1,
	KRG_RPC_REPLY,
	KRG_RPC_ONEWAY,
};

struct krg_rpc_hdr {
	__le32 magic;
	__u8 version;
	__u8 kind;
	__le16 type;
	__le32 src_node;
	__le32 status;		/* replies: 0 or a positive errno */
	__le64 id;		/* chosen by the requester, echoed in the reply */
	__le32 total_len;
	__le32 offset;
	__le32 frag_len;
	__le32 reserved;
} __packed;

/* A decoded header, in host order. */
struct krg_rpc_frame {
	u8 kind;
	u16 type;
	u32 src_node;
	u32 status;
	u64 id;
	u32 total_len;
	u32 offset;
	u32 frag_len;
};

void krg_rpc_hdr_pack(struct krg_rpc_hdr *h, const struct krg_rpc_frame *f);
int krg_rpc_hdr_peek(const void *buf, size_t len, struct krg_rpc_frame *f);
int krg_rpc_hdr_unpack(const void *buf, size_t len, u32 max_msg,
		       struct krg_rpc_frame *f);
unsigned int krg_rpc_nr_frags(u32 total_len);

#endif /* _KRG_RPC_MSG_H */
