// SPDX-License-Identifier: GPL-2.0
/*
 * Objects shared between the tasks of a tree, or between fds of one task:
 * open files, pipes, socket pairs, shared anonymous memory. A checkpoint
 * numbers each object the first time a task meets it (by its kernel
 * address); the first task also saves the object's content. A restart
 * creates each object the first time a task asks for its number, and
 * hands the same object to every other task that asks: sharing survives,
 * whatever order the tasks run in.
 *
 * On restart the first use of a number also fixes the object's kind, and
 * a use as another kind is refused. An object is made without the table's
 * lock held (making one may open a FIFO, or make another object); a task
 * that asks for it meanwhile waits for it, and a task that asks for the
 * object it is making (an image where an object is made of itself) is
 * refused. The content of a pipe or socket pair is given once only.
 *
 * What must be undone once the restart is over, whether the tree runs or
 * not (the names of files that stand for deleted ones), is registered
 * with ghost_objs_at_end() and done by ghost_objs_end().
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_task.h>

struct ghost_obj {
	const void *key;	/* checkpoint: the kernel object */
	struct file *file[2];	/* restart: the object (pipes: both ends) */
	unsigned int kind;	/* restart: enum ghost_obj_kind, 0 if unused */
	struct task_struct *maker;	/* making it now */
	int err;		/* making it failed */
	bool filled;		/* its content was given */
};

struct end_hook {
	struct list_head list;
	ghost_obj_end_t fn;
	void *arg;
};

struct ghost_objs {
	struct mutex lock;
	struct list_head at_end;	/* struct end_hook */
	wait_queue_head_t made;
	unsigned int makes;	/* objects made or failed so far */
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
		INIT_LIST_HEAD(&o->at_end);
		init_waitqueue_head(&o->made);
		atomic_inc(&ghost_objs_live);
	}
	return o;
}

void ghost_objs_free(struct ghost_objs *o)
{
	u32 i;

	if (!o)
		return;
	ghost_objs_end(o, NULL);
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

/**
 * ghost_objs_at_end - have @fn(@arg, msg) called once the restart is over
 *
 * @fn returns 0 or -errno, with msg (GHOST_MSG_LEN bytes) set: an error
 * fails the restart, whose tree then never runs.
 *
 * Return: 0 or -ENOMEM (then @fn is called now).
 */
int ghost_objs_at_end(struct ghost_objs *o, ghost_obj_end_t fn, void *arg)
{
	struct end_hook *h = kmalloc(sizeof(*h), GFP_KERNEL);
	char msg[GHOST_MSG_LEN] = "";

	if (!h) {
		fn(arg, msg);
		return -ENOMEM;
	}
	h->fn = fn;
	h->arg = arg;
	mutex_lock(&o->lock);
	list_add_tail(&h->list, &o->at_end);
	mutex_unlock(&o->lock);
	return 0;
}

/**
 * ghost_objs_end - the restart is over: what ghost_objs_at_end() registered
 *
 * Every hook is called. Return: 0, or the first one's error, with @msg
 * (if not NULL) set.
 */
int ghost_objs_end(struct ghost_objs *o, char *msg)
{
	struct end_hook *h, *tmp;
	char scratch[GHOST_MSG_LEN];
	LIST_HEAD(hooks);
	int err = 0, e;

	mutex_lock(&o->lock);
	list_splice_init(&o->at_end, &hooks);
	mutex_unlock(&o->lock);
	list_for_each_entry_safe(h, tmp, &hooks, list) {
		scratch[0] = '\0';	/* each failure logs its own line */
		e = h->fn(h->arg, err || !msg ? scratch : msg);
		err = err ?: e;
		kfree(h);
	}
	return err;
}

/* Make room for id @id; under o->lock. */
static int grow(struct ghost_objs *o, u32 id)
{
	struct ghost_obj *bigger;
	u32 cap;

	if (!id || id > GHOST_OBJS_MAX)
		return -EINVAL;
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

static void take(struct ghost_obj *obj, struct file **files)
{
	int i;

	for (i = 0; i < 2; i++)
		files[i] = obj->file[i] ? get_file(obj->file[i]) : NULL;
}

/* Wait, unlocked, until another object is made; under o->lock. */
static int wait_made(struct ghost_objs *o)
{
	unsigned int makes = o->makes;
	int err;

	mutex_unlock(&o->lock);
	err = wait_event_killable(o->made, READ_ONCE(o->makes) != makes);
	mutex_lock(&o->lock);
	return err;
}

/**
 * ghost_objs_get - the files of object @id of this restart, of @kind
 * @make: creates them (both ends for a pipe, else @files[1] NULL) if the
 *        object is new; called without the table's lock
 * @files: the object's files, with a reference each
 *
 * Return: 0 or -errno: -EINVAL for an id out of range, an object of
 * another kind or one made of itself, make()'s error for a new object.
 */
int ghost_objs_get(struct ghost_objs *o, u32 id, enum ghost_obj_kind kind,
		   ghost_obj_make_t make, void *arg, struct file **files)
{
	struct file *made[2] = {};
	struct ghost_obj *obj;
	int err, i;

	files[0] = files[1] = NULL;
	mutex_lock(&o->lock);
	err = grow(o, id);
	while (!err && o->obj[id - 1].maker) {
		if (o->obj[id - 1].maker == current)
			err = -EINVAL;	/* made of itself */
		else
			err = wait_made(o);
	}
	if (err)
		goto out;
	o->n = max(o->n, id);
	obj = &o->obj[id - 1];
	if (obj->kind && obj->kind != kind) {
		err = -EINVAL;
	} else if (obj->kind) {
		err = obj->err;
		if (!err)
			take(obj, files);
	} else {
		obj->kind = kind;
		obj->maker = current;
		mutex_unlock(&o->lock);
		err = make(arg, made);
		if (!err && !made[0])
			err = -EINVAL;
		mutex_lock(&o->lock);
		obj = &o->obj[id - 1];	/* the table may have grown */
		obj->maker = NULL;
		obj->err = err;
		if (!err) {
			obj->file[0] = made[0];
			obj->file[1] = made[1];
			take(obj, files);
		} else {
			for (i = 0; i < 2; i++)
				if (made[i])
					fput(made[i]);
		}
		WRITE_ONCE(o->makes, o->makes + 1);
		wake_up_all(&o->made);
	}
out:
	mutex_unlock(&o->lock);
	return err;
}

/**
 * ghost_objs_content - object @id, made already, whose content comes now
 * @kinds: what it may be (a mask of enum ghost_obj_kind)
 * @once: its content comes in one section, which must not come again
 * @files: its files, with a reference each
 *
 * A content section comes after the fd that made its object.
 * Return: 0, -EINVAL for an unknown object or one of another kind,
 * -EEXIST if its content came already.
 */
int ghost_objs_content(struct ghost_objs *o, u32 id, unsigned int kinds,
		       bool once, struct file **files)
{
	struct ghost_obj *obj;
	int err = -EINVAL;

	files[0] = files[1] = NULL;
	mutex_lock(&o->lock);
	if (id && id <= o->n) {
		obj = &o->obj[id - 1];
		if (!(obj->kind & kinds) || obj->maker || obj->err ||
		    !obj->file[0])
			err = -EINVAL;
		else if (once && obj->filled)
			err = -EEXIST;
		else
			err = 0;
		if (!err) {
			obj->filled = true;
			take(obj, files);
		}
	}
	mutex_unlock(&o->lock);
	return err;
}
