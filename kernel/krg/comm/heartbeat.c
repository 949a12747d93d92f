// SPDX-License-Identifier: GPL-2.0
/*
 * Liveness: every krg.hb_period_ms, each node sends each other node a
 * one-way heartbeat (KRG_RPC_HEARTBEAT). A peer is suspected when none
 * came from it for krg.hb_miss periods, or when TIPC says its link went
 * (topology.c); it is cleared when both are fine again. A node never heard
 * of is suspected too: a node that rebooted may not know a member the
 * others knew, and its say about that member is "I do not hear it".
 * Suspicions alone change nothing: quorum.c turns them into a verdict.
 *
 * A heartbeat also carries what the verdict needs: whom the sender
 * suspects, and boot nonces, so that a peer that rebooted, or that the
 * others declared dead, is told apart from one that was only slow.
 *
 * A node that did not run for a while (its vCPU was descheduled) would
 * suspect everyone: after such a stall the silence is ours, not theirs,
 * and every peer it did not suspect yet gets a fresh start. One already
 * suspected stays so until a heartbeat from it comes.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/spinlock.h>
#include <krg/membership.h>
#include <krg/node.h>
#include <krg/rpc.h>
#include "comm.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "krg."

static unsigned int hb_period_ms = 100;
static unsigned int hb_miss = 6;
module_param(hb_period_ms, uint, 0444);
MODULE_PARM_DESC(hb_period_ms, "heartbeat period (ms, 10..10000)");
module_param(hb_miss, uint, 0444);
MODULE_PARM_DESC(hb_miss, "heartbeats missed before a node is suspected (2..1000)");

#define HB_MAGIC	0x5452414548475254ULL	/* "TRGHEART" */
#define HB_LEAVING	1			/* the sender leaves on purpose */

struct hb_wire {
	__le64 magic;
	__le64 nonce;		/* the sender's boot */
	__le64 declared;	/* the receiver's boot the sender declared dead, or 0 */
	__le32 flags;
	__le32 pad;
	__le32 suspects[KRG_MAX_NODES / 32];	/* nodes the sender suspects */
};

struct peer {
	unsigned long last_seen;	/* jiffies of its last heartbeat */
	u64 nonce;			/* its boot, 0 until heard */
	bool known;			/* heard, or came up: last_seen counts */
	bool link_down;			/* TIPC withdrew it */
	bool suspected;			/* by this node, at the last check */
};

static struct peer peers[KRG_MAX_NODES];
static DEFINE_SPINLOCK(peers_lock);
static DEFINE_MUTEX(heard_lock);	/* one heartbeat handled at a time */
static u64 my_nonce;
static bool leaving;

u64 krg_hb_nonce(void)
{
	return my_nonce;
}

u64 krg_hb_nonce_of(int node)
{
	u64 n;

	spin_lock(&peers_lock);
	n = peers[node].nonce;
	spin_unlock(&peers_lock);
	return n;
}

static void mask_to_wire(__le32 *w, const struct krg_nodemask *m)
{
	u32 a[KRG_MAX_NODES / 32];
	int i;

	bitmap_to_arr32(a, m->bits, KRG_MAX_NODES);
	for (i = 0; i < KRG_MAX_NODES / 32; i++)
		w[i] = cpu_to_le32(a[i]);
}

static void mask_from_wire(struct krg_nodemask *m, const __le32 *w)
{
	u32 a[KRG_MAX_NODES / 32];
	int i;

	for (i = 0; i < KRG_MAX_NODES / 32; i++)
		a[i] = le32_to_cpu(w[i]);
	bitmap_from_arr32(m->bits, a, KRG_MAX_NODES);
}

/* A peer that came up starts with a full allowance. */
void krg_hb_fresh(int node)
{
	spin_lock(&peers_lock);
	peers[node].last_seen = jiffies;
	peers[node].known = true;
	peers[node].link_down = false;
	peers[node].suspected = false;
	spin_unlock(&peers_lock);
}

/* We did not run: the peers we did not suspect get a full allowance. */
static void hb_stalled(const struct krg_nodemask *to)
{
	int node;

	spin_lock(&peers_lock);
	for_each_krg_node(node, to)
		if (!peers[node].suspected)
			peers[node].last_seen = jiffies;
	spin_unlock(&peers_lock);
}

/* Only heartbeats make a member reachable again; the link is not enough. */
void krg_hb_link(int node, bool up)
{
	if (!krg_node_valid(node))
		return;
	spin_lock(&peers_lock);
	peers[node].link_down = !up;
	spin_unlock(&peers_lock);
}

/*
 * This node leaves on purpose: its silence must not be taken for a crash.
 * Its heartbeats say so until its bearer goes (or, if that fails, no more).
 */
void krg_hb_leaving(bool on)
{
	WRITE_ONCE(leaving, on);
}

static int hb_handler(const struct krg_rpc_request *req,
		      struct krg_rpc_reply *reply)
{
	const struct hb_wire *w = req->data;
	struct krg_nodemask suspects;
	int src = req->src_node;
	u64 nonce, old;

	if (!req->oneway || req->len != sizeof(*w) ||
	    le64_to_cpu(w->magic) != HB_MAGIC || !krg_node_valid(src) ||
	    src == krg_node_id || le32_to_cpu(w->flags) & ~HB_LEAVING)
		return -EPROTO;
	nonce = le64_to_cpu(w->nonce);
	if (!nonce)
		return -EPROTO;
	mask_from_wire(&suspects, w->suspects);
	mutex_lock(&heard_lock);
	spin_lock(&peers_lock);
	old = peers[src].nonce;
	spin_unlock(&peers_lock);
	/* The verdict first: a heartbeat that says we were declared dead
	 * must not make its sender look reachable before that is known.
	 */
	krg_quorum_heard(src, old, nonce, le64_to_cpu(w->declared),
			 le32_to_cpu(w->flags) & HB_LEAVING, &suspects);
	spin_lock(&peers_lock);
	peers[src].nonce = nonce;
	peers[src].last_seen = jiffies;
	peers[src].known = true;
	spin_unlock(&peers_lock);
	mutex_unlock(&heard_lock);
	return 0;
}

static const struct krg_rpc_service hb_service = {
	.type = KRG_RPC_HEARTBEAT,
	.name = "heartbeat",
	.handler = hb_handler,
	/* No sample: a fuzzed verdict would fence a live node. */
	.uncounted = true,
};

/* Send one round to the members and to the nodes declared dead. */
static void hb_send_round(const struct krg_hb_round *r)
{
	struct hb_wire w = {
		.magic = cpu_to_le64(HB_MAGIC),
		.nonce = cpu_to_le64(my_nonce),
		.flags = cpu_to_le32(READ_ONCE(leaving) ? HB_LEAVING : 0),
	};
	int node;

	/* A node that left judges no more: its old doubts are no votes. */
	if (krg_state() == KRG_STATE_JOINED)
		mask_to_wire(w.suspects, &r->suspects);
	for_each_krg_node(node, &r->to) {
		if (node == krg_node_id)
			continue;
		w.declared = cpu_to_le64(r->declared[node]);
		krg_rpc_send_any(node, KRG_RPC_HEARTBEAT, &w, sizeof(w));
	}
}

/* Which nodes look dead from here, now: members or not, for the votes. */
static void hb_check(unsigned long limit)
{
	int node;

	for (node = 1; node < KRG_MAX_NODES; node++) {
		bool silent;

		if (node == krg_node_id)
			continue;
		spin_lock(&peers_lock);
		silent = !peers[node].known || peers[node].link_down ||
			 time_after(jiffies, peers[node].last_seen + limit);
		peers[node].suspected = silent;
		spin_unlock(&peers_lock);
		krg_quorum_suspect(node, silent);
	}
}

/* Built each period; one thread, and too big for its stack. */
static struct krg_hb_round round;

static int hb_thread(void *unused)
{
	unsigned long period = max(msecs_to_jiffies(hb_period_ms), 1UL);
	unsigned long limit = period * hb_miss;
	unsigned long last = jiffies;

	while (!kthread_should_stop()) {
		krg_quorum_round(&round);
		if (time_after(jiffies, last + limit / 2)) {
			pr_info_ratelimited("this node did not run for %u ms: peers get a fresh start\n",
					    jiffies_to_msecs(jiffies - last));
			hb_stalled(&round.to);
		}
		last = jiffies;
		hb_send_round(&round);
		/* A node that left stops judging; its last beats say so. */
		if (krg_state() == KRG_STATE_JOINED) {
			hb_check(limit);
			krg_quorum_decide();
		}
		schedule_timeout_idle(period);
	}
	return 0;
}

/* Once this node is joined: its heartbeats make it a live member. */
int krg_heartbeat_start(void)
{
	struct task_struct *t;

	t = kthread_run(hb_thread, NULL, "krg_heartbeat");
	return PTR_ERR_OR_ZERO(t);
}

int krg_heartbeat_init(void)
{
	if (hb_period_ms < 10 || hb_period_ms > 10000) {
		pr_err("krg.hb_period_ms=%u out of 10..10000, using 100\n",
		       hb_period_ms);
		hb_period_ms = 100;
	}
	if (hb_miss < 2 || hb_miss > 1000) {
		pr_err("krg.hb_miss=%u out of 2..1000, using 6\n", hb_miss);
		hb_miss = 6;
	}
	do
		my_nonce = get_random_u64();
	while (!my_nonce);
	/* Fence agents tell this boot from a later one by it (fence.c). */
	pr_info("incarnation %016llx\n", my_nonce);
	return krg_rpc_register(&hb_service);
}
