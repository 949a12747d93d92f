// SPDX-License-Identifier: GPL-2.0
/*
 * The fs part of a ghost: umask, working directory and root, by path.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

/* The path of @p in @buf (PATH_MAX bytes), or NULL if it has none. */
static char *path_of(const struct path *p, char *buf)
{
	char *s = d_path(p, buf, PATH_MAX);

	return IS_ERR(s) || d_unlinked(p->dentry) ? NULL : s;
}

int ghost_export_fs(struct ghost_export *x)
{
	struct krg_img_fs img = { .umask = current_umask() };
	struct path pwd, root;
	char *buf, *sec, *cwd, *rt;
	int err = -ENOMEM;

	buf = kmalloc(2 * PATH_MAX, GFP_KERNEL);
	sec = kmalloc(sizeof(img) + 2 * PATH_MAX, GFP_KERNEL);
	if (!buf || !sec)
		goto out;
	get_fs_pwd(current->fs, &pwd);
	get_fs_root(current->fs, &root);
	cwd = path_of(&pwd, buf);
	rt = path_of(&root, buf + PATH_MAX);
	path_put(&pwd);
	path_put(&root);
	if (!cwd || !rt) {
		err = ghost_fail(x->msg, -EBUSY,
				 "its working directory or root is deleted");
		goto out;
	}
	img.cwd_len = strlen(cwd);
	img.root_len = strlen(rt);
	memcpy(sec, &img, sizeof(img));
	memcpy(sec + sizeof(img), cwd, img.cwd_len);
	memcpy(sec + sizeof(img) + img.cwd_len, rt, img.root_len);
	err = ghost_section_write(x->g, KRG_SEC_FS, sec,
				  sizeof(img) + img.cwd_len + img.root_len);
out:
	kfree(buf);
	kfree(sec);
	return err;
}

static int enter(const char *name, bool root)
{
	struct path p;
	int err;

	err = kern_path(name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	err = path_permission(&p, MAY_EXEC | MAY_CHDIR);
	if (!err && root && !ns_capable(current_user_ns(), CAP_SYS_CHROOT))
		err = -EPERM;
	if (!err) {
		if (root)
			set_fs_root(current->fs, &p);
		else
			set_fs_pwd(current->fs, &p);
	}
	path_put(&p);
	return err;
}

int ghost_import_fs(struct ghost_import *m)
{
	const struct krg_img_fs *img;
	char *cwd = NULL, *rt = NULL;
	int err;

	err = ghost_import_take(m, KRG_SEC_FS, sizeof(*img),
				sizeof(*img) + 2 * PATH_MAX);
	if (err)
		return err;
	img = m->data;
	if ((u64)sizeof(*img) + img->cwd_len + img->root_len != m->len ||
	    img->umask & ~0777)
		return ghost_fail(m->msg, -EINVAL, "bad fs section");
	cwd = ghost_path_dup(m->data + sizeof(*img), img->cwd_len);
	rt = ghost_path_dup(m->data + sizeof(*img) + img->cwd_len, img->root_len);
	err = -EINVAL;
	if (!cwd || !rt)
		goto out;
	/* The root first: the working directory is within it. */
	err = strcmp(rt, "/") ? enter(rt, true) : 0;
	if (!err)
		err = enter(cwd, false);
	if (!err)
		current->fs->umask = img->umask;
out:
	if (err)
		ghost_fail(m->msg, err, "cannot enter %s", cwd ?: "its directory");
	kfree(cwd);
	kfree(rt);
	return err;
}
