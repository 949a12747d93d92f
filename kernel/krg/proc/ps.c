// SPDX-License-Identifier: GPL-2.0
/*
 * The processes of the cluster PID namespace, from every node: what krgps
 * lists. Each online node is asked at once with KRG_RPC_PS; this node
 * answers from its own tasks without a message.
 *
 * The request is a __le32 of flags, all reserved (0). The reply is a run
 * of struct ps_wire, each followed by cmdline_len bytes of its command
 * line (NUL-separated, at most KRG_PS_CMDLINE_MAX). A node tells what its
 * /proc shows any user when mounted without hidepid: ids, owner, state,
 * thread count, name and command line. The node's reaper and kernel
 * threads are left out. A reply is checked whole before it is used. A
 * node makes at most two lists at once for others (-EBUSY beyond).
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/semaphore.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <krg/membership.h>
#include <krg/nodemask.h>
#include <krg/pid.h>
#include <krg/ps.h>
#include <krg/rpc.h>

bool krg_ps_hide_others;

struct ps_wire {
	__le32 pid, ppid, pgid, sid;
	__le32 uid;
	__le32 threads;
	__le16 cmdline_len;
	u8 state;
	u8 reserved;
	char comm[TASK_COMM_LEN];	/* NUL-terminated */
} __packed;

/* A growing reply. */
struct ps_buf {
	void *data;
	size_t len, size;
};

static void *room(struct ps_buf *b, size_t len)
{
	size_t size = b->size ?: PAGE_SIZE;
	void *data;

	if (b->len + len > KRG_RPC_MAX_MSG)
		return NULL;
	while (size < b->len + len)
		size *= 2;
	if (size != b->size) {
		data = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		if (!data)
			return NULL;
		if (b->data)
			memcpy(data, b->data, b->len);
		kvfree(b->data);
		b->data = data;
		b->size = size;
	}
	b->len += len;
	return b->data + b->len - len;
}

/*
 * Its argument area, at most @size bytes, as /proc/PID/cmdline reads it:
 * FOLL_ANON, so that a process cannot make the reader wait on a file (a
 * FUSE mapping) while it holds the mmap lock.
 */
int krg_read_cmdline(struct task_struct *t, char *buf, size_t size)
{
	unsigned long start, end;
	struct mm_struct *mm;
	int len = 0;

	mm = get_task_mm(t);
	if (!mm)
		return 0;	/* a zombie, or exiting */
	spin_lock(&mm->arg_lock);
	start = mm->arg_start;
	end = mm->arg_end;
	spin_unlock(&mm->arg_lock);
	if (mm->env_end && start < end)
		len = access_remote_vm(mm, start, buf,
				       min(end - start, size), FOLL_ANON);
	mmput(mm);
	return max(len, 0);
}

static int put_task(struct ps_buf *b, struct task_struct *t,
		    struct pid_namespace *ns, char *cmdline)
{
	struct ps_wire w = {};
	void *at;
	int len;

	/* Its ids first: once it is reaped, they read as 0. */
	rcu_read_lock();
	w.pid = cpu_to_le32(task_tgid_nr_ns(t, ns));
	w.ppid = cpu_to_le32(task_ppid_nr_ns(t, ns));
	w.pgid = cpu_to_le32(task_pgrp_nr_ns(t, ns));
	w.sid = cpu_to_le32(task_session_nr_ns(t, ns));
	rcu_read_unlock();
	w.uid = cpu_to_le32(from_kuid_munged(&init_user_ns, task_uid(t)));
	w.threads = cpu_to_le32(get_nr_threads(t));
	w.state = task_state_to_char(t);
	get_task_comm(w.comm, t);
	len = krg_read_cmdline(t, cmdline, KRG_PS_CMDLINE_MAX);
	w.cmdline_len = cpu_to_le16(len);
	if (!w.pid)
		return 0;	/* gone meanwhile */
	at = room(b, sizeof(w) + len);
	if (!at)
		return -ENOMEM;
	memcpy(at, &w, sizeof(w));
	memcpy(at + sizeof(w), cmdline, len);
	return 0;
}

/* The thread-group leaders here in the cluster namespace, as ps_wire. */
static int ps_local(struct ps_buf *b)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct task_struct *t;
	char *cmdline;
	struct pid *pid;
	int nr = 2, err = 0;	/* 1 is the reaper */

	if (!ns)
		return -ENODEV;
	cmdline = kmalloc(KRG_PS_CMDLINE_MAX, GFP_KERNEL);
	if (!cmdline)
		return -ENOMEM;
	while (!err) {
		rcu_read_lock();
		pid = find_ge_pid(nr, ns);
		if (!pid) {
			rcu_read_unlock();
			break;
		}
		nr = pid_nr_ns(pid, ns) + 1;
		t = pid_task(pid, PIDTYPE_TGID);
		/* One that moved to another node is listed there. */
		if (t && !(t->flags & PF_KTHREAD) && !krg_location_left(nr - 1))
			get_task_struct(t);
		else
			t = NULL;
		rcu_read_unlock();
		if (t) {
			err = put_task(b, t, ns, cmdline);
			put_task_struct(t);
		}
		cond_resched();
	}
	kfree(cmdline);
	return err;
}

bool krg_ps_next(const struct krg_ps_node *n, size_t *pos,
		 struct krg_ps_entry *e)
{
	const struct ps_wire *w = n->data + *pos;

	if (n->err || *pos + sizeof(*w) > n->len)
		return false;
	e->pid = le32_to_cpu(w->pid);
	e->ppid = le32_to_cpu(w->ppid);
	e->pgid = le32_to_cpu(w->pgid);
	e->sid = le32_to_cpu(w->sid);
	e->uid = le32_to_cpu(w->uid);
	e->threads = le32_to_cpu(w->threads);
	e->state = w->state;
	memcpy(e->comm, w->comm, sizeof(e->comm));
	e->cmdline = (const char *)(w + 1);
	e->cmdline_len = le16_to_cpu(w->cmdline_len);
	*pos += sizeof(*w) + e->cmdline_len;
	return true;
}

/* Is a reply a whole run of well-formed entries? */
static bool ps_valid(const void *data, size_t len)
{
	const struct ps_wire *w;
	size_t pos = 0, n;

	while (pos < len) {
		w = data + pos;
		if (len - pos < sizeof(*w))
			return false;
		n = le16_to_cpu(w->cmdline_len);
		if (n > KRG_PS_CMDLINE_MAX || n > len - pos - sizeof(*w) ||
		    !w->state || strnlen(w->comm, sizeof(w->comm)) ==
		    sizeof(w->comm) || !krg_pid_valid(le32_to_cpu(w->pid)))
			return false;
		pos += sizeof(*w) + n;
	}
	return true;
}

/* Lists made here at once for other nodes: each walks every task. */
static struct semaphore ps_serving = __SEMAPHORE_INITIALIZER(ps_serving, 2);

static int ps_handler(const struct krg_rpc_request *req,
		      struct krg_rpc_reply *reply)
{
	struct ps_buf b = {};
	int err;

	if (req->len != sizeof(__le32) || *(const __le32 *)req->data)
		return -EPROTO;
	if (down_trylock(&ps_serving))
		return -EBUSY;
	err = ps_local(&b);
	up(&ps_serving);
	if (err) {
		kvfree(b.data);
		return err;
	}
	reply->data = b.data;
	reply->len = b.len;
	return 0;
}

static void ps_gather_node(int node, int status,
			   const struct krg_rpc_reply *reply, void *arg)
{
	struct krg_ps *ps = arg;
	struct krg_ps_node *n = &ps->nodes[ps->n++];

	n->node = node;
	n->err = status;
	if (!status && !ps_valid(reply->data, reply->len)) {
		pr_warn_ratelimited("node %d sent a bad process list\n", node);
		n->err = -EPROTO;
	}
	if (n->err || !reply->len)
		return;
	n->data = kvmalloc(reply->len, GFP_KERNEL_ACCOUNT);
	if (!n->data) {
		n->err = -ENOMEM;
		return;
	}
	memcpy(n->data, reply->data, reply->len);
	n->len = reply->len;
}

/**
 * krg_ps_gather - the processes of every online node
 *
 * Return: what each node answered (its list or its error), this node
 * first; NULL when out of memory. Free it with krg_ps_free().
 */
struct krg_ps *krg_ps_gather(void)
{
	static const __le32 flags;
	struct krg_nodemask others;
	struct krg_ps_node *self;
	struct ps_buf b = {};
	struct krg_ps *ps;
	int node, err;

	ps = kvzalloc(sizeof(*ps), GFP_KERNEL);
	if (!ps)
		return NULL;
	self = &ps->nodes[ps->n++];
	self->node = krg_node_id;
	self->err = ps_local(&b);
	if (self->err) {
		kvfree(b.data);
	} else {
		self->data = b.data;
		self->len = b.len;
	}
	krg_nodes_online(&others);
	krg_node_clear(krg_node_id, &others);
	err = krg_rpc_call_nodes(&others, KRG_RPC_PS, &flags, sizeof(flags),
				 ps_gather_node, ps, KRG_RPC_TIMEOUT);
	/* Failed before asking anyone: each of them is missing. */
	if (err && ps->n == 1) {
		for_each_krg_node(node, &others) {
			ps->nodes[ps->n].node = node;
			ps->nodes[ps->n++].err = err;
		}
	}
	return ps;
}

void krg_ps_free(struct krg_ps *ps)
{
	unsigned int i;

	if (!ps)
		return;
	for (i = 0; i < ps->n; i++)
		kvfree(ps->nodes[i].data);
	kvfree(ps);
}

static const __le32 ps_sample;

static const struct krg_rpc_service ps_service = {
	.type = KRG_RPC_PS,
	.name = "ps",
	.handler = ps_handler,
	.sample = &ps_sample,
	.sample_len = sizeof(ps_sample),
};

int krg_ps_init(void)
{
	return krg_rpc_register(&ps_service);
}
