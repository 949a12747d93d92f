// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ghost streams and sections, including hostile input.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <krg/ghost.h>
#include <krg/ghost_fd.h>
#include <krg/ghost_task.h>

#define BUF 256

static struct ghost *mem(struct kunit *test, void *buf, size_t size)
{
	struct ghost *g = ghost_mem_new(buf, size);

	KUNIT_ASSERT_NOT_NULL(test, g);
	return g;
}

static void stream_roundtrip_and_sticky_error(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 8, GFP_KERNEL);
	u8 out[8];
	struct ghost *g = mem(test, buf, 8);

	KUNIT_EXPECT_EQ(test, ghost_write(g, "abcdef", 6), 0);
	KUNIT_EXPECT_EQ(test, ghost_write(g, "ghij", 4), -ENOSPC);
	/* The first error stays: later writes fail without effect. */
	KUNIT_EXPECT_EQ(test, ghost_write(g, "k", 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, g->pos, 8ULL);
	ghost_close(g);

	g = mem(test, buf, 8);
	KUNIT_EXPECT_EQ(test, ghost_read(g, out, 8), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, "abcdefgh", 8), 0);
	KUNIT_EXPECT_EQ(test, ghost_read(g, out, 1), -ENODATA);
	ghost_close(g);
}

/* A skip passes over bytes as a read would; past the end, reads fail. */
static void skip_passes_over_bytes(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 600, GFP_KERNEL);
	struct ghost *g;
	u8 out;

	buf[300] = 0x5a;
	g = mem(test, buf, 600);
	KUNIT_EXPECT_EQ(test, ghost_skip(g, 300), 0);
	KUNIT_EXPECT_EQ(test, g->pos, 300ULL);
	KUNIT_EXPECT_EQ(test, ghost_read(g, &out, 1), 0);
	KUNIT_EXPECT_EQ(test, out, 0x5a);
	KUNIT_EXPECT_EQ(test, ghost_skip(g, 400), -ENODATA);
	ghost_close(g);
}

static void section_roundtrip(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, BUF, GFP_KERNEL);
	struct ghost *g = mem(test, buf, BUF);
	void *data;
	u16 type;
	u32 len;

	KUNIT_EXPECT_EQ(test, ghost_section_write(g, 7, "payload", 7), 0);
	KUNIT_EXPECT_EQ(test, ghost_section_write(g, 9, NULL, 0), 0);
	ghost_close(g);

	g = mem(test, buf, BUF);
	KUNIT_ASSERT_EQ(test, ghost_section_read(g, &type, &data, &len, 64), 0);
	KUNIT_EXPECT_EQ(test, type, 7);
	KUNIT_EXPECT_EQ(test, len, 7U);
	KUNIT_EXPECT_EQ(test, memcmp(data, "payload", 7), 0);
	kvfree(data);
	KUNIT_ASSERT_EQ(test, ghost_section_read(g, &type, &data, &len, 64), 0);
	KUNIT_EXPECT_EQ(test, type, 9);
	KUNIT_EXPECT_EQ(test, len, 0U);
	KUNIT_EXPECT_NULL(test, data);
	ghost_close(g);
}

/* Write one section, corrupt byte @at (or cut at @cut), read it back. */
static int damaged(struct kunit *test, int at, size_t cut, u32 max_len)
{
	u8 *buf = kunit_kzalloc(test, BUF, GFP_KERNEL);
	struct ghost *g = mem(test, buf, BUF);
	void *data = (void *)1;
	u16 type;
	u32 len;
	int err;

	ghost_section_write(g, 3, "0123456789", 10);
	ghost_close(g);
	if (at >= 0)
		buf[at] ^= 0x20;
	g = mem(test, buf, cut);
	err = ghost_section_read(g, &type, &data, &len, max_len);
	if (err)
		KUNIT_EXPECT_NULL(test, data);	/* nothing handed out */
	else
		kvfree(data);
	KUNIT_EXPECT_EQ(test, g->err, err);
	ghost_close(g);
	return err;
}

static void section_rejects_damage(struct kunit *test)
{
	int hdr = sizeof(struct ghost_section_hdr);

	KUNIT_EXPECT_EQ(test, damaged(test, -1, BUF, 64), 0);
	KUNIT_EXPECT_EQ(test, damaged(test, 0, BUF, 64), -EBADMSG);	 /* magic */
	KUNIT_EXPECT_EQ(test, damaged(test, 6, BUF, 64), -EBADMSG);	 /* flags */
	KUNIT_EXPECT_EQ(test, damaged(test, hdr + 4, BUF, 64), -EBADMSG); /* data */
	KUNIT_EXPECT_EQ(test, damaged(test, 12, BUF, 64), -EBADMSG);	 /* crc */
	KUNIT_EXPECT_EQ(test, damaged(test, -1, BUF, 9), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, damaged(test, 11, BUF, 64), -EMSGSIZE);	 /* len */
	KUNIT_EXPECT_EQ(test, damaged(test, -1, hdr + 5, 64), -ENODATA);
	KUNIT_EXPECT_EQ(test, damaged(test, -1, hdr - 1, 64), -ENODATA);
}

/* An array section of @len bytes, taken as elements of 8 bytes. */
static int take_array(struct kunit *test, u32 len, u32 max, u32 *n)
{
	u8 *buf = kunit_kzalloc(test, BUF, GFP_KERNEL);
	u8 *payload = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct ghost *g = mem(test, buf, BUF);
	struct ghost_import m = {};
	int err;

	ghost_section_write(g, 7, payload, len);
	ghost_close(g);
	m.g = mem(test, buf, BUF);
	err = ghost_import_take_array(&m, 7, 8, max, n);
	ghost_import_release(&m);
	ghost_close(m.g);
	return err;
}

static void array_sections(struct kunit *test)
{
	u32 n = 99;

	KUNIT_EXPECT_EQ(test, take_array(test, 24, 4, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, take_array(test, 0, 4, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 0U);
	/* Not whole elements, or more of them than allowed. */
	KUNIT_EXPECT_EQ(test, take_array(test, 20, 4, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, take_array(test, 40, 4, &n), -EINVAL);
}

/* Each KRG_FILE_* kind is made by one fd kind, which has all it needs. */
static void fd_kinds_cover_each_kind_once(struct kunit *test)
{
	const struct ghost_fd_kind *k;
	unsigned int i, kind, makers;

	for (kind = 0; kind <= KRG_FILE_INOTIFY + 1; kind++) {
		makers = 0;
		for (i = 0; i < ghost_fd_nkinds; i++)
			makers += !!(ghost_fd_kinds[i]->kinds & BIT(kind));
		KUNIT_EXPECT_EQ_MSG(test, makers,
				    kind && kind <= KRG_FILE_INOTIFY ? 1U : 0U,
				    "KRG_FILE_ %u", kind);
	}
	for (i = 0; i < ghost_fd_nkinds; i++) {
		k = ghost_fd_kinds[i];
		KUNIT_EXPECT_TRUE_MSG(test, k->claim && k->make, "%s", k->name);
		KUNIT_EXPECT_EQ_MSG(test, !!(k->carries & GHOST_FD_ATTRS),
				    !!k->bad, "%s", k->name);
		KUNIT_EXPECT_EQ_MSG(test, !!k->content, !!k->import_content,
				    "%s", k->name);
	}
}

static struct kunit_case krg_ghost_cases[] = {
	KUNIT_CASE(fd_kinds_cover_each_kind_once),
	KUNIT_CASE(stream_roundtrip_and_sticky_error),
	KUNIT_CASE(skip_passes_over_bytes),
	KUNIT_CASE(section_roundtrip),
	KUNIT_CASE(section_rejects_damage),
	KUNIT_CASE(array_sections),
	{}
};

static struct kunit_suite krg_ghost_suite = {
	.name = "krg_ghost",
	.test_cases = krg_ghost_cases,
};
kunit_test_suite(krg_ghost_suite);
