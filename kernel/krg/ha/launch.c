// SPDX-License-Identifier: GPL-2.0
/*
 * Start an application again from how its root was started, and kill
 * every task of an application: the services a policy such as
 * restart_scratch stands on.
 *
 * The launch record (struct ha_launch_wire) is captured at attach on the
 * node that runs the root: its name, executable, arguments, environment,
 * working directory, umask, credentials, and where its standard output
 * and error went when they were regular files (reopened for appending;
 * anything else, and standard input, become /dev/null).
 *
 * KRG_RPC_HA_LAUNCH starts it on the receiving node as a child of the
 * reaper in the cluster PID namespace, tagged with the application's id,
 * and answers its new PID once it has executed (or the error that
 * stopped it). KRG_RPC_HA_KILL kills the application's tasks on the
 * receiving node and answers once none is left alive.
 */
#define pr_fmt(fmt) "krg: ha: " fmt

#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs_struct.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <krg/ghost_task.h>
#include <krg/membership.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include <krg/rpc.h>
#include "ha_internal.h"

#define KILL_WAIT_MS	5000

/* The record: its fixed part, then creds, exe, cwd, out, err, argv, env. */
struct ha_launch_wire {
	char comm[TASK_COMM_LEN];	/* as ps shows it, NUL-ended */
	__le32 umask;
	__le32 creds_len;
	__le32 exe_len;		/* each string counts its NUL */
	__le32 cwd_len;
	__le32 out_len;
	__le32 err_len;
	__le32 argv_len;	/* NUL-separated, NUL-ended */
	__le32 env_len;
	u8 data[];
} __packed;

/* A path of @f, or of @path, as the node sees it; NULL if none. */
static char *path_of(const struct path *path, char *buf)
{
	char *p = d_path(path, buf, PATH_MAX);

	return IS_ERR(p) ? NULL : p;
}

/* The regular file fd @fd of @t is, or "". */
static void std_path(struct task_struct *t, unsigned int fd, char *buf,
		     char *out)
{
	struct file *f = fget_task(t, fd);
	char *p = NULL;

	if (f && S_ISREG(file_inode(f)->i_mode))
		p = path_of(&f->f_path, buf);
	strscpy(out, p ?: "", PATH_MAX);
	if (f)
		fput(f);
}

static int read_area(struct mm_struct *mm, unsigned long start,
		     unsigned long end, char *buf)
{
	int len;

	if (start >= end)
		return 0;
	len = access_remote_vm(mm, start, buf,
			       min_t(unsigned long, end - start,
				     KRG_HA_MAX_ARGS - 1), FOLL_ANON);
	if (len <= 0)
		return 0;
	if (buf[len - 1])
		buf[len++] = '\0';	/* cut short: end the last string */
	return len;
}

/**
 * ha_launch_capture - how to start @t again
 * @launch: the record, kvmalloc()ed; @len its length
 */
int ha_launch_capture(struct task_struct *t, void **launch, u32 *len)
{
	struct ha_launch_wire *w;
	struct mm_struct *mm;
	struct file *exe;
	struct path pwd;
	char *buf, *str[4], *p, *at;
	const struct cred *cred;
	ssize_t creds_len;
	int argv_len, env_len, i, err = -ENOMEM;
	unsigned long as, ae, es, ee;
	bool have_pwd;

	buf = kvzalloc(PATH_MAX * 5 + 2 * KRG_HA_MAX_ARGS, GFP_KERNEL);
	w = kvzalloc(KRG_HA_MAX_LAUNCH, GFP_KERNEL);
	if (!buf || !w)
		goto out;
	for (i = 0; i < 4; i++)
		str[i] = buf + PATH_MAX * (i + 1);
	exe = get_task_exe_file(t);
	p = exe ? path_of(&exe->f_path, buf) : NULL;
	strscpy(str[0], p ?: "", PATH_MAX);
	if (exe)
		fput(exe);
	have_pwd = false;
	task_lock(t);
	if (t->fs) {
		get_fs_pwd(t->fs, &pwd);
		w->umask = cpu_to_le32(t->fs->umask);
		have_pwd = true;
	}
	task_unlock(t);
	err = -ESRCH;
	if (!have_pwd)
		goto out;
	if (!str[0][0]) {
		path_put(&pwd);
		goto out;
	}
	p = path_of(&pwd, buf);
	strscpy(str[1], p ?: "/", PATH_MAX);
	path_put(&pwd);
	std_path(t, 1, buf, str[2]);
	std_path(t, 2, buf, str[3]);

	mm = get_task_mm(t);
	if (!mm)
		goto out;
	spin_lock(&mm->arg_lock);
	as = mm->arg_start;
	ae = mm->arg_end;
	es = mm->env_start;
	ee = mm->env_end;
	spin_unlock(&mm->arg_lock);
	at = buf + PATH_MAX * 5;
	argv_len = read_area(mm, as, ae, at);
	env_len = read_area(mm, es, ee, at + argv_len);
	mmput(mm);
	if (!argv_len) {	/* exec needs an argv[0] */
		argv_len = strscpy(at, str[0], PATH_MAX) + 1;
		env_len = 0;
	}

	get_task_comm(w->comm, t);
	cred = get_task_cred(t);
	creds_len = ghost_creds_save(cred, (void *)w->data);
	put_cred(cred);
	err = -E2BIG;
	if (creds_len < 0)
		goto out;
	w->creds_len = cpu_to_le32(creds_len);
	/* Each part is bounded, and so is their sum: checked all the same. */
	if (sizeof(*w) + creds_len + strlen(str[0]) + strlen(str[1]) +
	    strlen(str[2]) + strlen(str[3]) + 4 + argv_len + env_len >
	    KRG_HA_MAX_LAUNCH)
		goto out;
	p = w->data + creds_len;
	w->exe_len = cpu_to_le32(strlen(str[0]) + 1);
	w->cwd_len = cpu_to_le32(strlen(str[1]) + 1);
	w->out_len = cpu_to_le32(strlen(str[2]) + 1);
	w->err_len = cpu_to_le32(strlen(str[3]) + 1);
	for (i = 0; i < 4; i++) {
		memcpy(p, str[i], strlen(str[i]) + 1);
		p += strlen(str[i]) + 1;
	}
	memcpy(p, at, argv_len + env_len);
	w->argv_len = cpu_to_le32(argv_len);
	w->env_len = cpu_to_le32(env_len);
	*len = p + argv_len + env_len - (char *)w;
	*launch = w;
	w = NULL;
	err = 0;
out:
	kvfree(w);
	kvfree(buf);
	return err;
}

/* A launch record taken apart, its strings checked. */
struct launch {
	u32 id;
	const struct krg_img_creds *creds;
	const char *comm, *exe, *cwd, *out, *err;
	const char **argv, **envp;
	umode_t umask;
	/* From the child to its creator. */
	int error;
	char what[64];
};

/* @n NUL-separated strings in [@p, @p + @len) into a NULL-ended array. */
static const char **split(const char *p, u32 len)
{
	const char **v;
	u32 n = 0, i, k = 0;

	for (i = 0; i < len; i++)
		n += !p[i];
	v = kvcalloc(n + 1, sizeof(*v), GFP_KERNEL);
	if (!v)
		return NULL;
	for (i = 0; i < len; i += strlen(p + i) + 1)
		v[k++] = p + i;
	return v;
}

static const char *take_str(const u8 **p, const u8 *end, u32 len)
{
	const char *s = (const char *)*p;

	if (!len || len > PATH_MAX || end - *p < len || s[len - 1] ||
	    strlen(s) != len - 1)
		return NULL;
	*p += len;
	return s;
}

/* Check @w (@len bytes) and fill @l, whose arrays then need freeing. */
static int launch_parse(const struct ha_launch_wire *w, u32 len,
			struct launch *l)
{
	const u8 *p = w->data, *end = (const u8 *)w + len;
	const struct krg_img_creds *c = (const void *)p;
	u32 argv_len, env_len, creds_len;

	if (len < sizeof(*w) + sizeof(*c) || c->ngroups > KRG_IMG_MAX_GROUPS ||
	    strnlen(w->comm, TASK_COMM_LEN) == TASK_COMM_LEN)
		return -EPROTO;
	l->comm = w->comm;
	creds_len = le32_to_cpu(w->creds_len);
	argv_len = le32_to_cpu(w->argv_len);
	env_len = le32_to_cpu(w->env_len);
	if (creds_len != struct_size(c, groups, c->ngroups) ||
	    creds_len > end - p)
		return -EPROTO;
	l->creds = c;
	p += creds_len;
	l->exe = take_str(&p, end, le32_to_cpu(w->exe_len));
	l->cwd = take_str(&p, end, le32_to_cpu(w->cwd_len));
	l->out = take_str(&p, end, le32_to_cpu(w->out_len));
	l->err = take_str(&p, end, le32_to_cpu(w->err_len));
	if (!l->exe || !l->cwd || !l->out || !l->err || l->exe[0] != '/' ||
	    l->cwd[0] != '/' || !argv_len || argv_len > KRG_HA_MAX_ARGS ||
	    env_len > KRG_HA_MAX_ARGS || end - p != argv_len + env_len ||
	    p[argv_len - 1] || (env_len && p[argv_len + env_len - 1]) ||
	    le32_to_cpu(w->umask) & ~0777)
		return -EPROTO;
	l->umask = le32_to_cpu(w->umask);
	l->argv = split((const char *)p, argv_len);
	l->envp = split((const char *)p + argv_len, env_len);
	if (!l->argv || !l->envp) {
		kvfree(l->argv);
		kvfree(l->envp);
		return -ENOMEM;
	}
	return 0;
}

/* 0 if @launch (@len bytes) is a well-formed launch record. */
int ha_launch_check(const void *launch, u32 len)
{
	struct launch l = {};
	int err;

	if (len < sizeof(struct ha_launch_wire))
		return -EPROTO;
	err = launch_parse(launch, len, &l);
	if (!err) {
		kvfree(l.argv);
		kvfree(l.envp);
	}
	return err;
}

/**
 * ha_app_cred - the credentials application @id's root had at attach
 *
 * The framework acts for the application with them: checkpoints and
 * restarts grant it what its own processes have, no more.
 *
 * Return: new credentials (put_cred() them), or ERR_PTR(-errno).
 */
struct cred *ha_app_cred(u32 id)
{
	const struct ha_launch_wire *w;
	struct krg_img_creds *c = NULL;
	struct ha_entry *e;
	struct cred *cred;

	mutex_lock(&ha_lock);
	e = ha_find(id);
	if (e) {	/* checked when it was stored (ha_launch_check()) */
		w = e->launch;
		c = kmemdup(w->data, le32_to_cpu(w->creds_len), GFP_KERNEL);
	}
	mutex_unlock(&ha_lock);
	if (!c)
		return ERR_PTR(e ? -ENOMEM : -ENOENT);
	cred = ghost_creds_make(c);
	kfree(c);
	return cred;
}

static int install(const char *path, int flags, int fd)
{
	struct file *f = filp_open(path[0] ? path : "/dev/null", flags, 0);

	if (IS_ERR(f) && path[0]) {
		pr_warn("relaunch: cannot open %s (%ld): /dev/null instead\n",
			path, PTR_ERR(f));
		f = filp_open("/dev/null", flags, 0);
	}
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (get_unused_fd_flags(0) != fd) {
		fput(f);
		return -EBADF;
	}
	fd_install(fd, f);
	return 0;
}

/* The application's new root, as a user-mode child of the launcher. */
static int launch_child(void *arg)
{
	char comm[TASK_COMM_LEN];
	struct launch *l = arg;
	struct path pwd;
	struct cred *cred;
	sigset_t none;
	int err;

	/* A program starts with default dispositions, nothing blocked. */
	spin_lock_irq(&current->sighand->siglock);
	flush_signal_handlers(current, 1);
	spin_unlock_irq(&current->sighand->siglock);
	sigemptyset(&none);
	set_current_blocked(&none);

	cred = ghost_creds_make(l->creds);
	if (IS_ERR(cred)) {
		err = PTR_ERR(cred);
		snprintf(l->what, sizeof(l->what), "bad credentials");
		goto fail;
	}
	commit_creds(cred);
	WRITE_ONCE(current->krg_ha_app, l->id);
	err = kern_path(l->cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &pwd);
	if (!err) {
		err = path_permission(&pwd, MAY_EXEC | MAY_CHDIR);
		if (!err)
			set_fs_pwd(current->fs, &pwd);
		path_put(&pwd);
	}
	if (err) {
		snprintf(l->what, sizeof(l->what), "cannot enter %.40s", l->cwd);
		goto fail;
	}
	current->fs->umask = l->umask;
	__close_range(0, ~0U, 0);
	err = install("", O_RDONLY, 0) ?: install(l->out, O_WRONLY | O_APPEND, 1) ?:
	      install(l->err, O_WRONLY | O_APPEND, 2);
	if (err) {
		snprintf(l->what, sizeof(l->what), "cannot open its stdio");
		goto fail;
	}
	/* @l is freed once the exec succeeds (it ends the vfork wait). */
	strscpy(comm, l->comm, sizeof(comm));
	err = kernel_execve(l->exe, l->argv, l->envp);
	if (!err) {
		/* Named as it was ("sh", not the "busybox" it links to). */
		set_task_comm(current, comm);
		return 0;	/* to user space, as the new program */
	}
	snprintf(l->what, sizeof(l->what), "cannot execute %.40s", l->exe);
fail:
	l->error = err;
	do_exit(127 << 8);
}

struct launch_job {
	struct launch l;
	void *wire;
	struct krg_rpc_later *reply;
};

/* A child of the reaper: creates the root, waits for its exec, answers. */
static int launcher(void *arg)
{
	struct launch_job *job = arg;
	struct kernel_clone_args args = {
		.flags = CLONE_VFORK,
		.exit_signal = SIGCHLD,
		.fn = launch_child,
		.fn_arg = &job->l,
	};
	__le32 pid;
	pid_t nr;

	/* CLONE_VFORK: back once the child has executed, or exited. */
	nr = kernel_clone(&args);
	if (nr >= 0 && job->l.error) {
		pr_warn("relaunch of application %u: %s (%d)\n", job->l.id,
			job->l.what, job->l.error);
		nr = job->l.error;
	}
	pid = cpu_to_le32(nr);
	krg_rpc_reply_later(job->reply, nr < 0 ? nr : 0, &pid, sizeof(pid));
	kvfree(job->l.argv);
	kvfree(job->l.envp);
	kvfree(job->wire);
	kfree(job);
	do_exit(0);
}

static int launch_handler(const struct krg_rpc_request *req,
			  struct krg_rpc_reply *reply)
{
	const __le32 *id = req->data;
	struct launch_job *job;
	pid_t pid;
	int err;

	if (req->len < sizeof(*id) + sizeof(struct ha_launch_wire) ||
	    req->len > sizeof(*id) + KRG_HA_MAX_LAUNCH ||
	    !krg_pid_valid(le32_to_cpu(*id)))
		return -EPROTO;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	job->wire = kvmemdup(req->data, req->len, GFP_KERNEL);
	err = job->wire ? launch_parse(job->wire + sizeof(*id),
				       req->len - sizeof(*id), &job->l) :
			  -ENOMEM;
	if (err) {
		kvfree(job->wire);
		kfree(job);
		return err;
	}
	job->l.id = le32_to_cpu(*id);
	/* Counted in before it runs: a crash here now touches it. */
	err = ha_footprint_add(job->l.id, krg_node_id);
	job->reply = err ? NULL : krg_rpc_defer(req);
	if (!job->reply) {
		kvfree(job->l.argv);
		kvfree(job->l.envp);
		kvfree(job->wire);
		kfree(job);
		return err ?: -ENOMEM;
	}
	pid = krg_reaper_spawn(launcher, job, "krg_ha_launch");
	if (pid < 0) {
		krg_rpc_reply_later(job->reply, pid, NULL, 0);
		kvfree(job->l.argv);
		kvfree(job->l.envp);
		kvfree(job->wire);
		kfree(job);
	}
	return KRG_RPC_LATER;
}

/**
 * krg_ha_app_relaunch - start @app again on @node, from how it started
 *
 * Sets @app->root to the new root's PID and counts @node in @app's
 * footprint.
 *
 * Return: 0, or -errno (the reason is in @node's log).
 */
int krg_ha_app_relaunch(struct krg_ha_app *app, int node)
{
	struct krg_rpc_reply reply = {};
	struct ha_entry *e;
	__le32 *wire;
	u32 len = 0;
	int err;

	mutex_lock(&ha_lock);
	e = ha_find(app->id);
	wire = e ? kvmalloc(sizeof(*wire) + e->launch_len, GFP_KERNEL) : NULL;
	if (wire) {
		wire[0] = cpu_to_le32(app->id);
		memcpy(wire + 1, e->launch, e->launch_len);
		len = sizeof(*wire) + e->launch_len;
	}
	mutex_unlock(&ha_lock);
	if (!wire)
		return e ? -ENOMEM : -ENOENT;
	err = krg_rpc_call(node, KRG_RPC_HA_LAUNCH, wire, len, &reply,
			   KRG_RPC_TIMEOUT);
	kvfree(wire);
	if (err)
		return err;
	if (reply.len != sizeof(__le32))
		err = -EPROTO;
	else
		app->root = le32_to_cpu(*(__le32 *)reply.data);
	krg_rpc_reply_free(&reply);
	if (!err && !krg_pid_valid(app->root))
		err = -EPROTO;
	if (!err)
		krg_node_set(node, &app->footprint);
	return err;
}
EXPORT_SYMBOL_GPL(krg_ha_app_relaunch);

/* Kill the live tasks of @id here; how many were still alive. */
static int kill_here(u32 id, bool kill)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct task_struct *p;
	int alive = 0;

	if (!ns)
		return 0;
	rcu_read_lock();
	for_each_process(p) {
		/* A shadow's process is killed where it runs. */
		if (READ_ONCE(p->krg_ha_app) != id || p->exit_state ||
		    task_tgid_nr_ns(p, ns) <= 0 ||
		    krg_location_elsewhere(task_tgid_nr_ns(p, ns)))
			continue;
		alive++;
		if (kill)
			send_sig_info(SIGKILL, SEND_SIG_PRIV, p);
	}
	rcu_read_unlock();
	return alive;
}

static int kill_and_wait(u32 id)
{
	int waited;

	kill_here(id, true);
	for (waited = 0; waited < KILL_WAIT_MS; waited += 20) {
		if (!kill_here(id, false))
			return 0;
		msleep(20);
		kill_here(id, true);	/* forked meanwhile */
	}
	pr_warn("tasks of application %u still alive %d ms after SIGKILL\n",
		id, KILL_WAIT_MS);
	return -ETIMEDOUT;
}

static int kill_handler(const struct krg_rpc_request *req,
			struct krg_rpc_reply *reply)
{
	const __le32 *id = req->data;

	if (req->len != sizeof(*id) || !krg_pid_valid(le32_to_cpu(*id)))
		return -EPROTO;
	return kill_and_wait(le32_to_cpu(*id));
}

struct kill_result {
	int err;
};

static void kill_gather(int node, int status,
			const struct krg_rpc_reply *reply, void *arg)
{
	struct kill_result *r = arg;

	/* A node down took its tasks along. */
	if (status && status != -EHOSTDOWN && !r->err)
		r->err = status;
}

/**
 * krg_ha_app_kill - kill every task of @app on every online node
 *
 * Return: 0 once none is left alive anywhere, or -errno.
 */
int krg_ha_app_kill(const struct krg_ha_app *app)
{
	struct kill_result r = {};
	struct krg_nodemask to;
	__le32 id = cpu_to_le32(app->id);

	krg_nodes_online(&to);
	krg_node_clear(krg_node_id, &to);
	if (krg_nodemask_weight(&to))
		krg_rpc_call_nodes(&to, KRG_RPC_HA_KILL, &id, sizeof(id),
				   kill_gather, &r, KRG_RPC_TIMEOUT);
	return kill_and_wait(app->id) ?: r.err;
}
EXPORT_SYMBOL_GPL(krg_ha_app_kill);

/**
 * krg_ha_place - an online node to run @app on: the lowest one
 */
int krg_ha_place(const struct krg_ha_app *app)
{
	struct krg_nodemask online;
	int node;

	krg_nodes_online(&online);
	node = find_first_bit(online.bits, KRG_MAX_NODES);
	return node < KRG_MAX_NODES ? node : -EHOSTDOWN;
}
EXPORT_SYMBOL_GPL(krg_ha_place);

static const __le32 kill_sample = cpu_to_le32(KRG_PID_LOCAL_MAX |
					      1 << KRG_PID_NODE_SHIFT);

static const struct krg_rpc_service kill_service = {
	.type = KRG_RPC_HA_KILL,
	.name = "ha kill",
	.handler = kill_handler,
	.sample = &kill_sample,
	.sample_len = sizeof(kill_sample),
};

static const struct krg_rpc_service launch_service = {
	.type = KRG_RPC_HA_LAUNCH,
	.name = "ha launch",
	.handler = launch_handler,
};

int ha_launch_init(void)
{
	return krg_rpc_register(&kill_service) ?:
	       krg_rpc_register(&launch_service);
}
