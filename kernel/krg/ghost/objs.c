// SPDX-License-Identifier: GPL-2.0
/*
 * Objects shared between the tasks of a tree, or between fds of one task:
 * open files, pipes, shared anonymous memory. A checkpoint numbers each
 * object the first time a task meets it (by its kernel address); the
 * first task also saves the object's content. A restart creates each
 * object the first time a task asks for its number, and hands the same
 * object to every other task that asks: sharing survives, whatever order
 * the tasks run in.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <krg/ghost_objs.h>

struct ghost_obj {
	const void *key;	/* checkpoint: the kernel object */
	struct file *file[2];	/* restart: the object (pipes: both ends) */
};

struct ghost_objs {
	struct mutex lock;
	u32 n, cap;
	struct ghost_obj *obj;	/* ids are 1..n: obj[id - 1] */
};

/* Tables not freed yet: leak checks read it (/sys/kernel/krg/ghost_tables). */
atomic_t ghost_objs_live = ATOMIC_INIT(0);

struct ghost_objs *ghost_objs_new(void)
{
	struct ghost_objs *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (o) {
		mutex_init(&o->lock);
		atomic_inc(&ghost_objs_live);
	}
	return o;
}

void ghost_objs_free(struct ghost_objs *o)
{
	u32 i;

	if (!o)
		return;
	for (i = 0; i < o->n; i++) {
		if (o->obj[i].file[0])
			fput(o->obj[i].file[0]);
		if (o->obj[i].file[1])
			fput(o->obj[i].file[1]);
	}
	kvfree(o->obj);
	kfree(o);
	atomic_dec(&ghost_objs_live);
}

/* Make room for id @id; under o->lock. */
static int grow(struct ghost_objs *o, u32 id)
{
	struct ghost_obj *bigger;
	u32 cap;

	if (id > GHOST_OBJS_MAX)
		return -E2BIG;
	if (id <= o->cap)
		return 0;
	cap = max3(id, 2 * o->cap, 64U);
	bigger = kvcalloc(cap, sizeof(*bigger), GFP_KERNEL);
	if (!bigger)
		return -ENOMEM;
	if (o->obj)
		memcpy(bigger, o->obj, o->cap * sizeof(*bigger));
	kvfree(o->obj);
	o->obj = bigger;
	o->cap = cap;
	return 0;
}

/**
 * ghost_objs_id - the number of @key in this checkpoint
 * @first: set if the caller is the first to meet it (and saves it)
 *
 * Return: the id (1..GHOST_OBJS_MAX), or -errno.
 */
int ghost_objs_id(struct ghost_objs *o, const void *key, bool *first)
{
	u32 i;
	int err;

	mutex_lock(&o->lock);
	for (i = 0; i < o->n; i++) {
		if (o->obj[i].key == key) {
			mutex_unlock(&o->lock);
			*first = false;
			return i + 1;
		}
	}
	err = grow(o, o->n + 1);
	if (!err) {
		o->obj[o->n++].key = key;
		*first = true;
		err = o->n;
	}
	mutex_unlock(&o->lock);
	return err;
}

/* The id of @key if some task met it already, else 0. */
u32 ghost_objs_find(struct ghost_objs *o, const void *key)
{
	u32 i, id = 0;

	mutex_lock(&o->lock);
	for (i = 0; i < o->n && !id; i++)
		if (o->obj[i].key == key)
			id = i + 1;
	mutex_unlock(&o->lock);
	return id;
}

static int get_locked(struct ghost_objs *o, u32 id,
		      int (*make)(void *arg, struct file **files), void *arg,
		      struct file **files)
{
	struct file *made[2] = {};
	struct ghost_obj *obj;
	int err, i;

	if (!id || id > GHOST_OBJS_MAX)
		return -EINVAL;
	err = grow(o, id);
	if (err)
		return err;
	o->n = max(o->n, id);
	if (!o->obj[id - 1].file[0]) {
		err = make(arg, made);
		if (err)
			return err;
		/* A nested get may have moved the table, or made this id. */
		obj = &o->obj[id - 1];
		if (obj->file[0] || !made[0]) {
			for (i = 0; i < 2; i++)
				if (made[i])
					fput(made[i]);
			return -EINVAL;	/* an object made of itself */
		}
		obj->file[0] = made[0];
		obj->file[1] = made[1];
	}
	obj = &o->obj[id - 1];
	for (i = 0; i < 2; i++)
		files[i] = obj->file[i] ? get_file(obj->file[i]) : NULL;
	return 0;
}

/**
 * ghost_objs_get - the files of object @id in this restart
 * @make: creates them (both ends for a pipe, else @files[1] NULL) if the
 *        object is new; called under the table's lock
 * @files: the object's files, with a reference each
 *
 * Return: 0 or -errno (-EINVAL for an id out of range).
 */
int ghost_objs_get(struct ghost_objs *o, u32 id,
		   int (*make)(void *arg, struct file **files), void *arg,
		   struct file **files)
{
	int err;

	mutex_lock(&o->lock);
	err = get_locked(o, id, make, arg, files);
	mutex_unlock(&o->lock);
	return err;
}

/* ghost_objs_get() from a make() callback: the lock is held already. */
int ghost_objs_get_nested(struct ghost_objs *o, u32 id,
			  int (*make)(void *arg, struct file **files),
			  void *arg, struct file **files)
{
	lockdep_assert_held(&o->lock);
	return get_locked(o, id, make, arg, files);
}
