// SPDX-License-Identifier: GPL-2.0
/*
 * The receiving end of a migration. The node the process leaves streams
 * its image here in KRG_RPC_MIGRATE messages, into a staging area: a
 * private tmpfs mount that no path reaches, one per migration. Then it
 * asks to run it: a child of the reaper restarts the image from there,
 * eagerly (all memory in place), and the staging area goes.
 *
 * A message is a struct migrate_wire, then for MIGRATE_PART the bytes:
 *
 *   MIGRATE_BEGIN  a staging area for (sender, id);
 *   MIGRATE_PART   write the bytes to file @name at @offset;
 *   MIGRATE_RUN    restart it; the reply (later) is a struct
 *                  migrate_result. @relay: the node of the process's
 *                  shadow, or -1 (epm/shadow.c);
 *   MIGRATE_ABORT  drop it.
 *
 * The image was made by a krg kernel from a process the caller could
 * migrate, and no one else could write it: it is restarted as trusted,
 * with the process's own credentials, whoever asked. A node stages
 * MIGRATE_PER_NODE migrations at a time from each node, of
 * KRG_MIGRATE_MAX_BYTES at most each, in a tmpfs of half its memory at
 * most; a node that leaves loses its staging areas, and one left idle
 * for STAGING_IDLE goes at the sender's next BEGIN.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/krg_netlink.h>
#include <krg/epm.h>
#include <krg/membership.h>
#include <krg/node.h>
#include <krg/pid.h>
#include <krg/rpc.h>
#include "migrate.h"

#define MIGRATE_PER_NODE	2
/* Half the memory at most, and a file per task and a few. */
#define AREA_OPTIONS		"size=50%,nr_inodes=4200"
/* A staging area nothing was written to for this long is dropped. */
#define STAGING_IDLE		(60 * HZ)
/* A restart reads the whole image: it may take long. */
#define MIGRATE_RUN_TIMEOUT	(600 * HZ)

struct staging {
	struct list_head list;
	int node;
	u32 id;
	struct vfsmount *mnt;
	u64 bytes;
	unsigned long touched;	/* jiffies of its last message */
	bool running;
};

static LIST_HEAD(stagings);
atomic_t krg_migrations_in = ATOMIC_INIT(0);
static DEFINE_MUTEX(staging_lock);

static struct staging *find(int node, u32 id)
{
	struct staging *s;

	list_for_each_entry(s, &stagings, list)
		if (s->node == node && s->id == id)
			return s;
	return NULL;
}

/* Out of the list first (under staging_lock), then this. */
static void staging_free(struct staging *s)
{
	atomic_dec(&krg_migrations_in);
	kern_unmount(s->mnt);
	kfree(s);
}

/**
 * krg_migrate_area - a private tmpfs mount, for one image
 */
struct vfsmount *krg_migrate_area(void)
{
	struct file_system_type *type = get_fs_type("tmpfs");
	char opts[] = AREA_OPTIONS;
	struct vfsmount *mnt;

	if (!type)
		return ERR_PTR(-ENODEV);
	mnt = vfs_kern_mount(type, SB_KERNMOUNT, type->name, opts);
	put_filesystem(type);
	return mnt;
}

static int begin(int node, u32 id)
{
	struct staging *s, *other, *next;
	unsigned int count = 0;
	LIST_HEAD(stale);
	int err = 0;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->node = node;
	s->id = id;
	s->mnt = krg_migrate_area();
	if (IS_ERR(s->mnt)) {
		err = PTR_ERR(s->mnt);
		kfree(s);
		return err;
	}
	s->touched = jiffies;
	mutex_lock(&staging_lock);
	/* Left over by a sender that gave up without a word. */
	list_for_each_entry_safe(other, next, &stagings, list) {
		if (other->node == node && !other->running &&
		    time_after(jiffies, other->touched + STAGING_IDLE)) {
			list_move(&other->list, &stale);
			continue;
		}
		count += other->node == node;
	}
	if (find(node, id))
		err = -EEXIST;
	else if (count >= MIGRATE_PER_NODE)
		err = -EBUSY;
	else
		list_add(&s->list, &stagings);
	atomic_inc(&krg_migrations_in);
	mutex_unlock(&staging_lock);
	if (err)
		staging_free(s);
	list_for_each_entry_safe(other, next, &stale, list)
		staging_free(other);
	return err;
}

/* Part names are the image's: letters, digits, '.', '-', '_'. */
static bool good_name(const char *name, size_t size)
{
	size_t i, len = strnlen(name, size);

	if (!len || len == size || name[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("._-", name[i]))
			return false;
	return true;
}

static int part(int node, const struct migrate_wire *w, const void *data,
		size_t len)
{
	loff_t off = le64_to_cpu(w->offset);
	struct vfsmount *mnt = NULL;
	struct staging *s;
	struct file *f;
	ssize_t n;
	int err;

	if (!good_name(w->name, sizeof(w->name)) || off < 0 ||
	    off > KRG_MIGRATE_MAX_BYTES)
		return -EPROTO;
	mutex_lock(&staging_lock);
	s = find(node, le32_to_cpu(w->id));
	err = -ENOENT;
	if (s && !s->running) {
		err = -EFBIG;
		if (s->bytes + len <= KRG_MIGRATE_MAX_BYTES) {
			s->bytes += len;
			s->touched = jiffies;
			mnt = mntget(s->mnt);
			err = 0;
		}
	}
	mutex_unlock(&staging_lock);
	if (err)
		return err;
	f = file_open_root_mnt(mnt, w->name, O_WRONLY | O_CREAT | O_LARGEFILE,
			       0600);
	if (IS_ERR(f)) {
		err = PTR_ERR(f);
	} else {
		n = kernel_write(f, data, len, &off);
		err = n < 0 ? n : n != len ? -EIO : 0;
		fput(f);
	}
	mntput(mnt);
	return err;
}

/* A child of the reaper: the restart of one staged image. */
struct run_job {
	struct staging *s;
	pid_t root;
	int relay;
	struct krg_rpc_later *reply;
};

static int run_fn(void *arg)
{
	struct run_job *job = arg;
	struct migrate_result rr;
	struct krg_cr_result res = {};
	struct file *dir;
	int err = 0;

	if (job->relay >= 0)
		err = krg_shadow_relay_add(job->root, job->relay);
	if (!err) {
		dir = file_open_root_mnt(job->s->mnt, "/",
					 O_RDONLY | O_DIRECTORY, 0);
		if (IS_ERR(dir)) {
			err = PTR_ERR(dir);
		} else {
			err = krg_restart(dir, KRG_CR_EAGER | KRG_CR_TRUST,
					  &res);
			fput(dir);
		}
		if (job->relay >= 0)
			krg_shadow_relay_arm(job->root, !err);
	}
	mutex_lock(&staging_lock);
	list_del(&job->s->list);
	mutex_unlock(&staging_lock);
	staging_free(job->s);

	krg_migrate_result_fill(&rr, err, &res);
	krg_rpc_reply_later(job->reply, 0, &rr, sizeof(rr));
	kfree(job);
	/* A kernel_thread() that returns would go to user space. */
	do_exit(0);
}

static int run(const struct krg_rpc_request *req, const struct migrate_wire *w)
{
	s32 relay = le32_to_cpu(w->relay);
	pid_t root = le32_to_cpu(w->root);
	struct krg_rpc_later *later;
	struct run_job *job;
	struct staging *s;
	pid_t pid;

	if (!krg_pid_valid(root) || relay < -1 || relay >= KRG_MAX_NODES)
		return -EPROTO;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	mutex_lock(&staging_lock);
	s = find(req->src_node, le32_to_cpu(w->id));
	if (s && !s->running)
		s->running = true;
	else
		s = NULL;
	mutex_unlock(&staging_lock);
	if (!s) {
		kfree(job);
		return -ENOENT;
	}
	job->s = s;
	job->root = root;
	job->relay = relay;
	later = krg_rpc_defer(req);
	job->reply = later;
	pid = later ? krg_reaper_spawn(run_fn, job, "krg_migrate") : -ENOMEM;
	if (pid >= 0)
		return KRG_RPC_LATER;
	/* Not started: the caller learns it from this reply. */
	if (later)
		krg_rpc_reply_later(later, pid, NULL, 0);
	mutex_lock(&staging_lock);
	list_del(&s->list);
	mutex_unlock(&staging_lock);
	staging_free(s);
	kfree(job);
	return later ? KRG_RPC_LATER : pid;
}

static void drop(int node, u32 id)
{
	struct staging *s;

	mutex_lock(&staging_lock);
	s = find(node, id);
	if (s && !s->running)
		list_del(&s->list);
	else
		s = NULL;
	mutex_unlock(&staging_lock);
	if (s)
		staging_free(s);
}

static int migrate_handler(const struct krg_rpc_request *req,
			   struct krg_rpc_reply *reply)
{
	const struct migrate_wire *w = req->data;
	u32 op;

	if (req->len < sizeof(*w))
		return -EPROTO;
	op = le32_to_cpu(w->op);
	if (op != MIGRATE_PART && req->len != sizeof(*w))
		return -EPROTO;
	switch (op) {
	case MIGRATE_BEGIN:
		if (krg_state() == KRG_STATE_LEFT)
			return -EHOSTDOWN;
		return begin(req->src_node, le32_to_cpu(w->id));
	case MIGRATE_PART:
		return part(req->src_node, w, w + 1, req->len - sizeof(*w));
	case MIGRATE_RUN:
		return run(req, w);
	case MIGRATE_ABORT:
		drop(req->src_node, le32_to_cpu(w->id));
		return 0;
	}
	return -EPROTO;
}

/* A node that left takes its staging areas along. */
static int on_node_event(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	int node = (long)data;
	struct staging *s, *next;
	LIST_HEAD(gone);

	if (event != KRG_NODE_DOWN)
		return NOTIFY_DONE;
	mutex_lock(&staging_lock);
	list_for_each_entry_safe(s, next, &stagings, list)
		if (s->node == node && !s->running)
			list_move(&s->list, &gone);
	mutex_unlock(&staging_lock);
	list_for_each_entry_safe(s, next, &gone, list)
		staging_free(s);
	return NOTIFY_DONE;
}

static struct notifier_block node_events = {
	.notifier_call = on_node_event,
};

/* Drop a staging area that does not exist. */
static const struct migrate_wire migrate_sample = {
	.op = cpu_to_le32(MIGRATE_ABORT),
	.id = cpu_to_le32(0xffffffff),
};

static const struct krg_rpc_service migrate_service = {
	.type = KRG_RPC_MIGRATE,
	.name = "migrate",
	.handler = migrate_handler,
	.sample = &migrate_sample,
	.sample_len = sizeof(migrate_sample),
};

int krg_migrate_in_init(void)
{
	int err = krg_rpc_register(&migrate_service);

	if (!err) {
		err = krg_node_notifier_register(&node_events);
		if (err)
			krg_rpc_unregister(&migrate_service);
	}
	return err;
}
