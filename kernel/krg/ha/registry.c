// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of protected applications, held whole by every node so
 * that any survivor can recover an application after any node is lost.
 *
 * KRG_RPC_HA_APP carries one update (struct app_wire):
 *
 *   APP_SET       the whole entry, launch record included: attach, a
 *                 recovery's new state, and a joining node's copy;
 *   APP_DEL       detach;
 *   APP_FOOT_ADD  the sender is about to run tasks of the application;
 *   APP_FOOT_DEL  the sender has run none of them for a while.
 *
 * A node speaks only for itself in FOOT_ADD and FOOT_DEL. SET and DEL come
 * from the node that attached or detached, or from the recovering one;
 * only krg kernels speak krg RPC, and each of them checked its caller.
 */
#define pr_fmt(fmt) "krg: ha: " fmt

#include <linux/slab.h>
#include <krg/membership.h>
#include <krg/pid.h>
#include <krg/rpc.h>
#include "ha_internal.h"

enum app_op { APP_SET, APP_DEL, APP_FOOT_ADD, APP_FOOT_DEL };

#define FOOT_WORDS	(KRG_MAX_NODES / 32)

struct app_wire {
	__le32 op;		/* enum app_op */
	__le32 id;
	__le32 root;
	__le32 owner;
	__le32 state;
	__le32 recoveries;
	__le32 committed;
	__le32 node;		/* FOOT_*: the sender */
	char policy[KRG_HA_NAME_LEN];
	__le32 params[KRG_HA_MAX_PARAMS];
	__le32 footprint[FOOT_WORDS];
	__le32 launch_len;
	u8 launch[];
} __packed;

DEFINE_MUTEX(ha_lock);
LIST_HEAD(ha_apps);

struct ha_entry *ha_find(u32 id)
{
	struct ha_entry *e;

	lockdep_assert_held(&ha_lock);
	list_for_each_entry(e, &ha_apps, list)
		if (e->app.id == id)
			return e;
	return NULL;
}

void ha_entry_free(struct ha_entry *e)
{
	kvfree(e->launch);
	kfree(e);
}

static void fill(struct app_wire *w, const struct ha_entry *e)
{
	u32 fp[FOOT_WORDS];
	int i;

	w->op = cpu_to_le32(APP_SET);
	w->id = cpu_to_le32(e->app.id);
	w->root = cpu_to_le32(e->app.root);
	w->owner = cpu_to_le32(e->app.owner);
	w->state = cpu_to_le32(e->app.state);
	w->recoveries = cpu_to_le32(e->app.recoveries);
	w->committed = cpu_to_le32(e->app.committed);
	memcpy(w->policy, e->app.policy, KRG_HA_NAME_LEN);
	for (i = 0; i < KRG_HA_MAX_PARAMS; i++)
		w->params[i] = cpu_to_le32(e->app.params[i]);
	bitmap_to_arr32(fp, e->app.footprint.bits, KRG_MAX_NODES);
	for (i = 0; i < FOOT_WORDS; i++)
		w->footprint[i] = cpu_to_le32(fp[i]);
	w->launch_len = cpu_to_le32(e->launch_len);
	memcpy(w->launch, e->launch, e->launch_len);
}

/*
 * A SET of an entry this node holds: what only this node knows stays. The
 * footprint is the union (an add in flight is never lost: a superset is
 * safe), and a recovery this node saw start is not undone by an update
 * that did not finish it (one with no more recoveries).
 */
static void merge(struct ha_entry *e, const struct ha_entry *old)
{
	bitmap_or(e->app.footprint.bits, e->app.footprint.bits,
		  old->app.footprint.bits, KRG_MAX_NODES);
	e->idle_ticks = old->idle_ticks;
	e->tries = old->tries;
	e->lost = old->lost;
	if (old->app.state == KRG_HA_RECOVERING &&
	    e->app.state == KRG_HA_RUNNING &&
	    e->app.recoveries <= old->app.recoveries)
		e->app.state = KRG_HA_RECOVERING;
}

/* Store the entry of a SET, in place of the one of the same id. */
static int apply_set(const struct app_wire *w, size_t len)
{
	u32 launch_len = le32_to_cpu(w->launch_len);
	struct ha_entry *e, *old;
	u32 fp[FOOT_WORDS];
	int i;

	if (len != sizeof(*w) + launch_len || !launch_len ||
	    launch_len > KRG_HA_MAX_LAUNCH ||
	    !krg_pid_valid(le32_to_cpu(w->id)) ||
	    !krg_pid_valid(le32_to_cpu(w->root)) ||
	    le32_to_cpu(w->state) > KRG_HA_FAILED ||
	    ha_name_valid(w->policy) || ha_launch_check(w->launch, launch_len))
		return -EPROTO;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->launch = kvmemdup(w->launch, launch_len, GFP_KERNEL);
	if (!e->launch) {
		kfree(e);
		return -ENOMEM;
	}
	e->launch_len = launch_len;
	e->app.id = le32_to_cpu(w->id);
	e->app.root = le32_to_cpu(w->root);
	e->app.owner = le32_to_cpu(w->owner);
	e->app.state = le32_to_cpu(w->state);
	e->app.recoveries = le32_to_cpu(w->recoveries);
	e->app.committed = le32_to_cpu(w->committed);
	memcpy(e->app.policy, w->policy, KRG_HA_NAME_LEN);
	for (i = 0; i < KRG_HA_MAX_PARAMS; i++)
		e->app.params[i] = le32_to_cpu(w->params[i]);
	for (i = 0; i < FOOT_WORDS; i++)
		fp[i] = le32_to_cpu(w->footprint[i]);
	bitmap_from_arr32(e->app.footprint.bits, fp, KRG_MAX_NODES);
	/* Node 0 is no node. */
	krg_node_clear(KRG_NODE_NONE, &e->app.footprint);

	mutex_lock(&ha_lock);
	old = ha_find(e->app.id);
	if (!old && list_count_nodes(&ha_apps) >= KRG_HA_MAX_APPS) {
		mutex_unlock(&ha_lock);
		ha_entry_free(e);
		return -ENOSPC;
	}
	if (old) {
		merge(e, old);
		list_replace(&old->list, &e->list);
	} else {
		list_add_tail(&e->list, &ha_apps);
	}
	mutex_unlock(&ha_lock);
	if (old)
		ha_entry_free(old);
	return 0;
}

static int apply(int from, const struct app_wire *w, size_t len)
{
	struct ha_entry *e;
	u32 id, node;
	int err = 0;

	if (len < sizeof(*w))
		return -EPROTO;
	id = le32_to_cpu(w->id);
	node = le32_to_cpu(w->node);
	switch (le32_to_cpu(w->op)) {
	case APP_SET:
		return apply_set(w, len);
	case APP_DEL:
		return len == sizeof(*w) ? ha_forget(id) : -EPROTO;
	case APP_FOOT_ADD:
	case APP_FOOT_DEL:
		/* A node speaks for itself only. */
		if (len != sizeof(*w) || node != from)
			return -EPROTO;
		mutex_lock(&ha_lock);
		e = ha_find(id);
		if (!e)
			err = -ENOENT;
		else if (le32_to_cpu(w->op) == APP_FOOT_ADD)
			krg_node_set(node, &e->app.footprint);
		else
			krg_node_clear(node, &e->app.footprint);
		mutex_unlock(&ha_lock);
		return err;
	}
	return -EPROTO;
}

static int app_handler(const struct krg_rpc_request *req,
		       struct krg_rpc_reply *reply)
{
	return apply(req->src_node, req->data, req->len);
}

struct sent {
	int err;
};

static void gather(int node, int status, const struct krg_rpc_reply *reply,
		   void *arg)
{
	struct sent *s = arg;

	/* A node that went down meanwhile learns it when it joins again. */
	if (status && status != -EHOSTDOWN && !s->err) {
		pr_warn("node %d refused a registry update (%d)\n", node,
			status);
		s->err = status;
	}
}

/* Apply @w here, then on every other online node (or on @only). */
static int send(struct app_wire *w, size_t len, int only)
{
	struct krg_nodemask to;
	struct sent s = {};
	int err = 0;

	if (!only)
		err = apply(krg_node_id, w, len);
	if (err)
		return err;
	krg_nodemask_clear(&to);
	if (only) {
		krg_node_set(only, &to);
	} else {
		krg_nodes_online(&to);
		krg_node_clear(krg_node_id, &to);
	}
	if (krg_nodemask_weight(&to))
		krg_rpc_call_nodes(&to, KRG_RPC_HA_APP, w, len, gather, &s,
				   KRG_RPC_TIMEOUT);
	return s.err;
}

/**
 * ha_publish - store @e on every online node (@only 0), or on node @only
 */
int ha_publish(const struct ha_entry *e, int only)
{
	size_t len = sizeof(struct app_wire) + e->launch_len;
	struct app_wire *w;
	int err;

	w = kvzalloc(len, GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	fill(w, e);
	err = send(w, len, only);
	kvfree(w);
	return err;
}

/**
 * ha_publish_id - store application @id, as this node holds it, everywhere
 */
int ha_publish_id(u32 id)
{
	struct app_wire *w = NULL;
	struct ha_entry *e;
	size_t len = 0;
	int err;

	/* Taken whole under the lock: an update may replace the entry. */
	mutex_lock(&ha_lock);
	e = ha_find(id);
	if (e) {
		len = sizeof(*w) + e->launch_len;
		w = kvzalloc(len, GFP_KERNEL);
		if (w)
			fill(w, e);
	}
	mutex_unlock(&ha_lock);
	if (!w)
		return e ? -ENOMEM : -ENOENT;
	err = send(w, len, 0);
	kvfree(w);
	return err;
}

/* Drop application @id here. */
int ha_forget(u32 id)
{
	struct krg_ha_policy *p;
	struct ha_entry *e;

	mutex_lock(&ha_lock);
	e = ha_find(id);
	if (e)
		list_del(&e->list);
	mutex_unlock(&ha_lock);
	if (!e)
		return -ENOENT;
	p = ha_policy_get(e->app.policy, false);
	if (p && p->detach)
		p->detach(&e->app);
	if (p)
		ha_policy_put(p);
	ha_entry_free(e);
	return 0;
}

/* Detach @id everywhere. */
int ha_unpublish(u32 id)
{
	struct app_wire w = { .op = cpu_to_le32(APP_DEL),
			      .id = cpu_to_le32(id) };

	return send(&w, sizeof(w), 0);
}

static int foot(u32 id, enum app_op op)
{
	struct app_wire w = { .op = cpu_to_le32(op), .id = cpu_to_le32(id),
			      .node = cpu_to_le32(krg_node_id) };

	return send(&w, sizeof(w), 0);
}

/*
 * This node's footprint updates, one at a time and in order: an add
 * never crosses a del on the way to another node.
 */
static DEFINE_MUTEX(foot_lock);

/*
 * This node is about to run tasks of application @id: every node counts
 * it in first, so that a crash of this node is known to touch it. It
 * also stops a del this node's tick decided but has not sent.
 */
int ha_footprint_add(u32 id, int node)
{
	struct ha_entry *e;
	bool known;
	int err = 0;

	mutex_lock(&foot_lock);
	mutex_lock(&ha_lock);
	e = ha_find(id);
	known = e && krg_node_isset(node, &e->app.footprint);
	if (e)
		e->idle_ticks = 0;
	mutex_unlock(&ha_lock);
	if (!e)
		err = -ENOENT;
	else if (!known)
		err = foot(id, APP_FOOT_ADD);
	mutex_unlock(&foot_lock);
	return err;
}

/* This node ran none of @id for KRG_HA_IDLE_TICKS ticks: count it out. */
void ha_footprint_del(u32 id, int node)
{
	struct ha_entry *e;
	bool idle;

	mutex_lock(&foot_lock);
	mutex_lock(&ha_lock);
	e = ha_find(id);
	idle = e && e->idle_ticks >= KRG_HA_IDLE_TICKS &&
	       krg_node_isset(node, &e->app.footprint);
	mutex_unlock(&ha_lock);
	if (idle)
		foot(id, APP_FOOT_DEL);
	mutex_unlock(&foot_lock);
}

/* A node joined: the lowest other online node gives it the registry. */
void ha_registry_sync(int node)
{
	struct ha_entry *e, **copy;
	struct krg_nodemask online;
	unsigned int n = 0, i;

	krg_nodes_online(&online);
	krg_node_clear(node, &online);
	if (find_first_bit(online.bits, KRG_MAX_NODES) != krg_node_id)
		return;
	copy = kcalloc(KRG_HA_MAX_APPS, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return;
	/* Sent outside the lock: an RPC may wait for seconds. */
	mutex_lock(&ha_lock);
	list_for_each_entry(e, &ha_apps, list) {
		copy[n] = kmemdup(e, sizeof(*e), GFP_KERNEL);
		if (copy[n])
			copy[n]->launch = kvmemdup(e->launch, e->launch_len,
						   GFP_KERNEL);
		if (copy[n] && !copy[n]->launch) {
			kfree(copy[n]);
			copy[n] = NULL;
		}
		if (copy[n])
			n++;
	}
	mutex_unlock(&ha_lock);
	for (i = 0; i < n; i++) {
		if (ha_publish(copy[i], node))
			pr_warn("node %d did not take application %u\n", node,
				copy[i]->app.id);
		ha_entry_free(copy[i]);
	}
	kfree(copy);
}

static const struct app_wire app_sample = {
	.op = cpu_to_le32(APP_FOOT_ADD),
	.id = cpu_to_le32(0x400001),
	.node = cpu_to_le32(1),
};

static const struct krg_rpc_service app_service = {
	.type = KRG_RPC_HA_APP,
	.name = "ha app",
	.handler = app_handler,
	.sample = &app_sample,
	.sample_len = sizeof(app_sample),
};

int ha_registry_init(void)
{
	return krg_rpc_register(&app_service);
}
