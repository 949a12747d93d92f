// SPDX-License-Identifier: GPL-2.0
/*
 * Regular files deleted while open, and memfds, in a ghost: their content
 * is saved once per file (an object of the tree, keyed by its inode),
 * with the first fd or mapping of it in the tree, with its mode, owner,
 * size and (a memfd's) seals. Restart makes a file in the same directory
 * with that content, under the name it had if that is free (so /proc
 * shows the same "NAME (deleted)"), else an O_TMPFILE, or where the file
 * system has none (9p, say) a new name; for a memfd, a memfd of the same
 * name. That file, open read-write, is an object too: each open file of
 * the deleted one (two opens of it, read-only ones included) is opened
 * again from it, so they all share one file again; its name goes once
 * the restart is over (a file system such as 9p cannot open a file again
 * without it), and a memfd's seals come back then, once it is filled.
 *
 * The content is read through the open file itself when it can be read:
 * a file deleted on a network file system cannot be opened again by name.
 */
#include <linux/file.h>
#include <linux/fcntl.h>
#include <linux/memfd.h>
#include <linux/namei.h>
#include <linux/pid_namespace.h>
#include <linux/random.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <krg/ghost.h>
#include <krg/ghost_deleted.h>
#include <krg/ghost_fd.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_task.h>

#define PIECE		((1 << 20) - 4096)	/* a section stays below 1 MiB + a page header */
#define MEMFD_PREFIX	"memfd:"

/* A memfd (not a huge-page one): shmem, with the name memfd_create() gave. */
static bool memfd(struct file *file)
{
	return shmem_file(file) &&
	       (file->f_path.mnt->mnt_flags & MNT_INTERNAL) &&
	       !strncmp(file->f_path.dentry->d_name.name, MEMFD_PREFIX,
			strlen(MEMFD_PREFIX));
}

/* Is @s (a saved path) a memfd's name, "memfd:NAME", that restart takes? */
static bool memfd_name(const char *s)
{
	return !strncmp(s, MEMFD_PREFIX, strlen(MEMFD_PREFIX)) &&
	       strlen(s) <= NAME_MAX;
}

bool ghost_deleted_file(struct file *file)
{
	return memfd(file) ||
	       (S_ISREG(file_inode(file)->i_mode) &&
		d_unlinked(file->f_path.dentry) &&
		!(file->f_path.mnt->mnt_flags & MNT_INTERNAL));
}

/*
 * What names deleted file @file in an image, from its d_path() @path: the
 * path it had (without " (deleted)"), or a memfd's name.
 */
const char *ghost_deleted_path(struct file *file, char *path)
{
	size_t n = strlen(path), k = strlen(" (deleted)");

	if (memfd(file))
		return file->f_path.dentry->d_name.name;
	if (n > k && !strcmp(path + n - k, " (deleted)"))
		path[n - k] = '\0';
	return path;
}

/* A saved path of a deleted file, or a memfd's name: a copy, or NULL. */
char *ghost_deleted_path_dup(const char *s, u32 len)
{
	char *p = len < PATH_MAX && !memchr(s, '\0', len) ?
		  kmemdup_nul(s, len, GFP_KERNEL) : NULL;

	if (p && p[0] != '/' && !memfd_name(p)) {
		kfree(p);
		p = NULL;
	}
	return p;
}

/* Its mode, owner, size and seals, which come back with it. */
static void save_attrs(struct file *file, struct krg_img_file *img)
{
	struct inode *inode = file_inode(file);

	img->mode = inode->i_mode & S_IALLUGO;
	img->uid = from_kuid_munged(&init_user_ns, inode->i_uid);
	img->gid = from_kgid_munged(&init_user_ns, inode->i_gid);
	img->size = i_size_read(inode);
	img->seals = memfd(file) ? memfd_fcntl(file, F_GET_SEALS, 0) : 0;
}

/* A file to read @file's content through, with a reference. */
static struct file *reader(struct file *file)
{
	int err;

	if ((file->f_mode & FMODE_READ) && (file->f_mode & FMODE_PREAD))
		return get_file(file);
	/* Only what the process could read itself, as open() would check. */
	err = inode_permission(file_mnt_idmap(file), file_inode(file),
			       MAY_OPEN | MAY_READ);
	if (err)
		return ERR_PTR(err);
	return dentry_open(&file->f_path, O_RDONLY | O_LARGEFILE,
			   current_cred());
}

/* Save the content of @file, deleted, as object @obj; @what names it. */
int ghost_deleted_export(struct ghost_export *x, const char *what,
			 struct file *file, u32 obj)
{
	loff_t size = i_size_read(file_inode(file)), pos = 0;
	struct krg_img_file_data *d;
	struct file *f;
	ssize_t n;
	int err = 0;

	if (size > DELETED_MAX)
		return ghost_fail(x->msg, -EBUSY,
				  "%s: a deleted file of %lld bytes", what, size);
	f = reader(file);
	if (IS_ERR(f))
		return ghost_fail(x->msg, PTR_ERR(f),
				  "%s: cannot read its deleted file", what);
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

/* The restart is over: the name of a file that stands for a deleted one. */
static int unlink_name(void *arg, char *msg)
{
	struct file *f = arg;
	struct dentry *dentry = f->f_path.dentry, *parent;
	struct inode *dir;

	/*
	 * A reference of ours, as unlink()'s lookup has: the dentry stays
	 * the open file's, unhashed, not made negative under it.
	 */
	dget(dentry);
	parent = dget_parent(dentry);
	dir = d_inode(parent);
	if (!mnt_want_write(f->f_path.mnt)) {
		inode_lock_nested(dir, I_MUTEX_PARENT);
		if (dentry->d_parent == parent && !d_unlinked(dentry))
			vfs_unlink(file_mnt_idmap(f), dir, dentry, NULL);
		inode_unlock(dir);
		mnt_drop_write(f->f_path.mnt);
	}
	dput(parent);
	dput(dentry);
	fput(f);
	return 0;	/* a name that cannot go stays: the tree needs it not */
}

/* A new file named @path, unlinked when the restart is over. */
static struct file *named(struct ghost_objs *objs, const char *path)
{
	struct file *f = filp_open(path, O_CREAT | O_EXCL | O_RDWR |
				   O_NOFOLLOW | O_LARGEFILE, 0600);
	int err;

	if (IS_ERR(f))
		return f;
	/* Failing, it unlinks the name now: the restart cannot go on. */
	err = ghost_objs_at_end(objs, unlink_name, get_file(f));
	if (err) {
		fput(f);
		return ERR_PTR(err);
	}
	return f;
}

/*
 * A memfd named @name, as memfd_create() makes, sealing allowed for now;
 * where vm.memfd_noexec enforces it, never executable, as memfd_create()
 * would make it (a saved mode with exec bits then fails, EPERM).
 */
static struct file *new_memfd(const char *name)
{
	struct file *f = shmem_file_setup(name, 0, VM_NORESERVE);
	struct inode *inode;

	if (IS_ERR(f))
		return f;
	inode = file_inode(f);
	f->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	f->f_flags |= O_LARGEFILE;
	SHMEM_I(inode)->seals = 0;
	if (pidns_memfd_noexec_scope(task_active_pid_ns(current)) >=
	    MEMFD_NOEXEC_SCOPE_NOEXEC_ENFORCED) {
		inode->i_mode &= ~0111;
		SHMEM_I(inode)->seals = F_SEAL_EXEC;
	}
	return f;
}

/*
 * The file for a deleted one at @path: there if the name is free, else an
 * O_TMPFILE in its directory, else a new name there; or a memfd.
 */
static struct file *stand_in(struct ghost_objs *objs, const char *path)
{
	char *dir, *slash, *name;
	struct file *f;

	if (path[0] != '/')
		return new_memfd(path);
	dir = kstrdup(path, GFP_KERNEL);
	f = named(objs, path);

	if (!IS_ERR(f) || PTR_ERR(f) != -EEXIST || !dir) {
		kfree(dir);
		return f;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	f = filp_open(dir, O_TMPFILE | O_RDWR | O_LARGEFILE, 0600);
	if (PTR_ERR_OR_ZERO(f) == -EOPNOTSUPP || PTR_ERR_OR_ZERO(f) == -EISDIR) {
		name = kasprintf(GFP_KERNEL, "%s/.krg-deleted-%016llx", dir,
				 get_random_u64());
		f = name ? named(objs, name) : ERR_PTR(-ENOMEM);
		kfree(name);
	}
	kfree(dir);
	return f;
}

/*
 * Its owner, if not the restored process's: as chown() would allow, with
 * CAP_CHOWN, and as chown() does it (set-id bits go); else it stays the
 * restored process's own.
 */
static int set_owner(struct file *f, const struct krg_img_file *img)
{
	struct dentry *dentry = f->f_path.dentry;
	struct inode *inode = d_inode(dentry);
	struct mnt_idmap *idmap = file_mnt_idmap(f);
	struct iattr attr = {
		.ia_valid = ATTR_UID | ATTR_GID | ATTR_CTIME | ATTR_KILL_SUID |
			    ATTR_KILL_PRIV,
		.ia_uid = make_kuid(&init_user_ns, img->uid),
		.ia_gid = make_kgid(&init_user_ns, img->gid),
	};
	int err;

	if (!uid_valid(attr.ia_uid) || !gid_valid(attr.ia_gid))
		return -EINVAL;
	if (uid_eq(attr.ia_uid, inode->i_uid) &&
	    gid_eq(attr.ia_gid, inode->i_gid))
		return 0;
	if (!capable(CAP_CHOWN))
		return 0;
	err = security_path_chown(&f->f_path, attr.ia_uid, attr.ia_gid);
	if (err)
		return err;
	inode_lock(inode);
	attr.ia_valid |= setattr_should_drop_sgid(idmap, inode);
	err = notify_change(idmap, dentry, &attr, NULL);
	inode_unlock(inode);
	return err;
}

/*
 * Its size, owner and mode (setuid and setgid only if we may), as it was,
 * in the order in which its writer would have set them: the size while
 * the file is ours to write, the mode last, as chmod() sets it after a
 * chown().
 */
static int set_attrs(struct file *f, const struct krg_img_file *img)
{
	struct dentry *dentry = f->f_path.dentry;
	struct inode *inode = d_inode(dentry);
	umode_t mode = img->mode & S_IALLUGO;
	struct iattr attr = { .ia_valid = ATTR_MODE | ATTR_CTIME };
	int err;

	if (!capable(CAP_FSETID))
		mode &= ~(S_ISUID | S_ISGID);
	err = img->size != i_size_read(inode) ?
	      vfs_truncate(&f->f_path, img->size) : 0;
	if (!err)
		err = set_owner(f, img);
	if (err || (inode->i_mode & S_IALLUGO) == mode)
		return err;
	err = security_path_chmod(&f->f_path, mode);
	if (err)
		return err;
	inode_lock(inode);
	/* As chmod() does: the permission bits, the file's type kept. */
	attr.ia_mode = mode | (inode->i_mode & ~S_IALLUGO);
	err = notify_change(file_mnt_idmap(f), dentry, &attr, NULL);
	inode_unlock(inode);
	return err;
}

struct seal {
	struct file *memfd;
	unsigned int seals;
};

/*
 * The restart is over, the memfd filled: the seals it had, as F_ADD_SEALS
 * adds them (not over a writable shared mapping, not past F_SEAL_SEAL).
 */
static int add_seals(void *arg, char *msg)
{
	struct seal *s = arg;
	long had = memfd_fcntl(s->memfd, F_GET_SEALS, 0);
	long err = had < 0 ? had : 0;

	if (!err && (s->seals & ~had))
		err = memfd_fcntl(s->memfd, F_ADD_SEALS, s->seals & ~had);
	if (err)
		ghost_fail(msg, err, "cannot seal %s as it was",
			   s->memfd->f_path.dentry->d_name.name);
	fput(s->memfd);
	kfree(s);
	return err;
}

static int seal_at_end(struct ghost_objs *objs, struct file *memfd,
		       unsigned int seals)
{
	struct seal *s = kmalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return -ENOMEM;
	*s = (struct seal) { .memfd = get_file(memfd), .seals = seals };
	return ghost_objs_at_end(objs, add_seals, s);
}

struct unnamed {
	struct ghost_objs *objs;
	const char *path;
	const struct krg_img_file *img;
};

/* For ghost_objs_get(): the file that stands for the deleted one. */
static int make_unnamed(void *arg, struct file **files)
{
	const struct unnamed *u = arg;
	int err;

	files[0] = stand_in(u->objs, u->path);
	err = PTR_ERR_OR_ZERO(files[0]);
	if (!err)
		err = set_attrs(files[0], u->img);
	if (err && !IS_ERR(files[0]))
		fput(files[0]);
	if (err)
		files[0] = NULL;
	return err;
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
/*
 * The unnamed file standing for deleted file @id (which @path named),
 * made if new with @img's mode, owner and size: for a mapping of it.
 */
int ghost_deleted_object(struct ghost_objs *objs, u32 id, const char *path,
			 const struct krg_img_file *img, struct file **file)
{
	struct unnamed u = { .objs = objs, .path = path, .img = img };
	struct file *unnamed[2];
	int err;

	err = ghost_objs_get(objs, id, GHOST_OBJ_DELETED, make_unnamed, &u,
			     unnamed);
	*file = err ? NULL : unnamed[0];
	return err;
}

/* A DELETED fd: the file made once, opened again as open() would. */
static int make(struct ghost_fd_in *in, struct file **file)
{
	const struct krg_img_file *img = in->img;
	struct ghost_objs *objs = in->objs;
	struct unnamed u = { .objs = objs, .path = in->path, .img = img };
	unsigned int flags = img->flags;
	loff_t pos = img->pos;
	struct file *unnamed[2];
	int err;

	err = ghost_objs_get(objs, img->shared, GHOST_OBJ_DELETED, make_unnamed,
			     &u, unnamed);
	if (err)
		return err;
	/* A mapping may have made it, without them. */
	err = set_attrs(unnamed[0], img);
	if (!err && img->seals)
		err = seal_at_end(objs, unnamed[0], img->seals);
	if (err) {
		fput(unnamed[0]);
		return err;
	}
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

static int claim(struct ghost_export *x, struct ghost_fd_out *o)
{
	if (!ghost_deleted_file(o->file) || IS_ERR(o->dpath))
		return 0;
	o->img.kind = KRG_FILE_DELETED;
	o->path = ghost_deleted_path(o->file, o->dpath);
	save_attrs(o->file, &o->img);
	o->shared = file_inode(o->file);
	return 1;
}

/* Its content, once, with the first fd of it. */
static int export(struct ghost_export *x, struct ghost_fd_out *o)
{
	char what[16];

	if (!o->first_shared)
		return x->g->err;
	snprintf(what, sizeof(what), "fd %u", o->fd);
	return ghost_deleted_export(x, what, o->file, o->img.shared);
}

static bool bad(const struct krg_img_file *img)
{
	return img->mode & ~S_IALLUGO || img->size < 0 ||
	       img->seals & ~MEMFD_SEALS;
}

const struct ghost_fd_kind ghost_deleted_fds = {
	.name = "deleted file",
	.kinds = BIT(KRG_FILE_DELETED),
	.carries = GHOST_FD_SHARED | GHOST_FD_ATTRS,
	.claim = claim,
	.export = export,
	.bad = bad,
	.path_dup = ghost_deleted_path_dup,
	.make = make,
	.content = KRG_SEC_FILE_DATA,
	.content_min = sizeof(struct krg_img_file_data),
	.content_max = U32_MAX,
	.import_content = ghost_deleted_import_data,
};
