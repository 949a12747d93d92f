// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes in a ghost. A pipe is saved only when every one of its ends is
 * open in the checkpointed tree (ghost_pipes_inside() finds those before
 * any task saves itself); its buffered bytes are saved once, with the
 * first fd of it, and written back into the new pipe on restart.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <krg/ghost.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_pipe.h>
#include <krg/ghost_task.h>

/* The default pipe-max-size: the largest pipe an image carries. */
#define PIPE_DATA_MAX	(1 << 20)

/* An anonymous pipe (not a FIFO of a file system), or NULL. */
struct pipe_inode_info *ghost_pipe_of(struct file *file)
{
	if (!S_ISFIFO(file_inode(file)->i_mode) ||
	    !(file->f_path.mnt->mnt_flags & MNT_INTERNAL))
		return NULL;
	return get_pipe_info(file, false);
}

struct pipe_count {
	struct pipe_inode_info *pipe;
	unsigned int readers, writers;
};

struct pipe_scan {
	struct pipe_count *pipes;
	unsigned int npipes;
	const struct file **files;	/* counted already */
	unsigned int nfiles, cap;
};

static int count_file(struct pipe_scan *s, struct file *file)
{
	struct pipe_inode_info *pipe = ghost_pipe_of(file);
	unsigned int i;

	if (!pipe)
		return 0;
	for (i = 0; i < s->nfiles; i++)
		if (s->files[i] == file)
			return 0;
	if (s->nfiles == s->cap)
		return -E2BIG;
	s->files[s->nfiles++] = file;
	for (i = 0; i < s->npipes && s->pipes[i].pipe != pipe; i++)
		;
	if (i == s->npipes)
		s->pipes[s->npipes++].pipe = pipe;
	s->pipes[i].readers += !!(file->f_mode & FMODE_READ);
	s->pipes[i].writers += !!(file->f_mode & FMODE_WRITE);
	return 0;
}

/**
 * ghost_pipes_inside - the pipes of which @tasks hold every end
 * @inside: gets them (as keys), for the tasks' exports to ask
 *
 * The tasks are frozen: their fd tables do not change meanwhile.
 */
int ghost_pipes_inside(struct task_struct **tasks, unsigned int n,
		       struct ghost_objs *inside)
{
	struct pipe_scan s = { .cap = 4096 };
	unsigned int i, fd;
	struct file *file;
	bool first;
	int err = -ENOMEM;

	s.files = kvcalloc(s.cap, sizeof(*s.files), GFP_KERNEL);
	s.pipes = kvcalloc(s.cap, sizeof(*s.pipes), GFP_KERNEL);
	if (!s.files || !s.pipes)
		goto out;
	err = 0;
	for (i = 0; i < n && !err; i++) {
		for (fd = 0; !err; fd++) {
			rcu_read_lock();
			file = task_lookup_next_fdget_rcu(tasks[i], &fd);
			rcu_read_unlock();
			if (!file)
				break;
			err = count_file(&s, file);
			fput(file);	/* the task holds it: the address stays */
		}
	}
	for (i = 0; i < s.npipes && !err; i++) {
		struct pipe_inode_info *pipe = s.pipes[i].pipe;

		if (s.pipes[i].readers == READ_ONCE(pipe->readers) &&
		    s.pipes[i].writers == READ_ONCE(pipe->writers))
			err = ghost_objs_id(inside, pipe, &first) < 0 ? -ENOMEM : 0;
	}
out:
	kvfree(s.files);
	kvfree(s.pipes);
	return err;
}

/* Save what @pipe holds, with its capacity. */
int ghost_pipe_export_data(struct ghost_export *x, struct pipe_inode_info *pipe,
			   u32 id)
{
	struct krg_img_pipe_data *d;
	unsigned int slot, mask;
	size_t len = 0;
	u8 *p;
	int err;

	pipe_lock(pipe);
	mask = pipe->ring_size - 1;
	for (slot = pipe->tail; slot != pipe->head; slot++)
		len += pipe->bufs[slot & mask].len;
	if (pipe->max_usage * PAGE_SIZE > PIPE_DATA_MAX) {
		pipe_unlock(pipe);
		return ghost_fail(x->msg, -EBUSY, "a pipe of %lu bytes",
				  pipe->max_usage * PAGE_SIZE);
	}
	d = kvmalloc(sizeof(*d) + len, GFP_KERNEL);
	if (!d) {
		pipe_unlock(pipe);
		return -ENOMEM;
	}
	d->pipe = id;
	d->size = pipe->max_usage * PAGE_SIZE;
	p = (u8 *)(d + 1);
	for (slot = pipe->tail; slot != pipe->head; slot++) {
		struct pipe_buffer *b = &pipe->bufs[slot & mask];

		memcpy_from_page(p, b->page, b->offset, b->len);
		p += b->len;
	}
	pipe_unlock(pipe);
	err = ghost_section_write(x->g, KRG_SEC_PIPE_DATA, d, sizeof(*d) + len);
	kvfree(d);
	return err;
}

/* For ghost_objs_get(): a new pipe, both ends. */
int ghost_pipe_make(void *unused, struct file **files)
{
	return create_pipe_files(files, 0);
}

/* Fill the restarted pipe of the data section just read. */
int ghost_pipe_import_data(struct ghost_import *m)
{
	const struct krg_img_pipe_data *d = m->data;
	u32 len = m->len - sizeof(*d);
	struct file *ends[2];
	unsigned int old;
	loff_t pos = 0;
	ssize_t n;
	int err;

	if (d->size > PIPE_DATA_MAX || len > d->size)
		return ghost_fail(m->msg, -EINVAL, "pipe of %u bytes holds %u",
				  d->size, len);
	err = ghost_objs_get(m->objs, d->pipe, ghost_pipe_make, NULL, ends);
	if (err)
		return err;
	if (d->size > PIPE_DEF_BUFFERS * PAGE_SIZE)
		err = pipe_fcntl(ends[1], F_SETPIPE_SZ, d->size);
	if (err >= 0 && len) {
		/* Never wait: it fits, or the image lies. */
		old = ends[1]->f_flags;
		ends[1]->f_flags |= O_NONBLOCK;
		n = kernel_write(ends[1], d + 1, len, &pos);
		ends[1]->f_flags = old;
		err = n == len ? 0 : n < 0 ? n : -ENOSPC;
	}
	fput(ends[0]);
	fput(ends[1]);
	return err < 0 ? ghost_fail(m->msg, err, "cannot refill a pipe") : 0;
}
