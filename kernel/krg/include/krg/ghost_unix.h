/* SPDX-License-Identifier: GPL-2.0 */
/* Unix socket pairs in a ghost (ghost/unix.c), for the files part. */
#ifndef _KRG_GHOST_UNIX_H
#define _KRG_GHOST_UNIX_H

#include <linux/types.h>
#include <uapi/linux/krg_image.h>

struct file;
struct sock;

#define UNIX_MSGS_MAX	65536		/* queued to one end */
#define UNIX_BYTES_MAX	(16 << 20)	/* queued to one end */
/* The largest UNIX_PAIR section. */
#define GHOST_UNIX_PAIR_MAX	(sizeof(struct krg_img_unix_pair) + \
				 2 * (UNIX_MSGS_MAX * sizeof(u32) + \
				      UNIX_BYTES_MAX))

struct sock *ghost_unix_of(struct file *file);
struct file *ghost_unix_peer_file(struct file *file);

#endif /* _KRG_GHOST_UNIX_H */
