// SPDX-License-Identifier: GPL-2.0
/*
 * Files reopened by path: regular files and directories that still have
 * their name, and the memory character devices (/dev/null, /dev/zero...).
 * Restart opens the path again with the saved flags, as the restarting
 * user, and seeks to the saved offset. An fd that no kind could save
 * (KRG_FILE_SUBSTITUTE, with KRG_CR_IGNORE_UNSUPPORTED) comes back the
 * same way, as /dev/null.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mount.h>
#include <krg/ghost_fd.h>

static bool mem_chardev(struct inode *inode)
{
	/* null, zero, full, random, urandom */
	return S_ISCHR(inode->i_mode) && MAJOR(inode->i_rdev) == 1 &&
	       (MINOR(inode->i_rdev) == 3 || MINOR(inode->i_rdev) == 5 ||
		(MINOR(inode->i_rdev) >= 7 && MINOR(inode->i_rdev) <= 9));
}

static int claim(struct ghost_export *x, struct ghost_fd_out *o)
{
	struct file *file = o->file;
	struct inode *inode = file_inode(file);

	if (d_unlinked(file->f_path.dentry) ||
	    (file->f_path.mnt->mnt_flags & MNT_INTERNAL) ||
	    !(S_ISREG(inode->i_mode) || S_ISDIR(inode->i_mode) ||
	      mem_chardev(inode)))
		return 0;
	o->img.kind = KRG_FILE_PATH;
	return 1;
}

static int make(struct ghost_fd_in *in, struct file **files)
{
	const struct krg_img_file *img = in->img;
	loff_t pos;
	int err;

	files[0] = filp_open(in->path, img->flags & ~FASYNC, 0);
	if (IS_ERR(files[0])) {
		err = PTR_ERR(files[0]);
		files[0] = NULL;
		return err;
	}
	if (img->pos && (files[0]->f_mode & FMODE_LSEEK)) {
		pos = vfs_llseek(files[0], img->pos, SEEK_SET);
		if (pos != img->pos) {
			fput(files[0]);
			files[0] = NULL;
			return pos < 0 ? pos : -EINVAL;
		}
	}
	return 0;
}

const struct ghost_fd_kind ghost_path_fds = {
	.name = "path",
	.kinds = BIT(KRG_FILE_PATH) | BIT(KRG_FILE_SUBSTITUTE),
	.carries = GHOST_FD_ABSOLUTE,
	.claim = claim,
	.make = make,
};
