// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd, timerfd, signalfd and epoll files in a ghost (inotify ones are
 * handed to ghost/inotify.c). Their state is read through their fdinfo
 * (what /proc/PID/fdinfo shows, which changes nothing), an epoll set's
 * watches from the set (patch 0014), and they are made again through
 * their system calls' helpers (patch 0006). An epoll file gets its
 * watches back once all the fds of its process are in place.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/eventpoll.h>
#include <linux/uaccess.h>
#include <linux/krg_hooks.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <linux/ctype.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <uapi/linux/eventfd.h>
#include <krg/ghost.h>
#include <krg/ghost_fd.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_special.h>
#include <krg/ghost_task.h>

#define MAX_WATCHES	2048
/* An epoll set's fdinfo: one line of about 100 bytes per watch. */
#define FDINFO_MAX	(MAX_WATCHES * 128)

static const struct {
	const char *name;
	int kind;
} kinds[] = {
	{ "[eventfd]", KRG_FILE_EVENTFD },
	{ "[timerfd]", KRG_FILE_TIMERFD },
	{ "[signalfd]", KRG_FILE_SIGNALFD },
	{ "[eventpoll]", KRG_FILE_EPOLL },
	{ "inotify", KRG_FILE_INOTIFY },
};

/* The KRG_FILE_* kind of @file if it is one of these, else 0. */
static int special_kind(struct file *file)
{
	const char *name = file->f_path.dentry->d_name.name;
	size_t i;

	if (!(file->f_path.mnt->mnt_flags & MNT_INTERNAL))
		return 0;
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(name, kinds[i].name))
			return kinds[i].kind;
	return 0;
}

/*
 * What /proc/PID/fdinfo would show of @file after its position; an error
 * pointer if it has none (-EINVAL) or too much (-E2BIG).
 */
static char *fdinfo(struct file *file)
{
	struct seq_file m = { .size = FDINFO_MAX };

	if (!file->f_op->show_fdinfo)
		return ERR_PTR(-EINVAL);
	m.buf = kvzalloc(FDINFO_MAX + 1, GFP_KERNEL);
	if (!m.buf)
		return ERR_PTR(-ENOMEM);
	file->f_op->show_fdinfo(&m, file);
	if (seq_has_overflowed(&m)) {
		kvfree(m.buf);
		return ERR_PTR(-E2BIG);
	}
	return m.buf;
}

/*
 * The next number at *@p in @base, after blanks, '(' or ','; *@p moves
 * past it. Starts at the field @name when given.
 */
static int number(const char **p, const char *name, unsigned int base,
		  u64 *v)
{
	char tok[24];
	size_t n = 0;

	if (name) {
		*p = strstr(*p, name);
		if (!*p)
			return -EINVAL;
		*p += strlen(name);
	}
	*p += strspn(*p, " \t(,");
	while (n < sizeof(tok) - 1 && isxdigit((*p)[n]))
		n++;
	memcpy(tok, *p, n);
	tok[n] = '\0';
	*p += n;
	return kstrtoull(tok, base, v);
}

struct watches_walk {
	struct ghost_export *x;
	struct krg_img_epoll_watch *w;
	int n;
};

/* One watch of an epoll set: of a file, which gets its object number. */
static int save_watch(void *arg, struct file *target, int fd, u32 events,
		      u64 data)
{
	struct watches_walk *ww = arg;
	bool first;
	int id;

	if (ww->n == MAX_WATCHES)
		return -E2BIG;
	id = ghost_objs_id(ww->x->objs, target, &first);
	if (id < 0)
		return id;
	ww->w[ww->n++] = (struct krg_img_epoll_watch) {
		.fd = fd, .events = events, .data = data, .obj = id,
	};
	return 0;
}

static int epoll_state(struct ghost_export *x, struct file *file,
		       struct krg_img_epoll_watch *w)
{
	struct watches_walk ww = { .x = x, .w = w };
	int err = krg_epoll_watches(file, save_watch, &ww);

	return err ?: ww.n;
}

/* Write the FILE_STATE section of @file, of @kind. */
static int export_state(struct ghost_export *x, struct file *file, int kind)
{
	union {
		struct krg_img_eventfd e;
		struct krg_img_timerfd t;
		struct krg_img_signalfd s;
	} u = {};
	u64 a, b, vs, vn, is, in;
	struct krg_img_epoll_watch *w = NULL;
	char *info;
	const char *p;
	int len = 0, err = -EINVAL, n;
	void *state = &u;

	if (kind == KRG_FILE_INOTIFY)
		return ghost_inotify_export(x, file);
	info = fdinfo(file);
	if (IS_ERR(info)) {
		err = PTR_ERR(info);
		info = NULL;
		goto out;
	}
	p = info;
	switch (kind) {
	case KRG_FILE_EVENTFD:
		if (!number(&p, "eventfd-count:", 16, &a) &&
		    !number(&p, "eventfd-semaphore:", 10, &b)) {
			u.e.count = a;
			u.e.semaphore = b;
			len = sizeof(u.e);
			err = a > U32_MAX ? -E2BIG : 0;
		}
		break;
	case KRG_FILE_TIMERFD:
		if (!number(&p, "clockid:", 10, &a) &&
		    !number(&p, "ticks:", 10, &b) &&
		    !number(&p, "it_value:", 10, &vs) &&
		    !number(&p, NULL, 10, &vn) &&
		    !number(&p, "it_interval:", 10, &is) &&
		    !number(&p, NULL, 10, &in)) {
			u.t.clockid = a;
			u.t.ticks = b;
			u.t.value_ns = vs * NSEC_PER_SEC + vn;
			u.t.interval_ns = is * NSEC_PER_SEC + in;
			len = sizeof(u.t);
			err = 0;
		}
		break;
	case KRG_FILE_SIGNALFD:
		if (!number(&p, "sigmask:", 16, &a)) {
			u.s.mask = a;
			len = sizeof(u.s);
			err = 0;
		}
		break;
	case KRG_FILE_EPOLL:
		w = kvcalloc(MAX_WATCHES, sizeof(*w), GFP_KERNEL);
		n = w ? epoll_state(x, file, w) : -ENOMEM;
		err = min(n, 0);
		len = max(n, 0) * sizeof(*w);
		state = w;
		break;
	}
	kvfree(info);
	if (!err)
		err = ghost_section_write(x->g, KRG_SEC_FILE_STATE, state, len);
	kvfree(w);
out:
	if (err == -E2BIG)
		return ghost_fail(x->msg, -EBUSY,
				  "an epoll set of more than %d fds, or an eventfd count above 2^32",
				  (int)MAX_WATCHES);
	return err;
}

/* The file of a new fd of current, out of the fd table. */
static int fd_file_out(int fd, struct file **file)
{
	if (fd < 0)
		return fd;
	*file = fget(fd);
	close_fd(fd);
	return *file ? 0 : -EBADF;
}

/*
 * Make a file of @kind from its FILE_STATE (@state, @len bytes) and the
 * O_* @flags of the image. An epoll file comes empty: its watches are
 * added by ghost_special_watch() once the fds are in place.
 */
static int make_special(int kind, unsigned int flags, const void *state,
			u32 len, struct file **file)
{
	int nonblock = flags & O_NONBLOCK;

	switch (kind) {
	case KRG_FILE_EVENTFD: {
		const struct krg_img_eventfd *e = state;

		/* eventfd2() takes a 32-bit count: so does the image. */
		if (len != sizeof(*e) || e->semaphore > 1 || e->count > U32_MAX)
			return -EINVAL;
		return fd_file_out(krg_eventfd_create(e->count, nonblock |
				   (e->semaphore ? EFD_SEMAPHORE : 0)), file);
	}
	case KRG_FILE_TIMERFD: {
		const struct krg_img_timerfd *t = state;
		struct itimerspec64 its;
		u64 value;
		int fd, err;

		if (len != sizeof(*t))
			return -EINVAL;
		fd = krg_timerfd_create(t->clockid, nonblock);
		if (fd < 0)
			return fd;
		/* Expirations not read yet: one is due at once. */
		value = t->ticks ? 1 : t->value_ns;
		its.it_value = ns_to_timespec64(value);
		its.it_interval = ns_to_timespec64(t->interval_ns);
		err = krg_timerfd_settime(fd, 0, &its);
		if (err) {
			close_fd(fd);
			return err;
		}
		return fd_file_out(fd, file);
	}
	case KRG_FILE_SIGNALFD: {
		const struct krg_img_signalfd *sfd = state;
		sigset_t mask;

		if (len != sizeof(*sfd))
			return -EINVAL;
		mask.sig[0] = sfd->mask;
		return fd_file_out(krg_signalfd_create(&mask, nonblock), file);
	}
	case KRG_FILE_EPOLL:
		if (len % sizeof(struct krg_img_epoll_watch))
			return -EINVAL;
		return fd_file_out(krg_epoll_create(0), file);
	case KRG_FILE_INOTIFY: {
		int err = fd_file_out(krg_inotify_create(nonblock), file);

		return err ?: ghost_inotify_fill(file, state, len);
	}
	}
	return -EINVAL;
}

/* Give the epoll set at fd @epfd of current its @n watches. */
/*
 * Watch @target through fd @fd as when it was added: through that fd if
 * it holds the file now, else through @fd opened on it for the time of
 * the add (it was closed since), else (@fd is another file now) through a
 * free fd.
 */
static int watch(int epfd, struct file *target, int fd,
		 struct epoll_event *ev)
{
	struct file *now = fget_raw(fd);
	bool temporary = now != target;
	int err = 0;

	if (now)
		fput(now);
	if (temporary && now)
		fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	if (temporary && now)
		fd_install(fd, get_file(target));
	else if (temporary)
		err = replace_fd(fd, target, O_CLOEXEC);
	if (err < 0)
		return err;
	err = do_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, ev, false);
	if (temporary)
		close_fd(fd);
	return err;
}

int ghost_special_watch(struct ghost_objs *objs, int epfd,
			const struct krg_img_epoll_watch *w, unsigned int n)
{
	struct epoll_event ev;
	struct file *files[2];
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		/* The file, made by an fd of the tree (else no fd holds it). */
		err = ghost_objs_content(objs, w[i].obj, GHOST_OBJ_FILE, false,
					 files);
		if (err)
			return err;
		ev.events = w[i].events;
		ev.data = w[i].data;
		err = w[i].fd < 0 || w[i].pad ? -EINVAL :
		      watch(epfd, files[0], w[i].fd, &ev);
		fput(files[0]);
		if (err)
			return err;
	}
	return 0;
}

static int claim(struct ghost_export *x, struct ghost_fd_out *o)
{
	int kind = special_kind(o->file);

	if (!kind)
		return 0;
	o->img.kind = kind;
	o->img.pos = 0;
	return 1;
}

static int export(struct ghost_export *x, struct ghost_fd_out *o)
{
	return export_state(x, o->file, o->img.kind);
}

static int make(struct ghost_fd_in *in, struct file **files)
{
	int err = make_special(in->img->kind, in->img->flags, in->state,
			       in->state_len, files);

	in->made = !err;
	return err;
}

const struct ghost_fd_kind ghost_special_fds = {
	.name = "special",
	.kinds = BIT(KRG_FILE_EVENTFD) | BIT(KRG_FILE_TIMERFD) |
		 BIT(KRG_FILE_SIGNALFD) | BIT(KRG_FILE_EPOLL) |
		 BIT(KRG_FILE_INOTIFY),
	.carries = GHOST_FD_STATE,
	.claim = claim,
	.export = export,
	.make = make,
};
