// SPDX-License-Identifier: GPL-2.0
/*
 * The files part of a ghost: one FILE section per open fd, with its flags,
 * offset, FD_CLOEXEC and SIGIO owner. Which kind of open file it is, and
 * what else is saved of it, is the business of its kind (ghost_fd.h): the
 * kinds are asked in turn. Each open file is an object of the image, so
 * fds sharing one file (dup(), inherited) share it again. A file no kind
 * takes refuses the checkpoint (EBUSY), or with KRG_CR_IGNORE_UNSUPPORTED
 * is replaced by /dev/null, and the log says so.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <uapi/linux/krg_netlink.h>
#include <krg/ghost.h>
#include <krg/ghost_fd.h>
#include <krg/ghost_fown.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_special.h>
#include <krg/ghost_task.h>
#include <krg/ghost_what.h>

/* The largest FILE_STATE: an epoll set's watches. */
#define STATE_MAX	(1 << 20)	/* an inotify instance's, at most */

/* Open flags that reopening keeps (FASYNC: set as fcntl() sets it). */
#define REOPEN_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | \
			 O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOATIME | \
			 __O_SYNC | O_PATH | FASYNC)

/* Asked in this order which kind an open file is. */
const struct ghost_fd_kind *const ghost_fd_kinds[] = {
	&ghost_special_fds, &ghost_fifo_fds, &ghost_pipe_fds, &ghost_unix_fds,
	&ghost_deleted_fds, &ghost_path_fds,
};
const unsigned int ghost_fd_nkinds = ARRAY_SIZE(ghost_fd_kinds);

/* The kind that makes KRG_FILE_* @kind, or NULL. */
static const struct ghost_fd_kind *kind_of(u32 kind)
{
	unsigned int i;

	for (i = 0; i < ghost_fd_nkinds && kind < 32; i++)
		if (ghost_fd_kinds[i]->kinds & BIT(kind))
			return ghost_fd_kinds[i];
	return NULL;
}

/* No kind could save it: refused, or /dev/null if the caller said so. */
static int substitute(struct ghost_export *x, struct ghost_fd_out *o)
{
	if (!(x->flags & KRG_CR_IGNORE_UNSUPPORTED))
		return ghost_fail(x->msg, -EBUSY,
				  "fd %u (%s): %s cannot be checkpointed",
				  o->fd, o->path, ghost_what(o->file));
	pr_info("krg: pid %d: fd %u (%s) will restart as /dev/null\n",
		task_pid_vnr(current), o->fd, o->path);
	x->substituted++;
	o->img.kind = KRG_FILE_SUBSTITUTE;
	o->img.flags &= O_ACCMODE;
	o->img.pos = 0;
	o->path = "/dev/null";
	return 0;
}

static int export_one(struct ghost_export *x, unsigned int fd,
		      struct file *file, bool cloexec, char *buf)
{
	struct ghost_fd_out o = {
		.file = file,
		.fd = fd,
		.img = {
			.fd = fd,
			.flags = file->f_flags & REOPEN_FLAGS,
			.cloexec = cloexec,
			.pos = file->f_pos,
		},
	};
	const struct ghost_fd_kind *k = NULL;
	struct krg_img_file *img = &o.img;
	unsigned int i;
	bool first_file;
	int id, err = 0;

	o.dpath = d_path(&file->f_path, buf + sizeof(*img), PATH_MAX);
	o.path = IS_ERR(o.dpath) ? "?" : o.dpath;
	for (i = 0; i < ghost_fd_nkinds && !err; i++) {
		err = ghost_fd_kinds[i]->claim(x, &o);
		if (err > 0)
			k = ghost_fd_kinds[i];
	}
	if (err < 0)
		return err;
	if (!k) {
		err = substitute(x, &o);
		if (err)
			return err;
		k = &ghost_path_fds;
	}
	if (ghost_fown_save(file, img))
		return ghost_fail(x->msg, -EBUSY,
				  "fd %u (%s): its SIGIO owner is not in the cluster",
				  fd, o.path);
	if (o.shared) {
		id = ghost_objs_id(x->objs, o.shared, &o.first_shared);
		if (id < 0)
			return id;
		img->shared = id;
	}
	id = ghost_objs_id(x->objs, file, &first_file);
	if (id < 0)
		return id;
	img->obj = id;
	img->path_len = strlen(o.path);
	memcpy(buf, img, sizeof(*img));
	memmove(buf + sizeof(*img), o.path, img->path_len);
	ghost_section_write(x->g, KRG_SEC_FILE, buf,
			    sizeof(*img) + img->path_len);
	return k->export ? k->export(x, &o) : x->g->err;
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

/* For ghost_objs_get(): made anew, with who it signals. */
static int reopen(void *arg, struct file **files)
{
	struct ghost_fd_in *r = arg;
	int err = r->kind->make(r, files);

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

static int import_one(struct ghost_import *m, struct ghost_fd_in *r,
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

static bool bad_file(const struct krg_img_file *img, u32 len,
		     const struct ghost_fd_kind *k)
{
	return !k || len != sizeof(*img) + img->path_len ||
	       ghost_fown_bad(img) ||
	       (k->carries & GHOST_FD_ATTRS ? k->bad(img) :
		img->mode || img->uid || img->gid || img->size ||
		img->seals) ||
	       (img->flags & ~REOPEN_FLAGS) || img->cloexec > 1 ||
	       !(k->carries & GHOST_FD_SHARED) != !img->shared ||
	       img->pos < 0 || !img->path_len || img->path_len >= PATH_MAX;
}

/* The kind whose content section @type is, or NULL. */
static const struct ghost_fd_kind *content_of(u16 type)
{
	const struct ghost_fd_kind *k;
	unsigned int i;

	for (i = 0; i < ghost_fd_nkinds; i++) {
		k = ghost_fd_kinds[i];
		if (k->content && k->content == type)
			return k;
	}
	return NULL;
}

static int import_content(struct ghost_import *m,
			  const struct ghost_fd_kind *k)
{
	int err = ghost_import_take(m, k->content, k->content_min,
				    k->content_max);

	return err ? err : k->import_content(m);
}

int ghost_import_files(struct ghost_import *m)
{
	unsigned long nofile = rlimit(RLIMIT_NOFILE);
	struct watches *later = NULL, *bigger;
	unsigned int nlater = 0;
	const struct ghost_fd_kind *k;
	struct krg_img_file img;
	struct ghost_fd_in r;
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
		k = kind_of(img.kind);
		path = bad_file(&img, m->len, k) ? NULL :
		       k->path_dup ? k->path_dup(m->data + sizeof(img),
						 img.path_len) :
		       kmemdup_nul(m->data + sizeof(img), img.path_len,
				   GFP_KERNEL);
		/* Seals are a memfd's, whose name is not a path. */
		if (!path || strlen(path) != img.path_len ||
		    (path[0] != '/' && (k->carries & GHOST_FD_ABSOLUTE)) ||
		    (img.seals && path[0] == '/')) {
			err = ghost_fail(m->msg, -EINVAL, "bad fd %u", img.fd);
			break;
		}
		r = (struct ghost_fd_in) {
			.img = &img,
			.path = path,
			.objs = m->objs,
			.kind = k,
		};
		if (k->carries & GHOST_FD_STATE) {
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
