/* SPDX-License-Identifier: GPL-2.0 */
/* Pipes and FIFOs in a ghost (ghost/pipe.c), for the files part. */
#ifndef _KRG_GHOST_PIPE_H
#define _KRG_GHOST_PIPE_H

#include <linux/types.h>

struct file;
struct pipe_inode_info;

struct pipe_inode_info *ghost_pipe_of(struct file *file);
bool ghost_pipe_named(struct file *file);

#endif /* _KRG_GHOST_PIPE_H */
