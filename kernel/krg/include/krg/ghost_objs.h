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

extern atomic_t ghost_objs_live;

struct ghost_objs *ghost_objs_new(void);
void ghost_objs_free(struct ghost_objs *o);
int ghost_objs_id(struct ghost_objs *o, const void *key, bool *first);
u32 ghost_objs_find(struct ghost_objs *o, const void *key);
int ghost_objs_get(struct ghost_objs *o, u32 id,
		   int (*make)(void *arg, struct file **files), void *arg,
		   struct file **files);
int ghost_objs_get_nested(struct ghost_objs *o, u32 id,
			  int (*make)(void *arg, struct file **files),
			  void *arg, struct file **files);

#endif /* _KRG_GHOST_OBJS_H */
