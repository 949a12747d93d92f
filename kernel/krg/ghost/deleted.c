// SPDX-License-Identifier: GPL-2.0
/*
 * Regular files deleted while open, in a ghost: their content is saved
 * once per file (an object of the tree, keyed by its inode), with the
 * first fd of it in the tree, and restart makes an unnamed file
 * (O_TMPFILE) in the same directory with that content. That file, open
 * read-write, is an object too: each open file of the deleted one (two
 * opens of it, read-only ones included) is opened again from it, so they
 * all share one file again.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <krg/ghost.h>
#include <krg/ghost_deleted.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_task.h>

#define PIECE		((1 << 20) - 4096)	/* a section stays below 1 MiB + a page header */
#define DELETED_MAX	(64 << 20)	/* bytes saved at most per file */

bool ghost_deleted_file(struct file *file)
{
	return S_ISREG(file_inode(file)->i_mode) &&
	       d_unlinked(file->f_path.dentry) &&
	       !(file->f_path.mnt->mnt_flags & MNT_INTERNAL);
}

/* The path a deleted file had: d_path() without " (deleted)". */
void ghost_deleted_path(char *path)
{
	size_t n = strlen(path), k = strlen(" (deleted)");

	if (n > k && !strcmp(path + n - k, " (deleted)"))
		path[n - k] = '\0';
}

int ghost_deleted_export(struct ghost_export *x, struct file *file, u32 obj)
{
	loff_t size = i_size_read(file_inode(file)), pos = 0;
	struct krg_img_file_data *d;
	struct file *f;
	ssize_t n;
	int err = 0;

	if (size > DELETED_MAX)
		return ghost_fail(x->msg, -EBUSY,
				  "a deleted file of %lld bytes is open", size);
	f = dentry_open(&file->f_path, O_RDONLY | O_LARGEFILE, current_cred());
	if (IS_ERR(f))
		return PTR_ERR(f);
	d = kvmalloc(sizeof(*d) + PIECE, GFP_KERNEL);
	if (!d) {
		fput(f);
		return -ENOMEM;
	}
	while (pos < size && !err) {
		d->obj = obj;
		d->pad = 0;
		d->offset = pos;
		n = kernel_read(f, d + 1, min_t(loff_t, PIECE, size - pos), &pos);
		if (n <= 0)
			break;	/* shorter than its size: the rest is a hole */
		err = ghost_section_write(x->g, KRG_SEC_FILE_DATA, d,
					  sizeof(*d) + n);
	}
	kvfree(d);
	fput(f);
	return err;
}

/* For ghost_objs_get(): an unnamed file where the deleted one was. */
static int make_unnamed(void *arg, struct file **files)
{
	char *dir = kstrdup(arg, GFP_KERNEL), *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	files[0] = filp_open(dir, O_TMPFILE | O_RDWR | O_LARGEFILE, 0600);
	kfree(dir);
	if (IS_ERR(files[0])) {
		int err = PTR_ERR(files[0]);

		files[0] = NULL;
		return err;
	}
	return 0;
}

/* May current open @f's inode again with @flags? As open() would check. */
static int may_reopen(struct file *f, unsigned int flags)
{
	int mask = MAY_OPEN;

	if (flags & O_PATH)
		return 0;
	if ((flags & O_ACCMODE) != O_WRONLY)
		mask |= MAY_READ;
	if ((flags & O_ACCMODE) != O_RDONLY)
		mask |= MAY_WRITE;
	if (flags & O_APPEND)
		mask |= MAY_APPEND;
	if ((flags & O_NOATIME) && !inode_owner_or_capable(file_mnt_idmap(f),
							     file_inode(f)))
		return -EPERM;
	return inode_permission(file_mnt_idmap(f), file_inode(f), mask);
}

/*
 * One open file of deleted file @id (which @path named): opened again from
 * the unnamed file that stands for it, with @flags, at @pos. Each reopen
 * is checked as an open of that file by current would be.
 */
int ghost_deleted_reopen(struct ghost_objs *objs, u32 id, const char *path,
			 unsigned int flags, loff_t pos, struct file **file)
{
	struct file *unnamed[2];
	int err;

	err = ghost_objs_get(objs, id, GHOST_OBJ_DELETED, make_unnamed,
			     (void *)path, unnamed);
	if (err)
		return err;
	flags &= O_ACCMODE | O_APPEND | O_NONBLOCK | O_LARGEFILE | O_NOATIME |
		 O_PATH;
	err = may_reopen(unnamed[0], flags);
	*file = err ? ERR_PTR(err) :
		dentry_open(&unnamed[0]->f_path, flags, current_cred());
	fput(unnamed[0]);
	if (IS_ERR(*file)) {
		err = PTR_ERR(*file);
		*file = NULL;
		return err;
	}
	if (pos && vfs_llseek(*file, pos, SEEK_SET) != pos) {
		fput(*file);
		*file = NULL;
		return -EINVAL;
	}
	return 0;
}

/* A FILE_DATA section, just taken: into the file it belongs to. */
int ghost_deleted_import_data(struct ghost_import *m)
{
	const struct krg_img_file_data *d = m->data;
	size_t len = m->len - sizeof(*d);
	struct file *files[2], *writer;
	loff_t pos = d->offset;
	ssize_t n;
	int err;

	if (len > PIECE || d->offset > DELETED_MAX - len)
		return ghost_fail(m->msg, -EINVAL, "bad deleted file data");
	/* Only into an unnamed file of ours, in pieces. */
	err = ghost_objs_content(m->objs, d->obj, GHOST_OBJ_DELETED, false,
				 files);
	if (err)
		return ghost_fail(m->msg, err, "data of an unknown file");
	writer = files[0];
	n = kernel_write(writer, d + 1, len, &pos);
	fput(writer);
	return n == len ? 0 : ghost_fail(m->msg, n < 0 ? n : -EIO,
					  "cannot refill a deleted file");
}
