/* SPDX-License-Identifier: GPL-2.0 */
/* Regular files deleted while open, and memfds, in a ghost (ghost/deleted.c). */
#ifndef _KRG_GHOST_DELETED_H
#define _KRG_GHOST_DELETED_H

#include <linux/fcntl.h>
#include <linux/types.h>
#include <uapi/linux/krg_image.h>

#define DELETED_MAX	(64 << 20)	/* bytes saved at most per deleted file */
#define MEMFD_SEALS	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | \
			 F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

struct file;
struct ghost_export;
struct ghost_import;
struct ghost_objs;

bool ghost_deleted_file(struct file *file);
const char *ghost_deleted_path(struct file *file, char *path);
char *ghost_deleted_path_dup(const char *s, u32 len);
int ghost_deleted_export(struct ghost_export *x, const char *what,
			 struct file *file, u32 obj);
int ghost_deleted_object(struct ghost_objs *objs, u32 id, const char *path,
			 const struct krg_img_file *img, struct file **file);
int ghost_deleted_import_data(struct ghost_import *m);

#endif /* _KRG_GHOST_DELETED_H */
