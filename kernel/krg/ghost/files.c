// SPDX-License-Identifier: GPL-2.0
/*
 * The files part of a ghost: one section per open fd. Regular files,
 * directories and the memory character devices (/dev/null, /dev/zero...)
 * are reopened by path with their flags, offset and FD_CLOEXEC. Anything
 * else refuses the checkpoint (EBUSY), or with KRG_CR_IGNORE_UNSUPPORTED
 * is replaced by /dev/null, and the log says so.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <uapi/linux/krg_netlink.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

/* Open flags that reopening by path keeps. */
#define REOPEN_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | \
			 O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOATIME | \
			 __O_SYNC | O_PATH)

static bool mem_chardev(struct inode *inode)
{
	/* null, zero, full, random, urandom */
	return S_ISCHR(inode->i_mode) && MAJOR(inode->i_rdev) == 1 &&
	       (MINOR(inode->i_rdev) == 3 || MINOR(inode->i_rdev) == 5 ||
		(MINOR(inode->i_rdev) >= 7 && MINOR(inode->i_rdev) <= 9));
}

static bool by_path(struct file *file)
{
	struct inode *inode = file_inode(file);

	if (d_unlinked(file->f_path.dentry) ||
	    (file->f_path.mnt->mnt_flags & MNT_INTERNAL))
		return false;
	return S_ISREG(inode->i_mode) || S_ISDIR(inode->i_mode) ||
	       mem_chardev(inode);
}

static int export_one(struct ghost_export *x, unsigned int fd,
		      struct file *file, bool cloexec, char *buf)
{
	struct krg_img_file img = {
		.fd = fd,
		.kind = KRG_FILE_PATH,
		.flags = file->f_flags & REOPEN_FLAGS,
		.cloexec = cloexec,
		.pos = file->f_pos,
	};
	char *path = d_path(&file->f_path, buf + sizeof(img), PATH_MAX);

	if (IS_ERR(path))
		path = "?";
	if (!by_path(file)) {
		if (!(x->flags & KRG_CR_IGNORE_UNSUPPORTED))
			return ghost_fail(x->msg, -EBUSY,
					  "fd %u (%s) cannot be checkpointed",
					  fd, path);
		pr_info("krg: pid %d: fd %u (%s) will restart as /dev/null\n",
			task_pid_vnr(current), fd, path);
		x->substituted++;
		img.kind = KRG_FILE_SUBSTITUTE;
		img.flags &= O_ACCMODE;
		img.pos = 0;
		path = "/dev/null";
	}
	img.path_len = strlen(path);
	memcpy(buf, &img, sizeof(img));
	memmove(buf + sizeof(img), path, img.path_len);
	return ghost_section_write(x->g, KRG_SEC_FILE, buf,
				   sizeof(img) + img.path_len);
}

int ghost_export_files(struct ghost_export *x)
{
	unsigned int fd = 0;
	struct file *file;
	bool cloexec;
	char *buf;
	int err = 0;

	buf = kmalloc(sizeof(struct krg_img_file) + PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (;; fd++) {
		rcu_read_lock();
		file = task_lookup_next_fdget_rcu(current, &fd);
		cloexec = file && close_on_exec(fd, current->files);
		rcu_read_unlock();
		if (!file)
			break;
		err = export_one(x, fd, file, cloexec, buf);
		fput(file);
		if (err)
			break;
	}
	kfree(buf);
	return err;
}

static int import_one(struct ghost_import *m, const struct krg_img_file *img,
		      const char *path)
{
	struct file *file;
	loff_t pos;
	int err;

	file = filp_open(path, img->flags, 0);
	if (IS_ERR(file))
		return ghost_fail(m->msg, PTR_ERR(file),
				  "cannot reopen fd %u (%s)", img->fd, path);
	if (img->pos && (file->f_mode & FMODE_LSEEK)) {
		pos = vfs_llseek(file, img->pos, SEEK_SET);
		if (pos != img->pos) {
			fput(file);
			return ghost_fail(m->msg, pos < 0 ? pos : -EINVAL,
					  "cannot seek fd %u to %lld", img->fd,
					  img->pos);
		}
	}
	err = replace_fd(img->fd, file, img->cloexec ? O_CLOEXEC : 0);
	fput(file);
	return err < 0 ? ghost_fail(m->msg, err, "cannot install fd %u",
				    img->fd) : 0;
}

int ghost_import_files(struct ghost_import *m)
{
	unsigned long nofile = rlimit(RLIMIT_NOFILE);
	const struct krg_img_file *img;
	long next_fd = 0;
	char *path;
	u16 type;
	int err;

	while (!(err = ghost_import_peek(m, &type)) && type == KRG_SEC_FILE) {
		err = ghost_import_take(m, KRG_SEC_FILE, sizeof(*img),
					sizeof(*img) + PATH_MAX);
		if (err)
			return err;
		img = m->data;
		if (img->fd < next_fd || img->fd >= nofile ||
		    img->fd >= sysctl_nr_open)
			return ghost_fail(m->msg, -EINVAL,
					  "fd %u out of order or range", img->fd);
		if (m->len != sizeof(*img) + img->path_len ||
		    (img->flags & ~REOPEN_FLAGS) || img->cloexec > 1 ||
		    (img->kind != KRG_FILE_PATH &&
		     img->kind != KRG_FILE_SUBSTITUTE) || img->pos < 0 ||
		    !img->path_len || img->path_len >= PATH_MAX)
			return ghost_fail(m->msg, -EINVAL, "bad fd %u", img->fd);
		path = kmemdup_nul(m->data + sizeof(*img), img->path_len,
				   GFP_KERNEL);
		if (!path)
			return -ENOMEM;
		err = strlen(path) == img->path_len && path[0] == '/' ?
		      import_one(m, img, path) :
		      ghost_fail(m->msg, -EINVAL, "bad path of fd %u", img->fd);
		kfree(path);
		if (err)
			return err;
		next_fd = img->fd + 1;
	}
	return err;
}
