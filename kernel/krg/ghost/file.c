// SPDX-License-Identifier: GPL-2.0
/*
 * The file backend of ghosts: checkpoint images. Writes are gathered in a
 * buffer so that small sections do not each cost a write to the file
 * system; reads go straight to the file.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <krg/ghost.h>

#define FILE_GHOST_BUF	(1 << 20)

struct file_ghost {
	struct file *file;
	loff_t pos;
	u8 *buf;		/* writes only */
	size_t used;
};

static int flush(struct file_ghost *f)
{
	size_t done = 0;
	ssize_t n;

	while (done < f->used) {
		n = kernel_write(f->file, f->buf + done, f->used - done,
				 &f->pos);
		if (n <= 0)
			return n ? n : -EIO;
		done += n;
	}
	f->used = 0;
	return 0;
}

static ssize_t file_write(struct ghost *g, const void *buf, size_t len)
{
	struct file_ghost *f = g->priv;
	int err;

	/* Large payloads (pages) go straight to the file: one copy less. */
	if (len >= FILE_GHOST_BUF / 4) {
		err = flush(f);
		return err ?: kernel_write(f->file, buf, len, &f->pos);
	}
	if (f->used == FILE_GHOST_BUF) {
		err = flush(f);
		if (err)
			return err;
	}
	len = min(len, FILE_GHOST_BUF - f->used);
	memcpy(f->buf + f->used, buf, len);
	f->used += len;
	return len;
}

static ssize_t file_write_user(struct ghost *g, const void __user *buf,
			       size_t len)
{
	struct file_ghost *f = g->priv;
	int err = flush(f);

	return err ?: vfs_write(f->file, buf, len, &f->pos);
}

static ssize_t file_read(struct ghost *g, void *buf, size_t len)
{
	struct file_ghost *f = g->priv;

	return kernel_read(f->file, buf, len, &f->pos);
}

static ssize_t file_read_user(struct ghost *g, void __user *buf, size_t len)
{
	struct file_ghost *f = g->priv;

	return vfs_read(f->file, buf, len, &f->pos);
}

static void file_skip(struct ghost *g, size_t len)
{
	struct file_ghost *f = g->priv;

	f->pos += len;
}

static void file_release(struct ghost *g)
{
	struct file_ghost *f = g->priv;

	kvfree(f->buf);
	fput(f->file);
	kfree(f);
}

static const struct ghost_ops file_ops = {
	.write = file_write,
	.write_user = file_write_user,
	.read = file_read,
	.read_user = file_read_user,
	.skip = file_skip,
	.release = file_release,
};

/**
 * ghost_file_new - a ghost over @file, from its start
 * @write: for writing (buffered; see ghost_file_sync())
 *
 * Takes a reference on @file, dropped by ghost_close().
 */
struct ghost *ghost_file_new(struct file *file, bool write)
{
	struct ghost *g = kzalloc(sizeof(*g), GFP_KERNEL);
	struct file_ghost *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!g || !f)
		goto fail;
	if (write) {
		f->buf = kvmalloc(FILE_GHOST_BUF, GFP_KERNEL);
		if (!f->buf)
			goto fail;
	}
	f->file = get_file(file);
	g->ops = &file_ops;
	g->priv = f;
	atomic_inc(&ghost_live);
	return g;
fail:
	kfree(g);
	kfree(f);
	return NULL;
}

/*
 * Write out what is buffered and wait until the file is on stable
 * storage (fsync): an image said to be saved survives a crash of the
 * node. Return: the ghost's error (sticky) or 0.
 */
int ghost_file_sync(struct ghost *g)
{
	struct file_ghost *f = g->priv;
	int err;

	if (g->err || g->ops != &file_ops)
		return g->err;
	err = flush(f);
	if (!err)
		err = vfs_fsync(f->file, 0);
	if (err)
		g->err = err;
	return g->err;
}

/* The file under a file ghost (reading it at its own positions), or NULL. */
struct file *ghost_file_of(struct ghost *g)
{
	return g->ops == &file_ops ? ((struct file_ghost *)g->priv)->file :
				     NULL;
}
