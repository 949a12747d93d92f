/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kinds of open file a ghost saves and makes again (KRG_FILE_* of
 * uapi/linux/krg_image.h), one struct ghost_fd_kind each, each in the file
 * that knows that kind, as CRIU's fdtype_ops. ghost/files.c walks the fd
 * table, asks the kinds in turn which one an open file is, writes its
 * FILE section and leaves the rest to the kind; on restart it checks
 * what all FILE sections share and lets the kind make the file.
 */
#ifndef _KRG_GHOST_FD_H
#define _KRG_GHOST_FD_H

#include <linux/bits.h>
#include <linux/types.h>
#include <uapi/linux/krg_image.h>

struct file;
struct ghost_export;
struct ghost_import;
struct ghost_objs;

/* Checkpoint: one fd, as the kind that claims it describes it. */
struct ghost_fd_out {
	struct file *file;
	unsigned int fd;
	struct krg_img_file img;	/* the kind sets .kind, may reset .pos */
	char *dpath;			/* d_path(), or an ERR_PTR() */
	const char *path;		/* as saved: dpath unless the kind says */
	const void *shared;		/* what its opens share: saved once */
	bool first_shared;		/* this fd saves it */
	unsigned int end;		/* a unix pair: which end */
};

/* Restart: one FILE section, checked. */
struct ghost_fd_in {
	const struct krg_img_file *img;
	const char *path;
	struct ghost_objs *objs;
	const void *state;		/* its FILE_STATE, if the kind has one */
	u32 state_len;
	bool made;			/* an epoll set made: add its watches */
	const struct ghost_fd_kind *kind;
};

/* What the FILE sections of a kind carry. */
#define GHOST_FD_SHARED		BIT(0)	/* img.shared names an object */
#define GHOST_FD_STATE		BIT(1)	/* a FILE_STATE section follows */
#define GHOST_FD_ABSOLUTE	BIT(2)	/* its path is absolute */
#define GHOST_FD_ATTRS		BIT(3)	/* mode, owner, size, seals: ->bad() */

struct ghost_fd_kind {
	const char *name;
	u32 kinds;			/* BIT(KRG_FILE_*) that it makes */
	unsigned int carries;		/* GHOST_FD_* */
	/* Is o->file of this kind? 1 (o filled in), 0, or -errno. */
	int (*claim)(struct ghost_export *x, struct ghost_fd_out *o);
	/* What follows its FILE section, if anything. */
	int (*export)(struct ghost_export *x, struct ghost_fd_out *o);
	/* Are the fields only this kind uses wrong? (none: all must be 0) */
	bool (*bad)(const struct krg_img_file *img);
	/* The path as saved, checked, in a kmalloc()ed string (or NULL). */
	char *(*path_dup)(const char *s, u32 len);
	/* The open file made anew in files[0]. */
	int (*make)(struct ghost_fd_in *in, struct file **files);
	/*
	 * The section that fills what its opens share (a pipe's bytes), after
	 * the FILE of the first fd of it: its type, the bounds of its length,
	 * and its import, once the section is taken.
	 */
	u16 content;
	u32 content_min, content_max;
	int (*import_content)(struct ghost_import *m);
};

/* All of them, in the order they are asked (ghost/files.c). */
extern const struct ghost_fd_kind *const ghost_fd_kinds[];
extern const unsigned int ghost_fd_nkinds;

/* In the order they are asked: ghost/files.c. */
extern const struct ghost_fd_kind ghost_special_fds;	/* ghost/special.c */
extern const struct ghost_fd_kind ghost_fifo_fds;	/* ghost/pipe.c */
extern const struct ghost_fd_kind ghost_pipe_fds;	/* ghost/pipe.c */
extern const struct ghost_fd_kind ghost_unix_fds;	/* ghost/unix.c */
extern const struct ghost_fd_kind ghost_deleted_fds;	/* ghost/deleted.c */
extern const struct ghost_fd_kind ghost_path_fds;	/* ghost/path.c */

#endif /* _KRG_GHOST_FD_H */
