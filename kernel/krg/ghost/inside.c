// SPDX-License-Identifier: GPL-2.0
/*
 * The channels a checkpoint may save: a pipe, or a unix socket pair, is
 * saved only when the tree holds every end of it; else a process outside
 * would see it change. They are found once, before any task saves itself;
 * the tasks are frozen, so their fd tables stay as they are meanwhile.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>
#include <krg/ghost_inside.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_pipe.h>
#include <krg/ghost_unix.h>

#define SCAN_MAX	4096

struct scan {
	struct file **files;	/* pipe ends and unix sockets, each once */
	unsigned int n;
};

static int add(struct scan *s, struct file *file)
{
	unsigned int i;

	if (!ghost_pipe_of(file) && !ghost_unix_of(file))
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->files[i] == file)
			return 0;
	if (s->n == SCAN_MAX)
		return -E2BIG;
	s->files[s->n++] = file;
	return 0;
}

static bool seen(struct scan *s, const struct file *file)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->files[i] == file)
			return true;
	return false;
}

/* A pipe is inside if its readers and writers are all files seen. */
static int pipe_inside(struct scan *s, struct pipe_inode_info *pipe,
		       struct ghost_objs *inside)
{
	unsigned int i, readers = 0, writers = 0;
	bool first;

	for (i = 0; i < s->n; i++) {
		if (ghost_pipe_of(s->files[i]) != pipe)
			continue;
		readers += !!(s->files[i]->f_mode & FMODE_READ);
		writers += !!(s->files[i]->f_mode & FMODE_WRITE);
	}
	if (readers != READ_ONCE(pipe->readers) ||
	    writers != READ_ONCE(pipe->writers))
		return 0;
	return ghost_objs_id(inside, pipe, &first) < 0 ? -ENOMEM : 0;
}

/**
 * ghost_inside - the pipes and socket pairs of which @tasks hold every end
 * @inside: gets them (as keys: the pipe, each socket), for the exports
 */
int ghost_inside(struct task_struct **tasks, unsigned int n,
		 struct ghost_objs *inside)
{
	struct scan s = {};
	struct pipe_inode_info *pipe;
	unsigned int i, fd;
	struct file *file;
	bool first;
	int err = 0;

	s.files = kvcalloc(SCAN_MAX, sizeof(*s.files), GFP_KERNEL);
	if (!s.files)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		for (fd = 0; !err; fd++) {
			rcu_read_lock();
			file = task_lookup_next_fdget_rcu(tasks[i], &fd);
			rcu_read_unlock();
			if (!file)
				break;
			err = add(&s, file);
			fput(file);	/* the task holds it: the address stays */
		}
	}
	for (i = 0; i < s.n && !err; i++) {
		pipe = ghost_pipe_of(s.files[i]);
		if (pipe && !ghost_objs_find(inside, pipe))
			err = pipe_inside(&s, pipe, inside);
		else if (!pipe) {
			file = ghost_unix_peer_file(s.files[i]);
			if (file && seen(&s, file))
				err = ghost_objs_id(inside,
						    ghost_unix_of(s.files[i]),
						    &first) < 0 ? -ENOMEM : 0;
		}
	}
	kvfree(s.files);
	return err;
}
