/* SPDX-License-Identifier: GPL-2.0 */
/* Pipes and FIFOs in a ghost (ghost/pipe.c), for the files part. */
#ifndef _KRG_GHOST_PIPE_H
#define _KRG_GHOST_PIPE_H

#include <linux/types.h>

struct file;
struct ghost_export;
struct ghost_import;
struct ghost_objs;
struct pipe_inode_info;

struct pipe_inode_info *ghost_pipe_of(struct file *file);
bool ghost_pipe_named(struct file *file);
int ghost_pipe_export_data(struct ghost_export *x,
			   struct pipe_inode_info *pipe, u32 id);
int ghost_pipe_make(void *unused, struct file **files);
int ghost_fifo_make(void *path, struct file **files);
int ghost_pipe_import_data(struct ghost_import *m);

#endif /* _KRG_GHOST_PIPE_H */
