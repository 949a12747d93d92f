/* SPDX-License-Identifier: GPL-2.0 */
/* eventfd, timerfd, signalfd, epoll and inotify files in a ghost. */
#ifndef _KRG_GHOST_SPECIAL_H
#define _KRG_GHOST_SPECIAL_H

#include <linux/types.h>
#include <uapi/linux/krg_image.h>

struct file;
struct ghost_export;
struct ghost_objs;

int ghost_special_watch(struct ghost_objs *objs, int epfd,
			const struct krg_img_epoll_watch *w, unsigned int n);

/* inotify instances (ghost/inotify.c). */
int ghost_inotify_export(struct ghost_export *x, struct file *file);
int ghost_inotify_fill(struct file **file, const void *state, u32 len);

#endif /* _KRG_GHOST_SPECIAL_H */
