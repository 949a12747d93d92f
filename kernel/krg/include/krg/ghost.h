/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ghosts: typed streams that carry an exported task. A backend (memory,
 * file; network with migration) supplies raw
 * reads and writes; the ghost makes every transfer all-or-error and keeps
 * the first error, so exporters write a sequence of parts and check once.
 *
 * On a ghost travel sections: a header (magic, type, length, checksum of the
 * payload) and the payload. A reader validates each header and checksum
 * before any byte of the payload is used.
 */
#ifndef _KRG_GHOST_H
#define _KRG_GHOST_H

#include <linux/atomic.h>
#include <linux/types.h>

struct ghost;

struct ghost_ops {
	/* Transfer up to len bytes; return the count (0: end) or -errno. */
	ssize_t (*write)(struct ghost *g, const void *buf, size_t len);
	ssize_t (*read)(struct ghost *g, void *buf, size_t len);
	/* Optional: from current's memory, with no copy in between. */
	ssize_t (*write_user)(struct ghost *g, const void __user *buf,
			      size_t len);
	ssize_t (*read_user)(struct ghost *g, void __user *buf, size_t len);
	/* Optional: pass over len bytes without reading them. */
	void (*skip)(struct ghost *g, size_t len);
	void (*release)(struct ghost *g);
};

struct ghost {
	const struct ghost_ops *ops;
	int err;		/* first error, sticky */
	u64 pos;		/* bytes transferred */
	void *priv;
};

extern atomic_t ghost_live;

int ghost_write(struct ghost *g, const void *buf, size_t len);
int ghost_write_user(struct ghost *g, const void __user *buf, size_t len);
int ghost_read(struct ghost *g, void *buf, size_t len);
int ghost_read_user(struct ghost *g, void __user *buf, size_t len);
int ghost_skip(struct ghost *g, size_t len);
void ghost_close(struct ghost *g);

/* A ghost over a caller's buffer of @size bytes (tests, staging). */
struct ghost *ghost_mem_new(void *buf, size_t size);

struct file;
struct ghost *ghost_file_new(struct file *file, bool write);
int ghost_file_sync(struct ghost *g);
struct file *ghost_file_of(struct ghost *g);

#define GHOST_SECTION_MAGIC	0x4553474bU	/* "KGSE" */

struct ghost_section_hdr {
	__le32 magic;
	__le16 type;
	__le16 flags;		/* 0 for now */
	__le32 len;
	__le32 crc;		/* ghost_checksum(payload, len) */
} __packed;

u32 ghost_checksum(const void *data, u32 len);	/* low 32 bits of XXH64 */
int ghost_section_write(struct ghost *g, u16 type, const void *data, u32 len);
int ghost_section_start(struct ghost *g, u16 type, u32 len, u32 check);
int ghost_section_head(struct ghost *g, struct ghost_section_hdr *h);
int ghost_section_body(struct ghost *g, const struct ghost_section_hdr *h,
		       void **data);
int ghost_section_read(struct ghost *g, u16 *type, void **data, u32 *len,
		       u32 max_len);

#endif /* _KRG_GHOST_H */
