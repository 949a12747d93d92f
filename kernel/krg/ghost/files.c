// SPDX-License-Identifier: GPL-2.0
/*
 * The files part of a ghost: one section per open fd. Regular files,
 * directories and the memory character devices (/dev/null, /dev/zero...)
 * are reopened by path with their flags, offset and FD_CLOEXEC; pipes,
 * FIFOs and unix socket pairs whose ends are all in the tree are made
 * again, with their data;
 * eventfd, timerfd, signalfd and epoll files with their state; files
 * deleted while open with their content. Each
 * open file is an object of the image, so fds sharing one file (dup(),
 * inherited) share it again. Anything else refuses the checkpoint
 * (EBUSY), or with KRG_CR_IGNORE_UNSUPPORTED is replaced by /dev/null,
 * and the log says so.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <uapi/linux/krg_netlink.h>
#include <krg/ghost.h>
#include <krg/ghost_deleted.h>
#include <krg/ghost_fown.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_pipe.h>
#include <krg/ghost_special.h>
#include <krg/ghost_task.h>
#include <krg/ghost_unix.h>
#include <krg/ghost_what.h>

/* The largest FILE_STATE: an epoll set's watches. */
#define STATE_MAX	(1 << 20)	/* an inotify instance's, at most */

/* Open flags that reopening keeps (FASYNC: set as fcntl() sets it). */
#define REOPEN_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | \
			 O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOATIME | \
			 __O_SYNC | O_PATH | FASYNC)

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
	struct pipe_inode_info *pipe = ghost_pipe_of(file);
	struct krg_img_file img = {
		.fd = fd,
		.kind = KRG_FILE_PATH,
		.flags = file->f_flags & REOPEN_FLAGS,
		.cloexec = cloexec,
		.pos = file->f_pos,
	};
	char *dpath = d_path(&file->f_path, buf + sizeof(img), PATH_MAX);
	const char *path = dpath;
	int special = ghost_special_kind(file);
	struct sock *sk = ghost_unix_of(file);
	/* What its opens share (pipe, pair, deleted file): saved once. */
	const void *shared = NULL;
	bool first_shared = false, first_file;
	const void *key = NULL;
	unsigned int end = 0;
	int id;

	if (IS_ERR(dpath))
		path = "?";
	if (special) {
		img.kind = special;
		img.pos = 0;
	} else if (pipe && ghost_objs_find(x->inside, pipe) &&
		   !d_unlinked(file->f_path.dentry)) {
		img.kind = ghost_pipe_named(file) ? KRG_FILE_FIFO :
						    KRG_FILE_PIPE;
		img.pos = 0;
		shared = pipe;
	} else if (sk && ghost_objs_find(x->inside, sk)) {
		key = ghost_unix_pair_key(sk, &end);
		if (!key)
			return -EAGAIN;	/* cannot be: the tree is frozen */
		img.kind = KRG_FILE_UNIX;
		img.pos = 0;
		shared = key;
	} else if (ghost_deleted_file(file) && !IS_ERR(dpath)) {
		img.kind = KRG_FILE_DELETED;
		path = ghost_deleted_path(file, dpath);
		ghost_deleted_attrs(file, &img);
		shared = file_inode(file);
	} else if (!by_path(file)) {
		if (!(x->flags & KRG_CR_IGNORE_UNSUPPORTED))
			return ghost_fail(x->msg, -EBUSY,
					  "fd %u (%s): %s cannot be checkpointed",
					  fd, path, ghost_what(file));
		pr_info("krg: pid %d: fd %u (%s) will restart as /dev/null\n",
			task_pid_vnr(current), fd, path);
		x->substituted++;
		img.kind = KRG_FILE_SUBSTITUTE;
		img.flags &= O_ACCMODE;
		img.pos = 0;
		path = "/dev/null";
	}
	if (ghost_fown_save(file, &img))
		return ghost_fail(x->msg, -EBUSY,
				  "fd %u (%s): its SIGIO owner is not in the cluster",
				  fd, path);
	if (shared) {
		id = ghost_objs_id(x->objs, shared, &first_shared);
		if (id < 0)
			return id;
		img.shared = id;
	}
	id = ghost_objs_id(x->objs, file, &first_file);
	if (id < 0)
		return id;
	img.obj = id;
	img.path_len = strlen(path);
	memcpy(buf, &img, sizeof(img));
	memmove(buf + sizeof(img), path, img.path_len);
	ghost_section_write(x->g, KRG_SEC_FILE, buf, sizeof(img) + img.path_len);
	if (special)
		return ghost_special_export(x, file, special);
	if (img.kind == KRG_FILE_UNIX)
		return ghost_unix_export(x, fd, key, end, img.shared, first_shared);
	if (img.kind == KRG_FILE_DELETED && first_shared) {
		snprintf(buf, 16, "fd %u", fd);
		return ghost_deleted_export(x, buf, file, img.shared);
	}
	if (img.kind == KRG_FILE_DELETED)
		return x->g->err;
	return first_shared ? ghost_pipe_export_data(x, pipe, img.shared) :
			      x->g->err;
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

struct reopen {
	const struct krg_img_file *img;
	const char *path;
	struct ghost_objs *objs;
	const void *state;	/* FILE_STATE: special file, socket */
	u32 state_len;
	bool made;		/* by us: an epoll set then needs its watches */
};

static bool special(u32 kind)
{
	return (kind >= KRG_FILE_EVENTFD && kind <= KRG_FILE_EPOLL) ||
	       kind == KRG_FILE_INOTIFY;
}

/*
 * A FIFO: once both ends of it are open (in the table till the restart
 * ends), no open of it waits.
 */
static int reopen_fifo(struct reopen *r, struct file **files)
{
	const struct krg_img_file *img = r->img;
	struct file *ends[2];
	int err;

	err = ghost_objs_get(r->objs, img->shared, GHOST_OBJ_FIFO,
			     ghost_fifo_make, (void *)r->path, ends);
	if (err)
		return err;
	files[0] = filp_open(r->path, img->flags | O_NONBLOCK, 0);
	if (IS_ERR(files[0]))
		err = PTR_ERR(files[0]);
	else if (ghost_pipe_of(files[0]) != ghost_pipe_of(ends[0]))
		err = -EINVAL;			/* not this FIFO any more */
	else if (!(img->flags & O_NONBLOCK))
		files[0]->f_flags &= ~O_NONBLOCK;
	if (err && !IS_ERR(files[0]))
		fput(files[0]);
	if (err)
		files[0] = NULL;
	fput(ends[0]);
	fput(ends[1]);
	return err;
}

/* The open file of a FILE section, made anew, by its kind. */
static int make_file(struct reopen *r, struct file **files)
{
	const struct krg_img_file *img = r->img;
	struct file *ends[2];
	unsigned int end;
	loff_t pos;
	int err;

	if (img->kind == KRG_FILE_DELETED)
		return ghost_deleted_reopen(r->objs, img, r->path, files);
	if (special(img->kind)) {
		err = ghost_special_make(img->kind, img->flags, r->state,
					 r->state_len, files);
		r->made = !err;
		return err;
	}
	if (img->kind == KRG_FILE_UNIX) {
		err = ghost_unix_reopen(r->objs, img->shared, r->state,
					r->state_len, files);
		if (!err)
			files[0]->f_flags |= img->flags & O_NONBLOCK;
		return err;
	}
	if (img->kind == KRG_FILE_FIFO)
		return reopen_fifo(r, files);
	if (img->kind == KRG_FILE_PIPE) {
		err = ghost_objs_get(r->objs, img->shared, GHOST_OBJ_PIPE,
				     ghost_pipe_make, NULL, ends);
		if (err)
			return err;
		/* The end this file is; the other goes back to the pipe. */
		end = (img->flags & O_ACCMODE) != O_RDONLY;
		files[0] = ends[end];
		fput(ends[!end]);
		files[0]->f_flags |= img->flags & O_NONBLOCK;
		return 0;
	}
	files[0] = filp_open(r->path, img->flags & ~FASYNC, 0);
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

/* For ghost_objs_get(): made anew, with who it signals. */
static int reopen(void *arg, struct file **files)
{
	struct reopen *r = arg;
	int err = make_file(r, files);

	if (!err)
		err = ghost_fown_restore(files[0], r->img->fd, r->img);
	if (err && files[0]) {
		fput(files[0]);
		files[0] = NULL;
	}
	return err;
}

struct watches {
	int epfd;
	void *w;
	unsigned int n;
};

static int import_one(struct ghost_import *m, struct reopen *r,
		      struct watches *later)
{
	const struct krg_img_file *img = r->img;
	struct file *files[2];
	int err;

	err = ghost_objs_get(m->objs, img->obj, GHOST_OBJ_FILE, reopen, r,
			     files);
	if (err)
		return ghost_fail(m->msg, err, "cannot reopen fd %u (%s)",
				  img->fd, r->path);
	err = replace_fd(img->fd, files[0], img->cloexec ? O_CLOEXEC : 0);
	fput(files[0]);
	if (err < 0)
		return ghost_fail(m->msg, err, "cannot install fd %u", img->fd);
	if (img->kind == KRG_FILE_EPOLL && r->made && r->state_len) {
		later->w = kvmemdup(r->state, r->state_len, GFP_KERNEL);
		if (!later->w)
			return -ENOMEM;
		later->epfd = img->fd;
		later->n = r->state_len / sizeof(struct krg_img_epoll_watch);
	}
	return 0;
}

/* After every fd is in place: the watches of the epoll sets made. */
static int add_watches(struct ghost_import *m, struct watches *w,
		       unsigned int n)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < n; i++) {
		if (!err)
			err = ghost_special_watch(m->objs, w[i].epfd, w[i].w,
						  w[i].n);
		if (err && !m->msg[0])
			ghost_fail(m->msg, err, "cannot restore epoll fd %d",
				   w[i].epfd);
		kvfree(w[i].w);
	}
	kfree(w);
	return err;
}

static bool bad_file(const struct krg_img_file *img, u32 len)
{
	return len != sizeof(*img) + img->path_len || ghost_fown_bad(img) ||
	       (img->kind == KRG_FILE_DELETED ?
		img->mode & ~S_IALLUGO || img->size < 0 ||
		img->seals & ~MEMFD_SEALS :
		img->mode || img->uid || img->gid || img->size || img->seals) ||
	       (img->flags & ~REOPEN_FLAGS) || img->cloexec > 1 ||
	       img->kind < KRG_FILE_PATH || img->kind > KRG_FILE_INOTIFY ||
	       (img->kind == KRG_FILE_PIPE || img->kind == KRG_FILE_UNIX ||
		img->kind == KRG_FILE_FIFO ||
		img->kind == KRG_FILE_DELETED) != !!img->shared ||
	       img->pos < 0 || !img->path_len || img->path_len >= PATH_MAX;
}

/* The sections that give a file made by an earlier fd its content. */
static const struct content {
	u16 type;
	u32 min, max;
	int (*import)(struct ghost_import *m);
} contents[] = {
	{ KRG_SEC_PIPE_DATA, sizeof(struct krg_img_pipe_data), U32_MAX,
	  ghost_pipe_import_data },
	{ KRG_SEC_FILE_DATA, sizeof(struct krg_img_file_data), U32_MAX,
	  ghost_deleted_import_data },
	{ KRG_SEC_UNIX_PAIR, sizeof(struct krg_img_unix_pair),
	  GHOST_UNIX_PAIR_MAX, ghost_unix_import_pair },
};

static const struct content *content_of(u16 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(contents); i++)
		if (contents[i].type == type)
			return &contents[i];
	return NULL;
}

static int import_content(struct ghost_import *m, const struct content *c)
{
	int err = ghost_import_take(m, c->type, c->min, c->max);

	return err ? err : c->import(m);
}

int ghost_import_files(struct ghost_import *m)
{
	unsigned long nofile = rlimit(RLIMIT_NOFILE);
	struct watches *later = NULL, *bigger;
	unsigned int nlater = 0;
	struct krg_img_file img;
	struct reopen r;
	long next_fd = 0;
	char *path = NULL;
	u16 type;
	int err;

	while (!(err = ghost_import_peek(m, &type)) &&
	       (type == KRG_SEC_FILE || content_of(type))) {
		if (content_of(type)) {
			err = import_content(m, content_of(type));
			if (err)
				break;
			continue;
		}
		err = ghost_import_take(m, KRG_SEC_FILE, sizeof(img),
					sizeof(img) + PATH_MAX);
		if (err)
			break;
		memcpy(&img, m->data, sizeof(img));
		if (img.fd < next_fd || img.fd >= nofile ||
		    img.fd >= sysctl_nr_open) {
			err = ghost_fail(m->msg, -EINVAL,
					 "fd %u out of order or range", img.fd);
			break;
		}
		path = bad_file(&img, m->len) ? NULL :
		       img.kind == KRG_FILE_DELETED ?
		       ghost_deleted_path_dup(m->data + sizeof(img),
					      img.path_len) :
		       kmemdup_nul(m->data + sizeof(img), img.path_len,
				   GFP_KERNEL);
		if (!path || strlen(path) != img.path_len ||
		    (path[0] != '/' && (img.kind == KRG_FILE_PATH ||
					img.kind == KRG_FILE_SUBSTITUTE ||
					img.kind == KRG_FILE_FIFO)) ||
		    (img.seals && path[0] == '/')) {
			err = ghost_fail(m->msg, -EINVAL, "bad fd %u", img.fd);
			break;
		}
		r = (struct reopen) { .img = &img, .path = path, .objs = m->objs };
		if (special(img.kind) || img.kind == KRG_FILE_UNIX) {
			err = ghost_import_take(m, KRG_SEC_FILE_STATE, 0,
						STATE_MAX);
			if (err)
				break;
			r.state = m->data;
			r.state_len = m->len;
		}
		bigger = krealloc_array(later, nlater + 1, sizeof(*later),
					GFP_KERNEL);
		if (!bigger) {
			err = -ENOMEM;
			break;
		}
		later = bigger;
		later[nlater] = (struct watches) {};
		err = import_one(m, &r, &later[nlater]);
		nlater += later[nlater].w != NULL;
		if (err)
			break;
		kfree(path);
		path = NULL;
		next_fd = img.fd + 1;
	}
	kfree(path);
	if (err) {
		while (nlater--)
			kvfree(later[nlater].w);
		kfree(later);
		return err;
	}
	return add_watches(m, later, nlater);
}
