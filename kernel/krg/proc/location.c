// SPDX-License-Identifier: GPL-2.0
/*
 * The PID location directory: which node runs a cluster PID, kept by the
 * PID's home, the node it was born on (krg_pid_node()).
 *
 * A process runs on its home unless restart (and later migration) put it
 * elsewhere, so a home keeps only the exceptions: its PIDs (and TIDs)
 * that run on another node, in the xarray "away". The node that runs
 * them tells the home with KRG_RPC_LOCATION:
 *
 *   LOCATION_AT    these PIDs run on the sender now: before a restarted
 *                  tree runs (epm/restart.c), and again to a home that
 *                  (re)joins the cluster, which starts with no entries;
 *   LOCATION_GONE  this PID no longer runs on the sender: when its task
 *                  is reaped (patch 0020), from an ordered work queue
 *                  that AT flushes first, so that a GONE of an old copy
 *                  never comes after the AT of a new one from one node;
 *   LOCATION_WHERE the node that runs this PID: a __le32 reply, the home
 *                  itself, or -ESRCH. A live task at home comes first, a
 *                  zombie there (of a copy that runs elsewhere now) last;
 *   LOCATION_REJOIN as AT, to a home that (re)joined, from a walk of the
 *                  sender's live tasks: it never replaces an entry.
 *
 * A sender speaks only for itself (its node must be the message's source)
 * and only of the receiver's PIDs. GONE removes an entry only if it still
 * names the sender, so a late GONE from a dead copy never hides a live
 * one. A restart tells AT only once it won (epm/restart.c settle()). A
 * node that leaves takes its processes along, as everywhere in krg until
 * fencing: its entries go, even those of an AT still in flight.
 *
 * While a PID is away, the home holds it (patch 0021): its allocator
 * never gives it to another process, so a PID stays unique in the
 * cluster. A restart here of PIDs no node runs any more (checked by
 * epm/elsewhere.c) takes them back first (krg_location_reclaim()).
 *
 * A task here whose process migrates to another node is "leaving" from
 * its freeze until it is reaped (krg_location_leaving()): it no longer
 * runs here, for the directory as for restart's check of other nodes,
 * even while it lingers (frozen, exiting, or as its shadow).
 *
 * krg_locate() answers from the directory in at most one round trip to the
 * home. While the home is down, or does not answer, it says so and the
 * caller asks every node instead (runner.c): what the survivors run is
 * the truth the directory is rebuilt from when the home comes back.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/krg_hooks.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <krg/membership.h>
#include <krg/nodemask.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include <krg/rpc.h>

enum location_op {
	LOCATION_AT,
	LOCATION_GONE,
	LOCATION_WHERE,
	LOCATION_REJOIN,	/* as AT, to a home that (re)joined */
};

struct location_wire {
	__le32 op;		/* enum location_op */
	__le32 node;		/* AT, GONE: the sender */
	__le32 pids[];		/* AT: up to KRG_LOCATION_BATCH; else one */
} __packed;

#define KRG_LOCATION_BATCH	1024

/* PIDs homed here that run on another node: pid -> xa_mk_value(node). */
static DEFINE_XARRAY(away);

/* GONE and rejoin messages, in order. */
static struct workqueue_struct *location_wq;

/* An entry and the hold of its PID change together. */
static DEFINE_MUTEX(location_lock);

/* Tasks here whose process moved, or moves, to another node. */
static DEFINE_XARRAY(leaving);

/* Nodes that left, until they come back: what they say is past. */
static struct krg_nodemask left;

atomic_long_t krg_locate_direct, krg_locate_broadcast, krg_locate_where;

unsigned long krg_pids_away(void)
{
	unsigned long index, n = 0;
	void *entry;

	xa_for_each(&away, index, entry)
		n++;
	return n;
}

/* Under pidmap_lock, from free_pid(): keep a PID away held. */
bool krg_pid_held(struct pid_namespace *ns, int nr)
{
	return ns == krg_pid_ns() && krg_pid_valid(nr) &&
	       krg_pid_node(nr) == krg_node_id && xa_load(&away, nr);
}

/* Drop the entry of @pid if it still is @old; let the PID go then. */
static void forget(pid_t pid, void *old)
{
	struct pid_namespace *ns = krg_pid_ns();

	mutex_lock(&location_lock);
	if (xa_cmpxchg(&away, pid, old, NULL, GFP_KERNEL) == old && ns)
		krg_pid_release(ns, pid);
	mutex_unlock(&location_lock);
}

/* @pid runs on @node: note it, and hold the PID here. */
static int note(pid_t pid, int node, bool only_new)
{
	struct pid_namespace *ns = krg_pid_ns();
	void *entry = xa_mk_value(node);
	int err;

	mutex_lock(&location_lock);
	/* Its node left meanwhile, and took the process along. */
	if (krg_node_isset(node, &left)) {
		mutex_unlock(&location_lock);
		return 0;
	}
	if (only_new)
		err = xa_err(xa_cmpxchg(&away, pid, NULL, entry, GFP_KERNEL));
	else
		err = xa_err(xa_store(&away, pid, entry, GFP_KERNEL));
	/* In use here (a zombie): free_pid() holds it then. */
	if (!err && ns)
		err = krg_pid_hold(ns, pid);
	mutex_unlock(&location_lock);
	return err == -ENOSPC ? 0 : err;
}

static bool runs_here(pid_t pid)
{
	struct pid_namespace *ns = krg_pid_ns();
	bool here;

	rcu_read_lock();
	here = ns && pid_task(find_pid_ns(pid, ns), PIDTYPE_PID);
	rcu_read_unlock();
	return here;
}

/**
 * krg_location_leaving - these tasks here move to node @to
 *
 * Until they are reaped, or krg_location_stayed(), they do not run here.
 */
int krg_location_leaving(const s32 *pids, unsigned int n, int to)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < n && !err; i++)
		err = xa_err(xa_store(&leaving, pids[i], xa_mk_value(to),
				      GFP_KERNEL));
	if (err)
		krg_location_stayed(pids, i);
	return err;
}

/* The move succeeded: they run elsewhere now, for anyone that asks. */
void krg_location_moved(const s32 *pids, unsigned int n)
{
	while (n--)
		xa_store(&leaving, pids[n], xa_mk_value(KRG_LOCATION_MOVED),
			 GFP_KERNEL);
}

/* The move failed: they run here still. */
void krg_location_stayed(const s32 *pids, unsigned int n)
{
	while (n--)
		xa_erase(&leaving, pids[n]);
}

/*
 * The node the task of @pid here moves to, KRG_LOCATION_MOVED once it
 * runs there (or further), or 0.
 */
int krg_location_left(pid_t pid)
{
	void *entry = xa_load(&leaving, pid);

	return entry ? xa_to_value(entry) : 0;
}

/* As epm/elsewhere.c counts it: not exiting, a zombie, killed or moved. */
static bool alive(struct task_struct *t)
{
	return t && !t->exit_state && !(t->flags & PF_EXITING) &&
	       !sigismember(&t->pending.signal, SIGKILL) &&
	       !xa_load(&leaving, task_pid_nr_ns(t, krg_pid_ns()));
}

static bool alive_here(pid_t pid)
{
	struct pid_namespace *ns = krg_pid_ns();
	bool here;

	rcu_read_lock();
	here = ns && alive(pid_task(find_pid_ns(pid, ns), PIDTYPE_PID));
	rcu_read_unlock();
	return here;
}

/**
 * krg_location_elsewhere - does @pid's process run elsewhere, whatever
 * task of it is here?
 *
 * A shadow or the original of a finished move (moved), or, at its home, a
 * task that is not alive while the directory places it elsewhere (a
 * zombie left behind) is not the process: a call for it must go to where
 * it runs (proc/runner.c). A tree still moving is here until it is done.
 */
bool krg_location_elsewhere(pid_t pid)
{
	if (krg_location_left(pid) == KRG_LOCATION_MOVED)
		return true;
	return krg_pid_node(pid) == krg_node_id && xa_load(&away, pid) &&
	       !alive_here(pid);
}

/* A live task here first, then where the directory says, then a zombie. */
static int where(pid_t pid)
{
	void *entry;

	if (alive_here(pid))
		return krg_node_id;
	entry = xa_load(&away, pid);
	if (entry)
		return xa_to_value(entry);
	return runs_here(pid) ? krg_node_id : -ESRCH;
}

static int location_handler(const struct krg_rpc_request *req,
			    struct krg_rpc_reply *reply)
{
	const struct location_wire *w = req->data;
	size_t n, i;
	__le32 *node;
	pid_t pid;
	u32 op;
	int err;

	if (req->len < sizeof(*w) || (req->len - sizeof(*w)) % sizeof(__le32))
		return -EPROTO;
	n = (req->len - sizeof(*w)) / sizeof(__le32);
	op = le32_to_cpu(w->op);
	if (op > LOCATION_REJOIN || !n || n > KRG_LOCATION_BATCH ||
	    (op != LOCATION_AT && op != LOCATION_REJOIN && n != 1) ||
	    (op != LOCATION_WHERE && le32_to_cpu(w->node) != req->src_node))
		return -EPROTO;
	for (i = 0; i < n; i++) {
		pid = le32_to_cpu(w->pids[i]);
		if (!krg_pid_valid(pid) || krg_pid_node(pid) != krg_node_id)
			return -EPROTO;
	}
	if (op == LOCATION_WHERE) {
		err = where(le32_to_cpu(w->pids[0]));
		if (err < 0)
			return err;
		node = kvmalloc(sizeof(*node), GFP_KERNEL);
		if (!node)
			return -ENOMEM;
		*node = cpu_to_le32(err);
		reply->data = node;
		reply->len = sizeof(*node);
		return 0;
	}
	for (i = 0; i < n; i++) {
		pid = le32_to_cpu(w->pids[i]);
		if (op == LOCATION_GONE) {
			forget(pid, xa_mk_value(req->src_node));
			continue;
		}
		/* Restart checked no node runs it: a race, or a bad peer. */
		if (alive_here(pid)) {
			pr_warn_ratelimited("node %d says it runs %d, which runs here\n",
					    req->src_node, pid);
			continue;
		}
		/* A rejoin tells what a new entry may say, never over one. */
		err = note(pid, req->src_node, op == LOCATION_REJOIN);
		if (err)
			return err;
	}
	return 0;
}

/**
 * krg_locate - the node that runs @pid, not found here
 *
 * Return: a node id; -ESRCH if no node runs it; -EHOSTDOWN or another
 * error if the directory cannot tell (its home is down or did not
 * answer): then ask every node.
 */
int krg_locate(pid_t pid)
{
	int home = krg_pid_node(pid);
	struct location_wire *w;
	struct krg_rpc_reply reply;
	size_t len = sizeof(*w) + sizeof(__le32);
	int err;

	if (home == krg_node_id)
		return where(pid);
	if (!krg_node_online(home))
		return -EHOSTDOWN;
	w = kzalloc(len, GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->op = cpu_to_le32(LOCATION_WHERE);
	w->pids[0] = cpu_to_le32(pid);
	atomic_long_inc(&krg_locate_where);
	err = krg_rpc_call(home, KRG_RPC_LOCATION, w, len, &reply,
			   KRG_RPC_TIMEOUT);
	kfree(w);
	if (err)
		return err;
	if (reply.len == sizeof(__le32)) {
		err = le32_to_cpu(*(__le32 *)reply.data);
		if (!krg_node_valid(err))
			err = -EPROTO;
	} else {
		err = -EPROTO;
	}
	krg_rpc_reply_free(&reply);
	return err;
}

/**
 * krg_location_reclaim - a restart here of these PIDs, which no node runs
 *
 * Those born here that the directory had away come back: no longer held.
 */
void krg_location_reclaim(const s32 *pids, unsigned int n)
{
	unsigned int i;
	void *entry;

	for (i = 0; i < n; i++) {
		if (krg_pid_node(pids[i]) != krg_node_id)
			continue;
		entry = xa_load(&away, pids[i]);
		if (entry)
			forget(pids[i], entry);
	}
}

/* Tell @home that these PIDs of its own run here. */
static int tell(int home, enum location_op op, const s32 *pids,
		unsigned int n)
{
	struct krg_rpc_reply reply;
	struct location_wire *w;
	unsigned int i, k = 0;
	int err;

	w = kvzalloc(struct_size(w, pids, min(n, KRG_LOCATION_BATCH)),
		     GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->op = cpu_to_le32(op);
	w->node = cpu_to_le32(krg_node_id);
	for (i = 0, err = 0; i < n && !err; i++) {
		if (krg_pid_node(pids[i]) != home)
			continue;
		w->pids[k++] = cpu_to_le32(pids[i]);
		if (k < KRG_LOCATION_BATCH && i + 1 < n)
			continue;
		err = krg_rpc_call(home, KRG_RPC_LOCATION, w,
				   struct_size(w, pids, k), &reply,
				   KRG_RPC_TIMEOUT);
		krg_rpc_reply_free(&reply);
		k = 0;
	}
	if (!err && k) {
		err = krg_rpc_call(home, KRG_RPC_LOCATION, w,
				   struct_size(w, pids, k), &reply,
				   KRG_RPC_TIMEOUT);
		krg_rpc_reply_free(&reply);
	}
	kvfree(w);
	return err;
}

/**
 * krg_location_arrived - these PIDs (and TIDs) run here from now on
 *
 * Tells each of their homes, before they run. A home that is down learns
 * it when it comes back (location_rejoin()).
 */
void krg_location_arrived(const s32 *pids, unsigned int n)
{
	struct krg_nodemask homes;
	unsigned int i;
	int home, err;

	/* A GONE of an earlier copy of these PIDs here goes first. */
	flush_workqueue(location_wq);
	krg_nodemask_clear(&homes);
	for (i = 0; i < n; i++)
		if (krg_pid_node(pids[i]) != krg_node_id)
			krg_node_set(krg_pid_node(pids[i]), &homes);
	for_each_krg_node(home, &homes) {
		if (!krg_node_online(home))
			continue;
		err = tell(home, LOCATION_AT, pids, n);
		if (err && err != -EHOSTDOWN)
			pr_warn_ratelimited("node %d did not note where its PIDs run (%d)\n",
					    home, err);
	}
}

/* A reaped task of another home: tell it, from process context. */
struct gone {
	struct work_struct work;
	s32 pid;
};

static void gone_work(struct work_struct *work)
{
	struct gone *g = container_of(work, struct gone, work);
	int home = krg_pid_node(g->pid);

	if (krg_node_online(home))
		tell(home, LOCATION_GONE, &g->pid, 1);
	kfree(g);
}

void krg_location_released(struct task_struct *t)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct gone *g;
	pid_t pid;

	if (!ns || !location_wq || task_active_pid_ns(t) != ns)
		return;
	pid = task_pid_nr_ns(t, ns);
	if (!krg_pid_valid(pid))
		return;
	xa_erase(&leaving, pid);
	if (krg_pid_node(pid) == krg_node_id)
		return;
	/* Lost, the home keeps a stale entry: its lookups then ask here. */
	g = kmalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return;
	INIT_WORK(&g->work, gone_work);
	g->pid = pid;
	queue_work(location_wq, &g->work);
}

/* A home that (re)joins knows nothing: tell it what of its runs here. */
static void location_rejoin(int home)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct task_struct *g, *t;
	unsigned int n = 0, size = 64;
	s32 *pids, *more;
	pid_t pid;

	if (!ns)
		return;
	pids = kvmalloc_array(size, sizeof(*pids), GFP_KERNEL);
	while (pids) {
		n = 0;
		rcu_read_lock();
		for_each_process_thread(g, t) {
			pid = task_pid_nr_ns(t, ns);
			if (!alive(t) || !krg_pid_valid(pid) ||
			    krg_pid_node(pid) != home)
				continue;
			if (n < size)
				pids[n] = pid;
			n++;
		}
		rcu_read_unlock();
		if (n <= size)
			break;
		size = n * 2;
		more = kvmalloc_array(size, sizeof(*pids), GFP_KERNEL);
		kvfree(pids);
		pids = more;
	}
	if (pids && n)
		tell(home, LOCATION_REJOIN, pids, n);
	kvfree(pids);
}

struct rejoin {
	struct work_struct work;
	int node;
};

static void rejoin_work(struct work_struct *work)
{
	struct rejoin *r = container_of(work, struct rejoin, work);

	location_rejoin(r->node);
	kfree(r);
}

static int on_node_event(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	int node = (long)data;
	unsigned long index;
	struct rejoin *r;
	void *entry;

	if (event == KRG_NODE_DOWN || event == KRG_NODE_UP) {
		mutex_lock(&location_lock);
		if (event == KRG_NODE_DOWN)
			krg_node_set(node, &left);
		else
			krg_node_clear(node, &left);
		mutex_unlock(&location_lock);
	}
	if (event == KRG_NODE_DOWN) {
		/* Its processes went with it. */
		xa_for_each(&away, index, entry)
			if (xa_to_value(entry) == node)
				forget(index, entry);
	} else if (event == KRG_NODE_UP) {
		r = kmalloc(sizeof(*r), GFP_KERNEL);
		if (r) {
			INIT_WORK(&r->work, rejoin_work);
			r->node = node;
			queue_work(location_wq, &r->work);
		}
	}
	return NOTIFY_DONE;
}

static struct notifier_block node_events = {
	.notifier_call = on_node_event,
};

/* WHERE of a PID no node allocates early: op, node, pid. */
static const __le32 location_sample[] = {
	cpu_to_le32(LOCATION_WHERE), 0,
	cpu_to_le32(KRG_PID_LOCAL_MAX | 1 << KRG_PID_NODE_SHIFT),
};

static const struct krg_rpc_service location_service = {
	.type = KRG_RPC_LOCATION,
	.name = "location",
	.handler = location_handler,
	.sample = location_sample,
	.sample_len = sizeof(location_sample),
};

int krg_location_init(void)
{
	int err;

	location_wq = alloc_ordered_workqueue("krg_location", 0);
	if (!location_wq)
		return -ENOMEM;
	err = krg_rpc_register(&location_service);
	if (!err) {
		err = krg_node_notifier_register(&node_events);
		if (err)
			krg_rpc_unregister(&location_service);
	}
	if (err) {
		destroy_workqueue(location_wq);
		location_wq = NULL;
	}
	return err;
}
