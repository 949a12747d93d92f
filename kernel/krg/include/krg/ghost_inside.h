/* SPDX-License-Identifier: GPL-2.0 */
/* The channels with all their ends in a checkpointed tree (ghost/inside.c). */
#ifndef _KRG_GHOST_INSIDE_H
#define _KRG_GHOST_INSIDE_H

struct ghost_objs;
struct task_struct;

int ghost_inside(struct task_struct **tasks, unsigned int n,
		 struct ghost_objs *inside);

#endif /* _KRG_GHOST_INSIDE_H */
