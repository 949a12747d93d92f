// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes and FIFOs in a ghost. A pipe is saved only when every one of its
 * ends is open in the checkpointed tree (ghost_inside() finds those before
 * any task saves itself); its buffered bytes are saved once, with the
 * first fd of it, and written back into the new pipe on restart. A FIFO
 * is reopened by path: restart first opens it once for reading and once
 * for writing, so that no open of it waits and the bytes have a pipe to
 * go to, and closes those when the restart ends.
 */
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <krg/ghost.h>
#include <krg/ghost_fd.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_pipe.h>
#include <krg/ghost_task.h>

/* The default pipe-max-size: the largest pipe an image carries. */
#define PIPE_DATA_MAX	(1 << 20)

/* The pipe of an anonymous pipe or of a FIFO, or NULL. */
struct pipe_inode_info *ghost_pipe_of(struct file *file)
{
	if (!S_ISFIFO(file_inode(file)->i_mode))
		return NULL;
	return get_pipe_info(file, false);
}

/* A FIFO of a file system, not an anonymous pipe. */
bool ghost_pipe_named(struct file *file)
{
	return !(file->f_path.mnt->mnt_flags & MNT_INTERNAL);
}

/* Save what @pipe holds, with its capacity. */
static int export_data(struct ghost_export *x, struct pipe_inode_info *pipe,
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
static int new_pipe(void *unused, struct file **files)
{
	return create_pipe_files(files, 0);
}

/* For ghost_objs_get(): the FIFO at path @arg, opened at both ends. */
static int open_fifo(void *arg, struct file **files)
{
	struct file *f;
	int i, err = 0;

	for (i = 0; i < 2 && !err; i++) {
		f = filp_open(arg, (i ? O_WRONLY : O_RDONLY) | O_NONBLOCK |
			      O_LARGEFILE, 0);
		if (IS_ERR(f)) {
			err = PTR_ERR(f);
			break;
		}
		files[i] = f;
		if (!ghost_pipe_of(f) || !ghost_pipe_named(f))
			err = -EINVAL;	/* not a FIFO (any more) */
	}
	while (err && i--) {
		fput(files[i]);
		files[i] = NULL;
	}
	return err;
}

/*
 * Write @len bytes into the pipe's write end without waiting: they fit,
 * or the image lies. IOCB_NOWAIT, not O_NONBLOCK: the file's flags are
 * those of the fds that share it, and another task may set them now.
 */
static ssize_t write_nowait(struct file *file, const void *data, size_t len)
{
	struct kvec kv = { .iov_base = (void *)data, .iov_len = len };
	struct iov_iter iter;
	struct kiocb kiocb;

	init_sync_kiocb(&kiocb, file);
	kiocb.ki_flags |= IOCB_NOWAIT;
	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, len);
	return file->f_op->write_iter(&kiocb, &iter);
}

/* Fill the restarted pipe of the data section just read. */
static int import_data(struct ghost_import *m)
{
	const struct krg_img_pipe_data *d = m->data;
	u32 len = m->len - sizeof(*d);
	struct file *ends[2];
	ssize_t n;
	int err;

	if (d->size > PIPE_DATA_MAX || len > d->size)
		return ghost_fail(m->msg, -EINVAL, "pipe of %u bytes holds %u",
				  d->size, len);
	/* Once, into the pipe or FIFO its fd made. */
	err = ghost_objs_content(m->objs, d->pipe,
				 GHOST_OBJ_PIPE | GHOST_OBJ_FIFO, true, ends);
	if (err)
		return ghost_fail(m->msg, err, "data of no pipe, or twice");
	if (d->size > PIPE_DEF_BUFFERS * PAGE_SIZE)
		err = pipe_fcntl(ends[1], F_SETPIPE_SZ, d->size);
	if (err >= 0 && len) {
		n = write_nowait(ends[1], d + 1, len);
		err = n == len ? 0 : n < 0 ? n : -ENOSPC;
	}
	fput(ends[0]);
	fput(ends[1]);
	return err < 0 ? ghost_fail(m->msg, err, "cannot refill a pipe") : 0;
}

/* An end of a pipe, or an open of a FIFO, that the tree holds every end of. */
static int claim(struct ghost_export *x, struct ghost_fd_out *o, bool named)
{
	struct pipe_inode_info *pipe = ghost_pipe_of(o->file);

	if (!pipe || !ghost_objs_find(x->inside, pipe) ||
	    d_unlinked(o->file->f_path.dentry) ||
	    ghost_pipe_named(o->file) != named)
		return 0;
	o->img.kind = named ? KRG_FILE_FIFO : KRG_FILE_PIPE;
	o->img.pos = 0;
	o->shared = pipe;
	return 1;
}

static int claim_pipe(struct ghost_export *x, struct ghost_fd_out *o)
{
	return claim(x, o, false);
}

static int claim_fifo(struct ghost_export *x, struct ghost_fd_out *o)
{
	return claim(x, o, true);
}

/* The bytes it holds, once, with its first fd. */
static int export(struct ghost_export *x, struct ghost_fd_out *o)
{
	return o->first_shared ?
	       export_data(x, (struct pipe_inode_info *)o->shared,
			   o->img.shared) :
	       x->g->err;
}

static int make_pipe(struct ghost_fd_in *in, struct file **files)
{
	struct file *ends[2];
	unsigned int end;
	int err;

	err = ghost_objs_get(in->objs, in->img->shared, GHOST_OBJ_PIPE,
			     new_pipe, NULL, ends);
	if (err)
		return err;
	/* The end this file is; the other goes back to the pipe. */
	end = (in->img->flags & O_ACCMODE) != O_RDONLY;
	files[0] = ends[end];
	fput(ends[!end]);
	files[0]->f_flags |= in->img->flags & O_NONBLOCK;
	return 0;
}

/*
 * A FIFO: once both ends of it are open (in the table till the restart
 * ends), no open of it waits.
 */
static int make_fifo(struct ghost_fd_in *in, struct file **files)
{
	const struct krg_img_file *img = in->img;
	struct file *ends[2];
	int err;

	err = ghost_objs_get(in->objs, img->shared, GHOST_OBJ_FIFO, open_fifo,
			     (void *)in->path, ends);
	if (err)
		return err;
	files[0] = filp_open(in->path, img->flags | O_NONBLOCK, 0);
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

const struct ghost_fd_kind ghost_pipe_fds = {
	.name = "pipe",
	.kinds = BIT(KRG_FILE_PIPE),
	.carries = GHOST_FD_SHARED,
	.claim = claim_pipe,
	.export = export,
	.make = make_pipe,
	.content = KRG_SEC_PIPE_DATA,
	.content_min = sizeof(struct krg_img_pipe_data),
	.content_max = U32_MAX,
	.import_content = import_data,
};

const struct ghost_fd_kind ghost_fifo_fds = {
	.name = "FIFO",
	.kinds = BIT(KRG_FILE_FIFO),
	.carries = GHOST_FD_SHARED | GHOST_FD_ABSOLUTE,
	.claim = claim_fifo,
	.export = export,
	.make = make_fifo,
	.content = KRG_SEC_PIPE_DATA,
	.content_min = sizeof(struct krg_img_pipe_data),
	.content_max = U32_MAX,
	.import_content = import_data,
};
