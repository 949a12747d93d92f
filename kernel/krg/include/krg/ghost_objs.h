/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Objects shared between tasks of a checkpointed tree (ghost/objs.c).
 */
#ifndef _KRG_GHOST_OBJS_H
#define _KRG_GHOST_OBJS_H

#include <linux/atomic.h>
#include <linux/types.h>

#define GHOST_OBJS_MAX	65536

struct file;
struct ghost_objs;

/*
 * What an object of a restart is. An image names objects by number only:
 * the first use of a number fixes its kind, and any other use of it as
 * another kind is refused, so a crafted image cannot hand a pipe where a
 * socket is expected.
 */
enum ghost_obj_kind {
	GHOST_OBJ_FILE = 1,		/* an open file (FILE sections' obj) */
	GHOST_OBJ_PIPE = 2,		/* both ends of a pipe */
	GHOST_OBJ_FIFO = 4,		/* a FIFO, open at both ends */
	GHOST_OBJ_UNIX_PAIR = 8,	/* both ends of a socket pair */
	GHOST_OBJ_DELETED = 16,		/* the unnamed file for a deleted one */
	GHOST_OBJ_SHM = 32,		/* shared anonymous memory */
};

extern atomic_t ghost_objs_live;

struct ghost_objs *ghost_objs_new(void);
void ghost_objs_free(struct ghost_objs *o);

/* Checkpoint: number objects by their kernel address. */
int ghost_objs_id(struct ghost_objs *o, const void *key, bool *first);
u32 ghost_objs_find(struct ghost_objs *o, const void *key);

/* Restart: make each object once, hand it to every task that names it. */
typedef int (*ghost_obj_make_t)(void *arg, struct file **files);
int ghost_objs_get(struct ghost_objs *o, u32 id, enum ghost_obj_kind kind,
		   ghost_obj_make_t make, void *arg, struct file **files);
int ghost_objs_content(struct ghost_objs *o, u32 id, unsigned int kinds,
		       bool once, struct file **files);
/* Once the restart is over: 0, or -errno with the message (msg) set. */
typedef int (*ghost_obj_end_t)(void *arg, char *msg);
int ghost_objs_at_end(struct ghost_objs *o, ghost_obj_end_t fn, void *arg);
int ghost_objs_end(struct ghost_objs *o, char *msg);

#endif /* _KRG_GHOST_OBJS_H */
