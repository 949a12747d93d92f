// SPDX-License-Identifier: GPL-2.0
/*
 * Ghost sections: the self-describing, checksummed unit of a ghost.
 *
 *   struct ghost_section_hdr (16 bytes, little endian) | len payload bytes
 *
 * The reader checks magic, flags, the length against its own limit for
 * the stream, then the checksum of the payload, before handing it out.
 * It is the one reader: restart takes sections through its two halves
 * (ghost_section_head(), ghost_section_body(): ghost/task.c), and KUnit
 * tests it whole (tests/ghost_test.c).
 * The checksum is the low 32 bits of XXH64 (seed 0): on pages of memory
 * it costs a fraction of a CRC32 and still catches any damage.
 */
#include <linux/xxhash.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <krg/ghost.h>

u32 ghost_checksum(const void *data, u32 len)
{
	return (u32)xxh64(data, len, 0);
}

int ghost_section_write(struct ghost *g, u16 type, const void *data, u32 len)
{
	struct ghost_section_hdr h = {
		.magic = cpu_to_le32(GHOST_SECTION_MAGIC),
		.type = cpu_to_le16(type),
		.len = cpu_to_le32(len),
		.crc = cpu_to_le32(ghost_checksum(data, len)),
	};

	ghost_write(g, &h, sizeof(h));
	return ghost_write(g, data, len);
}

/*
 * The header of a section of @len bytes whose checksum the caller made
 * (@check), for a payload it writes itself: page runs go from the task's
 * memory to the backend without a copy.
 */
int ghost_section_start(struct ghost *g, u16 type, u32 len, u32 check)
{
	struct ghost_section_hdr h = {
		.magic = cpu_to_le32(GHOST_SECTION_MAGIC),
		.type = cpu_to_le16(type),
		.len = cpu_to_le32(len),
		.crc = cpu_to_le32(check),
	};

	return ghost_write(g, &h, sizeof(h));
}

/**
 * ghost_section_head - read and check the header of the next section
 *
 * Return: 0; -EBADMSG (bad magic or flags), -ENODATA (the stream ends
 * inside it), or the stream's error. A failure is sticky on the ghost.
 */
int ghost_section_head(struct ghost *g, struct ghost_section_hdr *h)
{
	if (ghost_read(g, h, sizeof(*h)))
		return g->err;
	if (le32_to_cpu(h->magic) != GHOST_SECTION_MAGIC || h->flags)
		return g->err = -EBADMSG;
	return 0;
}

/**
 * ghost_section_body - read and check the payload of the section whose
 * header @h was just read
 * @data: the payload, kvmalloc()ed (kvfree() it); NULL for an empty one
 *
 * The caller has checked its length. Return: 0; -EBADMSG (bad checksum),
 * -ENODATA, -ENOMEM, or the stream's error. A failure is sticky.
 */
int ghost_section_body(struct ghost *g, const struct ghost_section_hdr *h,
		       void **data)
{
	u32 n = le32_to_cpu(h->len);
	void *buf = NULL;

	*data = NULL;
	if (n) {
		buf = kvmalloc(n, GFP_KERNEL);
		if (!buf)
			return g->err = -ENOMEM;
		if (ghost_read(g, buf, n))
			goto fail;
	}
	if (ghost_checksum(buf, n) != le32_to_cpu(h->crc)) {
		g->err = -EBADMSG;
		goto fail;
	}
	*data = buf;
	return 0;
fail:
	kvfree(buf);
	return g->err;
}

/**
 * ghost_section_read - read and check the next section
 * @type: its type
 * @data: its payload, kvmalloc()ed (kvfree() it); NULL for an empty one
 * @len: its length
 * @max_len: the largest payload the caller accepts here
 *
 * Return: 0; -EBADMSG (bad magic, flags or checksum), -EMSGSIZE (longer
 * than @max_len), -ENODATA (the stream ends inside the section), -ENOMEM,
 * or the stream's error. A failure is sticky on the ghost.
 */
int ghost_section_read(struct ghost *g, u16 *type, void **data, u32 *len,
		       u32 max_len)
{
	struct ghost_section_hdr h;
	int err;

	*data = NULL;
	err = ghost_section_head(g, &h);
	if (err)
		return err;
	if (le32_to_cpu(h.len) > max_len)
		return g->err = -EMSGSIZE;
	err = ghost_section_body(g, &h, data);
	if (err)
		return err;
	*type = le16_to_cpu(h.type);
	*len = le32_to_cpu(h.len);
	return 0;
}
