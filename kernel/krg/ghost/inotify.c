// SPDX-License-Identifier: GPL-2.0
/*
 * inotify instances in a ghost. A program knows its watches by their
 * descriptors, so each comes back under its own: the image keeps, for
 * each, the descriptor, the mask and the path of the watched file or
 * directory, and where the instance seeks its next descriptor (patch
 * 0016 reads and sets them). Restart adds each watch again through
 * inotify's own path, with its limits, once the restarting caller is
 * found allowed to read the file, as inotify_add_watch() asks.
 *
 * Events not read yet would be lost: such an instance is refused, as is
 * a watch on a file deleted since or out of the process's mounts.
 */
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/inotify.h>
#include <linux/krg_hooks.h>
#include <linux/namei.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <krg/ghost.h>
#include <krg/ghost_special.h>
#include <krg/ghost_task.h>

#define MAX_INOTIFY_WATCHES	8192
#define INOTIFY_STATE_MAX	(1 << 20)	/* files.c takes as much */

/* The path of watched @inode, in @buf; an error pointer if it has none. */
static char *watched_path(struct inode *inode, char *buf)
{
	struct dentry *dentry = d_find_any_alias(inode);
	struct path path;
	char *p;
	int err;

	if (!dentry)
		return ERR_PTR(-ENOENT);
	err = d_unlinked(dentry) ? -ENOENT : krg_path_of(dentry, &path);
	dput(dentry);
	if (err)
		return ERR_PTR(err);
	p = d_path(&path, buf, PATH_MAX);
	path_put(&path);
	return p;
}

/* Each watch after the header, in @state; the length, or an error. */
static int save_watches(struct ghost_export *x, struct krg_inotify_watch *w,
			int n, char *state, char *buf)
{
	struct krg_img_inotify_watch rec;
	int i, len = sizeof(struct krg_img_inotify);
	char *path;

	for (i = 0; i < n; i++) {
		path = watched_path(w[i].inode, buf);
		if (IS_ERR(path))
			return ghost_fail(x->msg, -EBUSY,
					  "an inotify watch (wd %d) on a file deleted or out of its mounts",
					  w[i].wd);
		rec = (struct krg_img_inotify_watch) {
			.wd = w[i].wd, .mask = w[i].mask,
			.path_len = strlen(path),
		};
		if (len + sizeof(rec) + rec.path_len > INOTIFY_STATE_MAX)
			return ghost_fail(x->msg, -EBUSY,
					  "an inotify instance whose paths take more than 1 MiB");
		memcpy(state + len, &rec, sizeof(rec));
		memcpy(state + len + sizeof(rec), path, rec.path_len);
		len += sizeof(rec) + rec.path_len;
	}
	return len;
}

/* Write the FILE_STATE section of inotify file @file. */
int ghost_inotify_export(struct ghost_export *x, struct file *file)
{
	struct krg_inotify_watch *w;
	struct krg_img_inotify *hdr;
	char *state, *buf;
	int n, i, len, cursor = 0;

	w = kvcalloc(MAX_INOTIFY_WATCHES, sizeof(*w), GFP_KERNEL);
	state = kvmalloc(INOTIFY_STATE_MAX, GFP_KERNEL);
	buf = __getname();
	n = w && state && buf ? krg_inotify_watches(file, w,
						    MAX_INOTIFY_WATCHES,
						    &cursor) : -ENOMEM;
	if (n == -EBUSY)
		len = ghost_fail(x->msg, -EBUSY,
				 "an inotify instance with events not read yet");
	else if (n == -E2BIG)
		len = ghost_fail(x->msg, -EBUSY,
				 "an inotify instance of more than %d watches",
				 MAX_INOTIFY_WATCHES);
	else
		len = n < 0 ? n : save_watches(x, w, n, state, buf);
	for (i = 0; i < n; i++)
		iput(w[i].inode);
	if (len >= 0) {
		hdr = (struct krg_img_inotify *)state;
		hdr->cursor = cursor;
		hdr->nwatches = n;
		len = ghost_section_write(x->g, KRG_SEC_FILE_STATE, state, len);
	}
	if (buf)
		__putname(buf);
	kvfree(state);
	kvfree(w);
	return min(len, 0);
}

/*
 * Watch the file at @name (@len bytes, absolute) through @file, as @wd
 * with @mask, if the caller may read it.
 */
static int add_watch(struct file *file, const char *name, u32 len, u32 mask,
		     int wd, char *buf)
{
	struct path path;
	int err;

	if (!len || len >= PATH_MAX || name[0] != '/' || memchr(name, 0, len))
		return -EINVAL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	err = kern_path(buf, 0, &path);
	if (err)
		return err;
	err = inode_permission(mnt_idmap(path.mnt), d_inode(path.dentry),
			       MAY_READ) ?:
	      security_path_notify(&path, mask, FSNOTIFY_OBJ_TYPE_INODE) ?:
	      krg_inotify_add(file, d_inode(path.dentry), mask, wd);
	path_put(&path);
	return err;
}

/*
 * Give new inotify file @file (whose reference is dropped, and *@file
 * cleared, on error) the watches of its FILE_STATE (@state, @len bytes).
 */
int ghost_inotify_fill(struct file **file, const void *state, u32 len)
{
	const struct krg_img_inotify *hdr = state;
	struct krg_img_inotify_watch rec;
	u32 at = sizeof(*hdr), i;
	char *buf = NULL;
	int err = 0;

	if (len < sizeof(*hdr) || hdr->nwatches > MAX_INOTIFY_WATCHES)
		err = -EINVAL;
	else
		buf = __getname();
	if (!err && !buf)
		err = -ENOMEM;
	for (i = 0; !err && i < hdr->nwatches; i++) {
		if (len - at < sizeof(rec)) {
			err = -EINVAL;
			break;
		}
		memcpy(&rec, state + at, sizeof(rec));
		at += sizeof(rec);
		if (len - at < rec.path_len) {
			err = -EINVAL;
			break;
		}
		err = add_watch(*file, state + at, rec.path_len, rec.mask,
				rec.wd, buf);
		at += rec.path_len;
	}
	if (!err && at != len)
		err = -EINVAL;
	if (!err)
		krg_inotify_set_cursor(*file, hdr->cursor);
	if (buf)
		__putname(buf);
	if (err) {
		fput(*file);
		*file = NULL;
	}
	return err;
}
