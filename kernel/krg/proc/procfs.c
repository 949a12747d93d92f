// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID of processes on other nodes: Kerrighed's global /proc, for
 * stat, status and cmdline. In a /proc of the cluster PID namespace (as
 * krgrun mounts one), proc_pid_lookup() asks krg about a PID that no task
 * here has (patch 0019). If another node runs it (runner.c), the lookup
 * makes a directory holding those three files, owned as that node's
 * /proc/PID is. Each open asks that node again, which renders the file
 * with its own procfs code, wearing the reader's credentials for the
 * ptrace checks /proc makes. Nothing is kept: the process may exit or
 * move at any time, so these dentries are looked up afresh on each walk.
 * A file held open stays with its process, as local /proc's do: the
 * lookup notes the process's generation (from its start time), and a
 * read of a PID since reused by another process fails with -ESRCH.
 *
 * KRG_RPC_PROC's request is a struct proc_wire: the PID, what is asked
 * (PROC_LOOKUP, or a file), the generation the lookup saw, and the
 * reader's fsuid and fsgid in the initial user namespace and whether it
 * holds CAP_SYS_PTRACE there. The reply to PROC_LOOKUP is a struct
 * proc_owner; to a file, its text. The reader's LSM label does not
 * travel: the node that runs the process checks under the kernel's (krg
 * kernels enable no LSM).
 *
 * Only what /proc shows on one machine is shown: readdir of /proc lists
 * only this node's processes, and remote entries are not made for a
 * /proc mounted with hidepid, for a reader outside the initial user
 * namespace, or, with ps_hide_others set, for another user's process
 * unless the reader holds CAP_SYS_PTRACE.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/krg_hooks.h>
#include <linux/namei.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched/coredump.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include <krg/ps.h>
#include <krg/rpc.h>

enum proc_ask {
	PROC_LOOKUP,
	PROC_STAT,
	PROC_STATUS,
	PROC_CMDLINE,
};

/* The largest file rendered: status is about 1.5 KiB, stat 0.3 KiB. */
#define PROC_FILE_MAX	(64 << 10)

struct proc_wire {
	__le32 pid;
	__le32 ask;		/* enum proc_ask */
	__le32 fsuid, fsgid;	/* the reader, in the initial user namespace */
	__le32 cap_ptrace;	/* 1: CAP_SYS_PTRACE in the initial user ns */
	__le32 generation;	/* a file: the lookup's, or 0 */
} __packed;

/* Who owns /proc/PID: its euid and egid, or root if not dumpable. */
struct proc_owner {
	__le32 uid, gid;
	__le32 generation;	/* never 0 */
} __packed;

/* Which process holds the PID: reused PIDs differ (almost surely). */
static u32 generation(struct task_struct *t)
{
	u64 start = t->start_boottime;

	return (u32)(start ^ start >> 32) ?: 1;
}

static const struct {
	const char *name;
	enum proc_ask ask;
} files[] = {
	{ "cmdline", PROC_CMDLINE },
	{ "stat", PROC_STAT },
	{ "status", PROC_STATUS },
};

/* The runner's side: the reader's credentials, for /proc's checks. */
static struct cred *reader_cred(const struct proc_wire *w)
{
	kuid_t uid = make_kuid(&init_user_ns, le32_to_cpu(w->fsuid));
	kgid_t gid = make_kgid(&init_user_ns, le32_to_cpu(w->fsgid));
	struct cred *c;

	if (!uid_valid(uid) || !gid_valid(gid))
		return ERR_PTR(-EPROTO);
	c = prepare_kernel_cred(&init_task);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = gid;
	c->cap_inheritable = CAP_EMPTY_SET;
	c->cap_permitted = CAP_EMPTY_SET;
	c->cap_effective = CAP_EMPTY_SET;
	c->cap_bset = CAP_EMPTY_SET;
	c->cap_ambient = CAP_EMPTY_SET;
	if (le32_to_cpu(w->cap_ptrace)) {
		cap_raise(c->cap_permitted, CAP_SYS_PTRACE);
		cap_raise(c->cap_effective, CAP_SYS_PTRACE);
	}
	return c;
}

static int owner(struct task_struct *t, struct krg_rpc_reply *reply)
{
	struct proc_owner *o = kvzalloc(sizeof(*o), GFP_KERNEL);
	const struct cred *cred;
	bool dumpable;

	if (!o)
		return -ENOMEM;
	task_lock(t);
	dumpable = !t->mm || get_dumpable(t->mm) == SUID_DUMP_USER;
	task_unlock(t);
	if (dumpable) {
		rcu_read_lock();
		cred = __task_cred(t);
		o->uid = cpu_to_le32(from_kuid_munged(&init_user_ns,
						      cred->euid));
		o->gid = cpu_to_le32(from_kgid_munged(&init_user_ns,
						      cred->egid));
		rcu_read_unlock();
	}
	o->generation = cpu_to_le32(generation(t));
	reply->data = o;
	reply->len = sizeof(*o);
	return 0;
}

/* stat or status as this node's /proc renders them, growing as needed. */
static int render(struct task_struct *t, bool status, const struct cred *c,
		  struct krg_rpc_reply *reply)
{
	struct seq_file m = {};
	size_t size;
	int err;

	for (size = PAGE_SIZE; size <= PROC_FILE_MAX; size *= 2) {
		m.buf = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		if (!m.buf)
			return -ENOMEM;
		m.size = size;
		m.count = 0;
		err = krg_proc_pid_show(&m, krg_pid_ns(), t, status, c);
		if (!err && !seq_has_overflowed(&m)) {
			reply->data = m.buf;
			reply->len = m.count;
			return 0;
		}
		kvfree(m.buf);
		if (err)
			return err;
	}
	return -EFBIG;
}

static int cmdline(struct task_struct *t, struct krg_rpc_reply *reply)
{
	char *buf = kvmalloc(PROC_FILE_MAX, GFP_KERNEL_ACCOUNT);

	if (!buf)
		return -ENOMEM;
	reply->data = buf;
	reply->len = krg_read_cmdline(t, buf, PROC_FILE_MAX);
	return 0;
}

static int proc_file_handler(const struct krg_rpc_request *req,
			struct krg_rpc_reply *reply)
{
	struct pid_namespace *ns = krg_pid_ns();
	const struct proc_wire *w = req->data;
	const struct cred *old;
	struct task_struct *t;
	struct cred *c;
	u32 ask;
	int err;

	if (req->len != sizeof(*w))
		return -EPROTO;
	ask = le32_to_cpu(w->ask);
	if (ask > PROC_CMDLINE || !krg_pid_valid(le32_to_cpu(w->pid)))
		return -EPROTO;
	if (!ns || krg_location_elsewhere(le32_to_cpu(w->pid)))
		return -ESRCH;
	c = reader_cred(w);
	if (IS_ERR(c))
		return PTR_ERR(c);
	rcu_read_lock();
	t = find_task_by_pid_ns(le32_to_cpu(w->pid), ns);
	if (t)
		get_task_struct(t);
	rcu_read_unlock();
	if (t && w->generation &&
	    le32_to_cpu(w->generation) != generation(t)) {
		put_task_struct(t);
		t = NULL;
	}
	if (!t) {
		put_cred(c);
		return -ESRCH;
	}
	old = override_creds(c);
	if (ask == PROC_LOOKUP)
		err = owner(t, reply);
	else if (ask == PROC_CMDLINE)
		err = cmdline(t, reply);
	else
		err = render(t, ask == PROC_STATUS, c, reply);
	revert_creds(old);
	put_cred(c);
	put_task_struct(t);
	return err;
}

/* The reader's side. */

static int ask_runner(pid_t pid, enum proc_ask ask, u32 generation,
		      struct krg_rpc_reply *reply)
{
	const struct cred *cred = current_cred();
	struct proc_wire w = {
		.pid = cpu_to_le32(pid),
		.ask = cpu_to_le32(ask),
		.fsuid = cpu_to_le32(from_kuid_munged(&init_user_ns,
						      cred->fsuid)),
		.fsgid = cpu_to_le32(from_kgid_munged(&init_user_ns,
						      cred->fsgid)),
		.cap_ptrace = cpu_to_le32(krg_caller_capable(CAP_SYS_PTRACE)),
		.generation = cpu_to_le32(generation),
	};

	return krg_ask_runner(pid, KRG_RPC_PROC, &w, sizeof(w), reply,
			      ask == PROC_LOOKUP ? sizeof(struct proc_owner) :
			      PROC_FILE_MAX);
}

/* What an inode stands for: the PID, and which file (or the directory). */
static pid_t inode_pid(const struct inode *inode)
{
	return (unsigned long)inode->i_private >> 2;
}

static enum proc_ask inode_ask(const struct inode *inode)
{
	return (unsigned long)inode->i_private & 3;
}

static int remote_show(struct seq_file *m, void *v)
{
	struct inode *inode = m->private;
	struct krg_rpc_reply reply;
	int err;

	err = ask_runner(inode_pid(inode), inode_ask(inode),
			 inode->i_generation, &reply);
	if (err)
		return err;
	seq_write(m, reply.data, reply.len);
	krg_rpc_reply_free(&reply);
	return 0;
}

static int remote_open(struct inode *inode, struct file *file)
{
	return single_open(file, remote_show, inode);
}

static const struct file_operations remote_file_fops = {
	.open = remote_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

/* Never cached: the process may be gone or elsewhere at the next walk. */
static int remote_revalidate(struct dentry *dentry, unsigned int flags)
{
	return 0;
}

static const struct dentry_operations remote_dentry_ops = {
	.d_revalidate = remote_revalidate,
	.d_delete = always_delete_dentry,
};

/* As /proc/PID's: its mode and owner are the process's to say. */
static int remote_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			  struct iattr *attr)
{
	return -EPERM;
}

static const struct inode_operations remote_file_iops = {
	.setattr = remote_setattr,
};

static const struct inode_operations remote_dir_iops;
static const struct file_operations remote_dir_fops;

static struct dentry *remote_instantiate(struct dentry *dentry,
					 struct inode *like, pid_t pid,
					 enum proc_ask ask, kuid_t uid,
					 kgid_t gid, u32 generation)
{
	struct inode *inode = new_inode(dentry->d_sb);

	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->i_ino = get_next_ino();
	inode->i_private = (void *)((unsigned long)pid << 2 | ask);
	inode->i_uid = like ? like->i_uid : uid;
	inode->i_gid = like ? like->i_gid : gid;
	inode->i_generation = like ? like->i_generation : generation;
	simple_inode_init_ts(inode);
	if (ask == PROC_LOOKUP) {
		inode->i_mode = S_IFDIR | 0555;
		inode->i_op = &remote_dir_iops;
		inode->i_fop = &remote_dir_fops;
		set_nlink(inode, 2);
	} else {
		inode->i_mode = S_IFREG | 0444;
		inode->i_op = &remote_file_iops;
		inode->i_fop = &remote_file_fops;
	}
	d_set_d_op(dentry, &remote_dentry_ops);
	return d_splice_alias(inode, dentry);
}

static struct dentry *remote_lookup(struct inode *dir, struct dentry *dentry,
				    unsigned int flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++)
		if (!strcmp(dentry->d_name.name, files[i].name))
			return remote_instantiate(dentry, dir, inode_pid(dir),
						  files[i].ask,
						  GLOBAL_ROOT_UID,
						  GLOBAL_ROOT_GID, 0);
	return ERR_PTR(-ENOENT);
}

static int remote_readdir(struct file *file, struct dir_context *ctx)
{
	unsigned int i;

	if (!dir_emit_dots(file, ctx) || ctx->pos >= 2 + ARRAY_SIZE(files))
		return 0;
	for (i = ctx->pos - 2; i < ARRAY_SIZE(files); i++) {
		if (!dir_emit(ctx, files[i].name, strlen(files[i].name),
			      1, DT_REG))
			return 0;
		ctx->pos++;
	}
	return 0;
}

static const struct inode_operations remote_dir_iops = {
	.lookup = remote_lookup,
	.setattr = remote_setattr,
};

static const struct file_operations remote_dir_fops = {
	.read = generic_read_dir,
	.iterate_shared = remote_readdir,
	.llseek = generic_file_llseek,
};

/* May this reader see another node's processes through this /proc? */
static bool may_look_elsewhere(struct dentry *dentry, pid_t nr)
{
	struct proc_fs_info *fs_info = proc_sb_info(dentry->d_sb);

	return fs_info->pid_ns == krg_pid_ns() && krg_pid_valid(nr) &&
	       fs_info->hide_pid == HIDEPID_OFF &&
	       current_user_ns() == &init_user_ns;
}

struct dentry *krg_proc_lookup_elsewhere(struct dentry *dentry,
					 unsigned int nr)
{
	struct krg_rpc_reply reply;
	const struct proc_owner *o;
	u32 generation;
	kuid_t uid;
	kgid_t gid;
	int err;

	if (!may_look_elsewhere(dentry, nr))
		return ERR_PTR(-ENOENT);
	err = ask_runner(nr, PROC_LOOKUP, 0, &reply);
	if (err == -ESRCH || err == -EPERM)
		return ERR_PTR(-ENOENT);
	if (err)
		return ERR_PTR(err);
	o = reply.data;
	if (reply.len != sizeof(*o)) {
		krg_rpc_reply_free(&reply);
		return ERR_PTR(-EPROTO);
	}
	uid = make_kuid(&init_user_ns, le32_to_cpu(o->uid));
	gid = make_kgid(&init_user_ns, le32_to_cpu(o->gid));
	generation = le32_to_cpu(o->generation);
	krg_rpc_reply_free(&reply);
	if (!uid_valid(uid) || !gid_valid(gid) || !generation)
		return ERR_PTR(-EPROTO);
	if (READ_ONCE(krg_ps_hide_others) && !uid_eq(uid, current_uid()) &&
	    !krg_caller_capable(CAP_SYS_PTRACE))
		return ERR_PTR(-ENOENT);
	return remote_instantiate(dentry, NULL, nr, PROC_LOOKUP, uid, gid,
				  generation);
}

static const struct proc_wire proc_sample = {
	.pid = cpu_to_le32(KRG_PID_LOCAL_MAX | 1 << KRG_PID_NODE_SHIFT),
	.ask = cpu_to_le32(PROC_LOOKUP),
	.fsuid = cpu_to_le32(65534),
	.fsgid = cpu_to_le32(65534),
};

static const struct krg_rpc_service proc_service = {
	.type = KRG_RPC_PROC,
	.name = "proc",
	.handler = proc_file_handler,
	.sample = &proc_sample,
	.sample_len = sizeof(proc_sample),
};

int krg_procfs_init(void)
{
	return krg_rpc_register(&proc_service);
}
