// SPDX-License-Identifier: GPL-2.0
/*
 * RPC frame encoding and validation. Pure functions: covered by kunit.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <krg/node.h>
#include "rpc_msg.h"

void krg_rpc_hdr_pack(struct krg_rpc_hdr *h, const struct krg_rpc_frame *f)
{
	memset(h, 0, sizeof(*h));
	h->magic = cpu_to_le32(KRG_RPC_MAGIC);
	h->version = KRG_RPC_VERSION;
	h->kind = f->kind;
	h->type = cpu_to_le16(f->type);
	h->src_node = cpu_to_le32(f->src_node);
	h->status = cpu_to_le32(f->status);
	h->id = cpu_to_le64(f->id);
	h->total_len = cpu_to_le32(f->total_len);
	h->offset = cpu_to_le32(f->offset);
	h->frag_len = cpu_to_le32(f->frag_len);
}

/*
 * Decode a header without checking it against a payload: for the start of
 * one of our own frames that TIPC returned undelivered.
 */
int krg_rpc_hdr_peek(const void *buf, size_t len, struct krg_rpc_frame *f)
{
	const struct krg_rpc_hdr *h = buf;

	if (len < sizeof(*h) || le32_to_cpu(h->magic) != KRG_RPC_MAGIC)
		return -EBADMSG;
	if (h->version != KRG_RPC_VERSION)
		return -EPROTO;
	f->kind = h->kind;
	f->type = le16_to_cpu(h->type);
	f->src_node = le32_to_cpu(h->src_node);
	f->status = le32_to_cpu(h->status);
	f->id = le64_to_cpu(h->id);
	f->total_len = le32_to_cpu(h->total_len);
	f->offset = le32_to_cpu(h->offset);
	f->frag_len = le32_to_cpu(h->frag_len);
	return 0;
}

/**
 * krg_rpc_hdr_unpack - decode and validate one received frame
 * @buf: the frame as received
 * @len: its length
 * @max_msg: largest acceptable total message length
 * @f: decoded header
 *
 * Return: 0, -EBADMSG (short frame, bad magic or kind, bad source node),
 * -EPROTO (unknown version) or -EMSGSIZE (lengths that do not add up).
 */
int krg_rpc_hdr_unpack(const void *buf, size_t len, u32 max_msg,
		       struct krg_rpc_frame *f)
{
	int err = krg_rpc_hdr_peek(buf, len, f);

	if (err)
		return err;
	if (f->kind < KRG_RPC_REQUEST || f->kind > KRG_RPC_ONEWAY)
		return -EBADMSG;
	if (!krg_node_valid(f->src_node))
		return -EBADMSG;
	if (f->status > MAX_ERRNO)
		return -EBADMSG;
	if (f->total_len > max_msg || f->frag_len > KRG_RPC_MAX_FRAG ||
	    len - sizeof(struct krg_rpc_hdr) != f->frag_len ||
	    f->offset > f->total_len ||
	    f->frag_len > f->total_len - f->offset)
		return -EMSGSIZE;
	/* Only an empty message has an empty frame. */
	if (!f->frag_len && f->total_len)
		return -EMSGSIZE;
	return 0;
}

/* Number of frames a message of total_len payload bytes takes. */
unsigned int krg_rpc_nr_frags(u32 total_len)
{
	if (!total_len)
		return 1;
	return DIV_ROUND_UP(total_len, KRG_RPC_MAX_FRAG);
}
