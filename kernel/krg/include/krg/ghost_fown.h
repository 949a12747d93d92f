/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SIGIO owner, signal and O_ASYNC of an open file (ghost/fown.c).
 */
#ifndef _KRG_GHOST_FOWN_H
#define _KRG_GHOST_FOWN_H

#include <linux/types.h>
#include <uapi/linux/krg_image.h>

struct file;

int ghost_fown_save(struct file *file, struct krg_img_file *img);
bool ghost_fown_bad(const struct krg_img_file *img);
int ghost_fown_restore(struct file *file, unsigned int fd,
		       const struct krg_img_file *img);

#endif /* _KRG_GHOST_FOWN_H */
