// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: RPC frame encoding, validation of hostile frames, fragmentation.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include "../comm/rpc_msg.h"

#define MAX_MSG (1U << 20)

static const struct krg_rpc_frame sample = {
	.kind = KRG_RPC_REQUEST,
	.type = 42,
	.src_node = 3,
	.status = 0,
	.id = 0x1122334455ULL,
	.total_len = 100,
	.offset = 0,
	.frag_len = 100,
};

/* A frame buffer: header + frag_len payload bytes. */
static u8 *frame_new(struct kunit *test, const struct krg_rpc_frame *f,
		     size_t *len)
{
	u8 *buf;

	*len = KRG_RPC_HDR_LEN + f->frag_len;
	buf = kunit_kzalloc(test, *len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	krg_rpc_hdr_pack((struct krg_rpc_hdr *)buf, f);
	return buf;
}

static void hdr_is_40_bytes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, KRG_RPC_HDR_LEN, 40);
}

static void pack_unpack_roundtrip(struct kunit *test)
{
	struct krg_rpc_frame out;
	size_t len;
	u8 *buf = frame_new(test, &sample, &len);

	KUNIT_ASSERT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out), 0);
	KUNIT_EXPECT_EQ(test, out.kind, sample.kind);
	KUNIT_EXPECT_EQ(test, out.type, sample.type);
	KUNIT_EXPECT_EQ(test, out.src_node, sample.src_node);
	KUNIT_EXPECT_EQ(test, out.id, sample.id);
	KUNIT_EXPECT_EQ(test, out.total_len, sample.total_len);
	KUNIT_EXPECT_EQ(test, out.frag_len, sample.frag_len);
	/* Wire format is little endian whatever the host. */
	KUNIT_EXPECT_EQ(test, buf[0], 'K');
	KUNIT_EXPECT_EQ(test, buf[6], 42);
}

static void unpack_rejects_short_and_magic(struct kunit *test)
{
	struct krg_rpc_frame out;
	size_t len;
	u8 *buf = frame_new(test, &sample, &len);

	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, 0, MAX_MSG, &out),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, KRG_RPC_HDR_LEN - 1,
						 MAX_MSG, &out), -EBADMSG);
	buf[0] ^= 0xff;
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EBADMSG);
	buf[0] ^= 0xff;
	buf[4] = KRG_RPC_VERSION + 1;
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EPROTO);
}

static void unpack_rejects_bad_fields(struct kunit *test)
{
	struct krg_rpc_frame f = sample, out;
	size_t len;
	u8 *buf;

	f.kind = 0;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EBADMSG);
	f = sample;
	f.kind = KRG_RPC_ONEWAY + 1;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EBADMSG);
	f = sample;
	f.src_node = 0;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EBADMSG);
	f = sample;
	f.src_node = 256;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EBADMSG);
	f = sample;
	f.status = 5000;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EBADMSG);
}

static void unpack_rejects_bad_lengths(struct kunit *test)
{
	struct krg_rpc_frame f = sample, out;
	size_t len;
	u8 *buf;

	/* Frame longer than its header says. */
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len - 1, MAX_MSG, &out),
			-EMSGSIZE);
	/* Fragment past the end of the message. */
	f.total_len = 150;
	f.offset = 100;
	f.frag_len = 60;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EMSGSIZE);
	/* Offset wrapping u32. */
	f.total_len = 100;
	f.offset = 0xfffffff0U;
	f.frag_len = 0x20;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EMSGSIZE);
	/* Message above the receiver's limit. */
	f = sample;
	f.total_len = MAX_MSG + 1;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EMSGSIZE);
	/* Empty frame of a non-empty message. */
	f = sample;
	f.frag_len = 0;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out),
			-EMSGSIZE);
	/* An empty message is fine. */
	f.total_len = 0;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out), 0);
}

static void frag_count(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, krg_rpc_nr_frags(0), 1U);
	KUNIT_EXPECT_EQ(test, krg_rpc_nr_frags(1), 1U);
	KUNIT_EXPECT_EQ(test, krg_rpc_nr_frags(65536), 1U);
	KUNIT_EXPECT_EQ(test, krg_rpc_nr_frags(KRG_RPC_MAX_FRAG), 1U);
	KUNIT_EXPECT_EQ(test, krg_rpc_nr_frags(KRG_RPC_MAX_FRAG + 1), 2U);
	KUNIT_EXPECT_EQ(test, krg_rpc_nr_frags(10 * KRG_RPC_MAX_FRAG), 10U);
}

static void last_frag_of_stream_validates(struct kunit *test)
{
	struct krg_rpc_frame f = sample, out;
	size_t len;
	u8 *buf;

	f.total_len = 3 * KRG_RPC_MAX_FRAG - 5;
	f.offset = 2 * KRG_RPC_MAX_FRAG;
	f.frag_len = KRG_RPC_MAX_FRAG - 5;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, len, MAX_MSG, &out), 0);
	KUNIT_EXPECT_EQ(test, out.offset, f.offset);
}

/* A returned frame is cut after 1024 bytes: peek needs only the header. */
static void peek_reads_truncated_frame(struct kunit *test)
{
	struct krg_rpc_frame f = sample, out;
	size_t len;
	u8 *buf;

	f.total_len = 5000;
	f.frag_len = 5000;
	buf = frame_new(test, &f, &len);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_unpack(buf, 1024, MAX_MSG, &out),
			-EMSGSIZE);
	KUNIT_ASSERT_EQ(test, krg_rpc_hdr_peek(buf, 1024, &out), 0);
	KUNIT_EXPECT_EQ(test, out.id, sample.id);
	KUNIT_EXPECT_EQ(test, out.kind, (u8)KRG_RPC_REQUEST);
	KUNIT_EXPECT_EQ(test, krg_rpc_hdr_peek(buf, KRG_RPC_HDR_LEN - 1, &out),
			-EBADMSG);
}

static struct kunit_case krg_rpc_msg_cases[] = {
	KUNIT_CASE(hdr_is_40_bytes),
	KUNIT_CASE(pack_unpack_roundtrip),
	KUNIT_CASE(unpack_rejects_short_and_magic),
	KUNIT_CASE(unpack_rejects_bad_fields),
	KUNIT_CASE(unpack_rejects_bad_lengths),
	KUNIT_CASE(frag_count),
	KUNIT_CASE(last_frag_of_stream_validates),
	KUNIT_CASE(peek_reads_truncated_frame),
	{}
};

static struct kunit_suite krg_rpc_msg_suite = {
	.name = "krg_rpc_msg",
	.test_cases = krg_rpc_msg_cases,
};
kunit_test_suite(krg_rpc_msg_suite);
