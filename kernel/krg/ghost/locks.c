// SPDX-License-Identifier: GPL-2.0
/*
 * The file locks part of a ghost, per process, after its files: the
 * flock() locks of its open files, its POSIX record locks (fcntl F_SETLK,
 * lockf()) and its open file description locks (F_OFD_SETLK), each with
 * an fd that reaches the file. Restart takes each back without waiting;
 * one held meanwhile by another process fails the restart. A lease
 * (F_SETLEASE) refuses the checkpoint.
 *
 * A lock shared by several fds or processes (a dup()ed or inherited file)
 * is saved once per fd: taking it again is a no-op.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/filelock.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

#define MAX_LOCKS	1024

struct saved_locks {
	struct krg_img_lock *img;
	u32 n;
};

static int add(struct saved_locks *l, unsigned int fd, u32 kind,
	       struct file_lock *fl)
{
	if (l->n == MAX_LOCKS)
		return -E2BIG;
	l->img[l->n++] = (struct krg_img_lock) {
		.fd = fd, .kind = kind, .write = lock_is_write(fl),
		.start = fl->fl_start, .end = fl->fl_end,
	};
	return 0;
}

/* The locks current holds on @file, through @fd; under flc_lock. */
static int locks_on(struct file_lock_context *ctx, struct file *file,
		    unsigned int fd, struct saved_locks *l)
{
	struct file_lock_core *lease;
	struct file_lock *fl;
	int err = 0;

	list_for_each_entry(lease, &ctx->flc_lease, flc_list)
		if (lease->flc_file == file)
			return -EPERM;
	for_each_file_lock(fl, &ctx->flc_flock)
		if (fl->c.flc_file == file && !err)
			err = add(l, fd, KRG_LOCK_FLOCK, fl);
	for_each_file_lock(fl, &ctx->flc_posix) {
		if (err)
			break;
		if (fl->c.flc_flags & FL_OFDLCK) {
			if (fl->c.flc_file == file)
				err = add(l, fd, KRG_LOCK_OFD, fl);
		} else if (fl->c.flc_owner == file) {
			/* A flock() some filesystems keep as POSIX (9p). */
			err = add(l, fd, KRG_LOCK_FLOCK, fl);
		} else if (fl->c.flc_owner == current->files) {
			err = add(l, fd, KRG_LOCK_POSIX, fl);
		}
	}
	return err;
}

int ghost_export_locks(struct ghost_export *x)
{
	struct saved_locks l = {};
	struct file_lock_context *ctx;
	unsigned int fd;
	struct file *file;
	int err = 0;

	l.img = kvcalloc(MAX_LOCKS, sizeof(*l.img), GFP_KERNEL);
	if (!l.img)
		return -ENOMEM;
	for (fd = 0; !err; fd++) {
		rcu_read_lock();
		file = task_lookup_next_fdget_rcu(current, &fd);
		rcu_read_unlock();
		if (!file)
			break;
		ctx = locks_inode_context(file_inode(file));
		if (ctx) {
			spin_lock(&ctx->flc_lock);
			err = locks_on(ctx, file, fd, &l);
			spin_unlock(&ctx->flc_lock);
		}
		fput(file);
		if (err)
			err = ghost_fail(x->msg, -EBUSY, "fd %u: %s", fd,
					 err == -EPERM ? "a lease" :
					 "more than 1024 file locks");
	}
	if (!err)
		err = ghost_section_write(x->g, KRG_SEC_LOCKS, l.img,
					  l.n * sizeof(*l.img));
	kvfree(l.img);
	return err;
}

static bool bad_lock(const struct krg_img_lock *img)
{
	return img->kind < KRG_LOCK_FLOCK || img->kind > KRG_LOCK_OFD ||
	       img->write > 1 || img->start < 0 || img->end < img->start ||
	       (img->kind == KRG_LOCK_FLOCK &&
		(img->start || img->end != OFFSET_MAX));
}

/* May @img be taken on @file? What flock() and fcntl() check. */
static int may_lock(struct file *file, const struct krg_img_lock *img)
{
	fmode_t need = img->kind == KRG_LOCK_FLOCK ? FMODE_READ | FMODE_WRITE :
		       img->write ? FMODE_WRITE : FMODE_READ;

	if (!(file->f_mode & need))
		return -EBADF;
	return security_file_lock(file, img->write ? F_WRLCK : F_RDLCK);
}

/* Take @img back on @file, as flock() or fcntl(F_SETLK) would. */
static int take(struct file *file, const struct krg_img_lock *img)
{
	struct file_lock *fl;
	int err;

	err = may_lock(file, img);
	if (err)
		return err;
	fl = locks_alloc_lock();
	if (!fl)
		return -ENOMEM;
	fl->c.flc_file = file;
	fl->c.flc_pid = current->tgid;
	fl->c.flc_type = img->write ? F_WRLCK : F_RDLCK;
	fl->fl_start = img->start;
	fl->fl_end = img->end;
	if (img->kind == KRG_LOCK_FLOCK) {
		fl->c.flc_flags = FL_FLOCK;
		fl->c.flc_owner = file;
		err = file->f_op->flock ?
		      file->f_op->flock(file, F_SETLK, fl) :
		      locks_lock_file_wait(file, fl);
	} else {
		fl->c.flc_flags = FL_POSIX;
		fl->c.flc_owner = current->files;
		if (img->kind == KRG_LOCK_OFD) {
			fl->c.flc_flags |= FL_OFDLCK;
			fl->c.flc_owner = file;
		}
		err = vfs_lock_file(file, F_SETLK, fl, NULL);
	}
	locks_free_lock(fl);
	return err;
}

int ghost_import_locks(struct ghost_import *m)
{
	const struct krg_img_lock *img;
	struct file *file;
	u32 i, n;
	int err;

	err = ghost_import_take_array(m, KRG_SEC_LOCKS, sizeof(*img), MAX_LOCKS,
				      &n);
	if (err)
		return err;
	img = m->data;
	for (i = 0; i < n; i++) {
		if (bad_lock(&img[i]))
			return ghost_fail(m->msg, -EINVAL, "bad lock on fd %u",
					  img[i].fd);
		file = fget(img[i].fd);
		if (!file)
			return ghost_fail(m->msg, -EBADF, "lock on fd %u, not open",
					  img[i].fd);
		err = take(file, &img[i]);
		fput(file);
		if (err)
			return ghost_fail(m->msg, err,
					  "cannot take back its lock on fd %u",
					  img[i].fd);
	}
	return 0;
}
