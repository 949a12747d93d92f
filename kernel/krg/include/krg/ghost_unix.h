/* SPDX-License-Identifier: GPL-2.0 */
/* Unix socket pairs in a ghost (ghost/unix.c), for the files part. */
#ifndef _KRG_GHOST_UNIX_H
#define _KRG_GHOST_UNIX_H

#include <linux/types.h>
#include <uapi/linux/krg_image.h>

struct file;
struct ghost_export;
struct ghost_import;
struct ghost_objs;
struct sock;

#define UNIX_MSGS_MAX	65536		/* queued to one end */
#define UNIX_BYTES_MAX	(16 << 20)	/* queued to one end */
/* The largest UNIX_PAIR section. */
#define GHOST_UNIX_PAIR_MAX	(sizeof(struct krg_img_unix_pair) + \
				 2 * (UNIX_MSGS_MAX * sizeof(u32) + \
				      UNIX_BYTES_MAX))

struct sock *ghost_unix_of(struct file *file);
struct file *ghost_unix_peer_file(struct file *file);
const void *ghost_unix_pair_key(struct sock *sk, unsigned int *end);
int ghost_unix_export(struct ghost_export *x, unsigned int fd,
		      const void *key, unsigned int end, u32 id, bool first);
int ghost_unix_reopen(struct ghost_objs *objs, u32 pair, const void *state,
		      u32 len, struct file **file);
int ghost_unix_import_pair(struct ghost_import *m);

#endif /* _KRG_GHOST_UNIX_H */
