// SPDX-License-Identifier: GPL-2.0
/*
 * Ghost streams: all-or-error transfers with a sticky first error, over a
 * backend's raw reads and writes; and the memory backend.
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <krg/ghost.h>

/* Ghosts not closed yet: leak checks read it (/sys/kernel/krg/ghosts). */
atomic_t ghost_live = ATOMIC_INIT(0);

/* Write all of buf, or fail and remember why. */
int ghost_write(struct ghost *g, const void *buf, size_t len)
{
	ssize_t n;

	while (!g->err && len) {
		n = g->ops->write(g, buf, len);
		if (n <= 0) {
			g->err = n ? n : -ENOSPC;
			break;
		}
		buf += n;
		len -= n;
		g->pos += n;
	}
	return g->err;
}

/* Write len bytes of current's memory at buf, or fail and remember why. */
int ghost_write_user(struct ghost *g, const void __user *buf, size_t len)
{
	u8 bounce[256];
	size_t n;
	ssize_t done;

	while (!g->err && len) {
		if (g->ops->write_user) {
			done = g->ops->write_user(g, buf, len);
			if (done <= 0) {
				g->err = done ? done : -ENOSPC;
				break;
			}
			g->pos += done;
		} else {
			done = n = min(len, sizeof(bounce));
			if (copy_from_user(bounce, buf, n)) {
				g->err = -EFAULT;
				break;
			}
			ghost_write(g, bounce, n);
		}
		buf += done;
		len -= done;
	}
	return g->err;
}

/* Read exactly len bytes, or fail: a stream that ends early is -ENODATA. */
int ghost_read(struct ghost *g, void *buf, size_t len)
{
	ssize_t n;

	while (!g->err && len) {
		n = g->ops->read(g, buf, len);
		if (n <= 0) {
			g->err = n ? n : -ENODATA;
			break;
		}
		buf += n;
		len -= n;
		g->pos += n;
	}
	return g->err;
}

/* Read exactly len bytes into current's memory at buf. */
int ghost_read_user(struct ghost *g, void __user *buf, size_t len)
{
	u8 bounce[256];
	ssize_t n;

	while (!g->err && len) {
		if (g->ops->read_user) {
			n = g->ops->read_user(g, buf, len);
			if (n <= 0) {
				g->err = n ? n : -ENODATA;
				break;
			}
			g->pos += n;
		} else {
			n = min(len, sizeof(bounce));
			if (!ghost_read(g, bounce, n) &&
			    copy_to_user(buf, bounce, n))
				g->err = -EFAULT;
		}
		buf += n;
		len -= n;
	}
	return g->err;
}

/* Pass over len bytes, as if read; past the end, the next read fails. */
int ghost_skip(struct ghost *g, size_t len)
{
	u8 bounce[256];
	size_t n;

	if (g->ops->skip && !g->err) {
		g->ops->skip(g, len);
		g->pos += len;
	}
	while (!g->ops->skip && !g->err && len) {
		n = min(len, sizeof(bounce));
		ghost_read(g, bounce, n);
		len -= n;
	}
	return g->err;
}

void ghost_close(struct ghost *g)
{
	if (g->ops->release)
		g->ops->release(g);
	kfree(g);
	atomic_dec(&ghost_live);
}

struct mem_ghost {
	u8 *buf;
	size_t size, off;
};

static ssize_t mem_write(struct ghost *g, const void *buf, size_t len)
{
	struct mem_ghost *m = g->priv;

	len = min(len, m->size - m->off);
	memcpy(m->buf + m->off, buf, len);
	m->off += len;
	return len;
}

static ssize_t mem_read(struct ghost *g, void *buf, size_t len)
{
	struct mem_ghost *m = g->priv;

	len = min(len, m->size - m->off);
	memcpy(buf, m->buf + m->off, len);
	m->off += len;
	return len;
}

static void mem_release(struct ghost *g)
{
	kfree(g->priv);
}

static const struct ghost_ops mem_ops = {
	.write = mem_write,
	.read = mem_read,
	.release = mem_release,
};

struct ghost *ghost_mem_new(void *buf, size_t size)
{
	struct ghost *g = kzalloc(sizeof(*g), GFP_KERNEL);
	struct mem_ghost *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!g || !m) {
		kfree(g);
		kfree(m);
		return NULL;
	}
	m->buf = buf;
	m->size = size;
	g->ops = &mem_ops;
	g->priv = m;
	atomic_inc(&ghost_live);
	return g;
}
