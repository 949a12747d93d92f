// SPDX-License-Identifier: GPL-2.0
/*
 * The files of an image directory. A checkpoint writes each under a
 * temporary name (NAME.part) and puts them all in place only once all are
 * complete: a failed checkpoint leaves the image before it untouched, and
 * a process restarted from that image, which still loads its pages from
 * its file (ghost/lazy.c), keeps reading the file it was restarted from.
 *
 * In place, the tree file goes first and comes back last, so that an
 * image interrupted in between has no tree file: it is incomplete, not a
 * mix of two checkpoints. Every file is on stable storage before any is
 * put in place (ghost_file_sync()), and the directory is synced before
 * the checkpoint says it is done: a node crash right after leaves the new
 * image whole, and one during it leaves the old one whole, or none.
 *
 * Files are created anew (O_EXCL) and never through a symbolic link, and
 * a restart opens none through one. A restart trusts an image only if no
 * other user can write it: its writer would run as the restarting caller.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <krg/epm.h>
#include <krg/ghost.h>

#define PART	".part"

static void part_name(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s" PART, name);
}

static int unlink_in(const struct path *dir, const char *name)
{
	struct inode *inode = d_inode(dir->dentry);
	struct dentry *victim;
	int err;

	err = mnt_want_write(dir->mnt);
	if (err)
		return err;
	inode_lock_nested(inode, I_MUTEX_PARENT);
	victim = lookup_one_len(name, dir->dentry, strlen(name));
	err = PTR_ERR_OR_ZERO(victim);
	if (!err) {
		err = d_is_negative(victim) ? -ENOENT :
		      vfs_unlink(mnt_idmap(dir->mnt), inode, victim, NULL);
		dput(victim);
	}
	inode_unlock(inode);
	mnt_drop_write(dir->mnt);
	return err;
}

/* NAME.part in @dir, new (a stale one of a checkpoint cut short goes). */
struct file *krg_image_create(struct file *dir, const char *name)
{
	char part[KRG_IMAGE_NAME_MAX + sizeof(PART)];
	int err;

	part_name(part, sizeof(part), name);
	err = unlink_in(&dir->f_path, part);
	if (err && err != -ENOENT)
		return ERR_PTR(err);
	return file_open_root(&dir->f_path, part, O_WRONLY | O_CREAT | O_EXCL |
			      O_NOFOLLOW | O_LARGEFILE, 0600);
}

/*
 * Can no user but the caller (or root) write @f? Its owner is one of them
 * and only the owner has write permission (no group or other write bit;
 * with an ACL, that bit is its mask, which bounds every named entry).
 */
int krg_image_trusted(struct file *f, const char *name, char *msg)
{
	struct inode *inode = file_inode(f);

	if ((uid_eq(inode->i_uid, current_fsuid()) ||
	     uid_eq(inode->i_uid, GLOBAL_ROOT_UID)) &&
	    !(inode->i_mode & 0022))	/* group or other write */
		return 0;
	return krg_cr_fail(msg, -EPERM,
			   "%s can be written by another user: restart --trust to take it",
			   name);
}

/* Image file @name in @dir, for reading; checked unless @trust. */
struct file *krg_image_open(struct file *dir, const char *name, bool trust,
			    char *msg)
{
	struct file *f;
	int err;

	f = file_open_root(&dir->f_path, name,
			   O_RDONLY | O_NOFOLLOW | O_LARGEFILE, 0);
	if (IS_ERR(f)) {
		krg_cr_fail(msg, PTR_ERR(f), "cannot open %s of the image",
			    name);
		return f;
	}
	err = trust ? 0 : krg_image_trusted(f, name, msg);
	if (err) {
		fput(f);
		return ERR_PTR(err);
	}
	return f;
}

static int rename_in(const struct path *dir, const char *from, const char *to)
{
	struct dentry *d = dir->dentry, *old, *new;
	struct renamedata rd = {
		.old_mnt_idmap = mnt_idmap(dir->mnt),
		.old_dir = d_inode(d),
		.new_mnt_idmap = mnt_idmap(dir->mnt),
		.new_dir = d_inode(d),
	};
	int err;

	err = mnt_want_write(dir->mnt);
	if (err)
		return err;
	lock_rename(d, d);
	old = lookup_one_len(from, d, strlen(from));
	err = PTR_ERR_OR_ZERO(old);
	if (err)
		goto unlock;
	new = lookup_one_len(to, d, strlen(to));
	err = PTR_ERR_OR_ZERO(new);
	if (!err) {
		rd.old_dentry = old;
		rd.new_dentry = new;
		err = d_is_negative(old) ? -ENOENT : vfs_rename(&rd);
		dput(new);
	}
	dput(old);
unlock:
	unlock_rename(d, d);
	mnt_drop_write(dir->mnt);
	return err;
}

/* Its entries on stable storage; a file system without fsync has none. */
static int sync_dir(struct file *dir)
{
	int err = vfs_fsync(dir, 0);

	return err == -EINVAL ? 0 : err;
}

/* Put NAME.part of each of @names (the tree file first) in place. */
int krg_image_commit(struct file *dir, char (*names)[KRG_IMAGE_NAME_MAX],
		     unsigned int n, char *msg)
{
	char part[KRG_IMAGE_NAME_MAX + sizeof(PART)];
	unsigned int i;
	int err;

	err = unlink_in(&dir->f_path, names[0]);
	if (err && err != -ENOENT)
		return krg_cr_fail(msg, err, "cannot replace %s", names[0]);
	/* The old tree file is gone for good before anything replaces it. */
	err = sync_dir(dir);
	if (err)
		return krg_cr_fail(msg, err, "cannot sync the image directory");
	for (i = n; i-- > 0;) {
		part_name(part, sizeof(part), names[i]);
		err = rename_in(&dir->f_path, part, names[i]);
		if (err)
			return krg_cr_fail(msg, err, "cannot rename %s", part);
	}
	err = sync_dir(dir);
	return err ? krg_cr_fail(msg, err, "cannot sync the image directory") :
		     0;
}

/* A checkpoint failed: the NAME.part of each of @names goes. */
void krg_image_discard(struct file *dir, char (*names)[KRG_IMAGE_NAME_MAX],
		       unsigned int n)
{
	char part[KRG_IMAGE_NAME_MAX + sizeof(PART)];
	unsigned int i;

	for (i = 0; i < n; i++) {
		part_name(part, sizeof(part), names[i]);
		unlink_in(&dir->f_path, part);
	}
}
