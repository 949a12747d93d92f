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
 * references than the tree's fds. The scan holds a reference on each file
 * it looks at. An fd table shared with a process outside the tree
 * (CLONE_FILES) refuses the checkpoint: that process could change it.
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

/* Count an fd of @file, with a reference held (kept for a new file). */
static int add(struct scan *s, struct file *file)
{
	unsigned int i;

	if (!ghost_pipe_of(file) && !ghost_unix_of(file)) {
		fput(file);
		return 0;
	}
	for (i = 0; i < s->n; i++)
		if (s->files[i] == file)
			break;
	if (i == SCAN_MAX) {
		fput(file);
		return -E2BIG;
	}
	if (i == s->n)
		s->files[s->n++] = file;
	else
		fput(file);
	s->fds[i]++;
	return 0;
}

/* Held by the tree's fds only, and by the scan's reference. */
static bool only_ours(struct scan *s, unsigned int i)
{
	return file_count(s->files[i]) == s->fds[i] + 1;
}

static bool seen_only_ours(struct scan *s, const struct file *file)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->files[i] == file)
			return only_ours(s, i);
	return false;
}

static struct files_struct *files_of(struct task_struct *task)
{
	struct files_struct *files;

	task_lock(task);
	files = task->files;
	task_unlock(task);
	return files;
}

/*
 * Threads, and processes made with CLONE_FILES, share one fd table: scan
 * it once, and only if no task outside the tree shares it. Return: 1 if
 * seen already, 0 to scan it, -EBUSY if shared outside. The tree is
 * frozen: its tasks' tables stay theirs.
 */
static int table_seen(struct task_struct **tasks, unsigned int n,
		      unsigned int i)
{
	struct files_struct *files = files_of(tasks[i]);
	unsigned int j, users = 0;

	for (j = 0; j < n; j++) {
		if (files_of(tasks[j]) != files)
			continue;
		if (j < i)
			return 1;
		users++;
	}
	return atomic_read(&files->count) == users ? 0 : -EBUSY;
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
		err = table_seen(tasks, n, i);
		if (err) {
			err = err < 0 ? err : 0;
			continue;
		}
		for (fd = 0; !err; fd++) {
			rcu_read_lock();
			file = task_lookup_next_fdget_rcu(tasks[i], &fd);
			rcu_read_unlock();
			if (!file)
				break;
			err = add(&s, file);
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
	for (i = 0; i < s.n; i++)
		fput(s.files[i]);
	kvfree(s.fds);
	kvfree(s.files);
	return err;
}
