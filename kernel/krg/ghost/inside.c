// SPDX-License-Identifier: GPL-2.0
/*
 * The channels a checkpoint may save: a pipe, or a unix socket pair, is
 * saved only when the tree holds every end of it; else a process outside
 * would see it change. They are found once, before any task saves itself;
 * the tasks are frozen, so their fd tables stay as they are meanwhile.
 *
 * Holding every end means every open file of it, and each of those only
 * through the tree's fd tables: a file also held outside (by a parent
 * that forked the tree, or sent in an SCM_RIGHTS message) has more
 * references than the tree's fds.
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
	unsigned int *fds;	/* how many fds of the tree hold each */
	unsigned int n;
};

static int add(struct scan *s, struct file *file)
{
	unsigned int i;

	if (!ghost_pipe_of(file) && !ghost_unix_of(file))
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->files[i] == file)
			break;
	if (i == SCAN_MAX)
		return -E2BIG;
	if (i == s->n)
		s->files[s->n++] = file;
	s->fds[i]++;
	return 0;
}

/* Held by the tree's fds only. The scan held no reference meanwhile. */
static bool only_ours(struct scan *s, unsigned int i)
{
	return file_count(s->files[i]) == s->fds[i];
}

static bool seen_only_ours(struct scan *s, const struct file *file)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->files[i] == file)
			return only_ours(s, i);
	return false;
}

/* Threads, and processes made with CLONE_FILES, share one fd table. */
static bool table_seen(struct task_struct **tasks, unsigned int i)
{
	struct files_struct *files;
	unsigned int j;
	bool seen = false;

	task_lock(tasks[i]);
	files = tasks[i]->files;
	task_unlock(tasks[i]);
	for (j = 0; j < i && !seen; j++) {
		task_lock(tasks[j]);
		seen = tasks[j]->files == files;
		task_unlock(tasks[j]);
	}
	return seen;
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
		if (!only_ours(s, i))
			return 0;
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
	s.fds = kvcalloc(SCAN_MAX, sizeof(*s.fds), GFP_KERNEL);
	if (!s.files || !s.fds)
		err = -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		if (table_seen(tasks, i))
			continue;
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
			if (file && only_ours(&s, i) &&
			    seen_only_ours(&s, file))
				err = ghost_objs_id(inside,
						    ghost_unix_of(s.files[i]),
						    &first) < 0 ? -ENOMEM : 0;
		}
	}
	kvfree(s.fds);
	kvfree(s.files);
	return err;
}
