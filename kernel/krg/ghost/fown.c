// SPDX-License-Identifier: GPL-2.0
/*
 * Who an open file signals when I/O is possible: its owner (F_SETOWN,
 * F_SETOWN_EX: a thread, a process or a process group, by cluster PID),
 * the signal (F_SETSIG) and O_ASYNC. Restart sets them again as fcntl()
 * would, the owner found by its cluster PID.
 */
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/signal.h>
#include <krg/ghost.h>
#include <krg/ghost_fown.h>
#include <krg/pid.h>

/* pid_type and the F_OWNER_* numbers of the image. */
static const enum pid_type types[] = {
	[F_OWNER_TID] = PIDTYPE_PID,
	[F_OWNER_PID] = PIDTYPE_TGID,
	[F_OWNER_PGRP] = PIDTYPE_PGID,
};

/* Return: 0, or -ESRCH if the owner is not in the cluster namespace. */
int ghost_fown_save(struct file *file, struct krg_img_file *img)
{
	struct fown_struct *f = file_f_owner(file);
	unsigned int i;
	pid_t nr = 0;

	if (!f)
		return 0;
	read_lock_irq(&f->lock);
	if (f->pid) {
		nr = pid_nr_ns(f->pid, krg_pid_ns());
		for (i = 0; i < ARRAY_SIZE(types); i++)
			if (types[i] == f->pid_type)
				img->owner_type = i;
	}
	img->owner = nr;
	img->signum = f->signum;
	read_unlock_irq(&f->lock);
	return f->pid && !nr ? -ESRCH : 0;
}

bool ghost_fown_bad(const struct krg_img_file *img)
{
	return img->owner < 0 || img->owner_type >= ARRAY_SIZE(types) ||
	       (!img->owner && img->owner_type) || img->signum < 0 ||
	       !valid_signal(img->signum);
}

/* On @file, made again for fd @fd of current. */
int ghost_fown_restore(struct file *file, unsigned int fd,
		       const struct krg_img_file *img)
{
	struct pid *pid = NULL;
	int err = 0;

	if (img->owner || img->signum) {
		err = file_f_owner_allocate(file);
		if (err)
			return err;
	}
	if (img->owner) {
		rcu_read_lock();
		pid = get_pid(find_vpid(img->owner));
		rcu_read_unlock();
		if (!pid)
			return -ESRCH;
		__f_setown(file, pid, types[img->owner_type], 1);
		put_pid(pid);
	}
	if (img->signum)
		file_f_owner(file)->signum = img->signum;
	if ((img->flags & FASYNC) && file->f_op->fasync) {
		err = file->f_op->fasync(fd, file, 1);
		if (err < 0)
			return err;
	}
	if (img->flags & FASYNC)
		file->f_flags |= FASYNC;
	return 0;
}
