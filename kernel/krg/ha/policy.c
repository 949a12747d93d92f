// SPDX-License-Identifier: GPL-2.0
/*
 * HA policies: the modules that register a struct krg_ha_policy, and the
 * loading of one on every node.
 *
 * "krgadm ha load NAME" loads module krg_ha_NAME (request_module(), so
 * modprobe and the node's module directory) on the node asked, then asks
 * every other online node to do the same (KRG_RPC_HA_LOAD). Every node
 * keeps the names loaded, so the lowest online node has a node that joins
 * later load them too.
 */
#define pr_fmt(fmt) "krg: ha: " fmt

#include <linux/ctype.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <krg/membership.h>
#include <krg/rpc.h>
#include "ha_internal.h"

static LIST_HEAD(policies);
/* Names loaded in the cluster, "" for none, under ha_lock. */
static char loaded[KRG_HA_MAX_APPS][KRG_HA_NAME_LEN];

/* 0 if @name is a policy name: [a-z0-9_], 1 to 31 characters, NUL-ended. */
int ha_name_valid(const char *name)
{
	size_t i;

	for (i = 0; i < KRG_HA_NAME_LEN && name[i]; i++)
		if (!islower(name[i]) && !isdigit(name[i]) && name[i] != '_')
			return -EINVAL;
	return i && i < KRG_HA_NAME_LEN ? 0 : -EINVAL;
}

static struct krg_ha_policy *find(const char *name)
{
	struct krg_ha_policy *p;

	list_for_each_entry(p, &policies, list)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/**
 * krg_ha_policy_register - offer a policy to the framework
 * @policy: it, with a valid unique name and a parameter table of at most
 *	KRG_HA_MAX_PARAMS entries
 *
 * Return: 0, -EINVAL for a bad name or table, -EEXIST for a name taken.
 */
int krg_ha_policy_register(struct krg_ha_policy *policy)
{
	unsigned int i;
	int err = 0;

	if (ha_name_valid(policy->name) || !policy->node_failed ||
	    policy->nr_params > KRG_HA_MAX_PARAMS)
		return -EINVAL;
	for (i = 0; i < policy->nr_params; i++)
		if (policy->params[i].min > policy->params[i].max ||
		    policy->params[i].def < policy->params[i].min ||
		    policy->params[i].def > policy->params[i].max)
			return -EINVAL;
	mutex_lock(&ha_lock);
	if (find(policy->name))
		err = -EEXIST;
	else
		list_add_tail(&policy->list, &policies);
	mutex_unlock(&ha_lock);
	if (!err)
		pr_info("policy %s registered\n", policy->name);
	return err;
}
EXPORT_SYMBOL_GPL(krg_ha_policy_register);

/**
 * krg_ha_policy_unregister - withdraw a policy (its module unloads)
 * @policy: as registered
 *
 * The framework holds the module while it calls the policy, so no
 * callback runs after this. Applications keep naming it: a recovery
 * loads it again.
 */
void krg_ha_policy_unregister(struct krg_ha_policy *policy)
{
	mutex_lock(&ha_lock);
	list_del(&policy->list);
	mutex_unlock(&ha_lock);
}
EXPORT_SYMBOL_GPL(krg_ha_policy_unregister);

/* The policy @name (loaded if need be, if @load), held until ha_policy_put(). */
struct krg_ha_policy *ha_policy_get(const char *name, bool load)
{
	struct krg_ha_policy *p;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		mutex_lock(&ha_lock);
		p = find(name);
		if (p && !try_module_get(p->owner))
			p = NULL;
		mutex_unlock(&ha_lock);
		if (p || tries || !load || ha_name_valid(name))
			return p;
		request_module("krg_ha_%s", name);
	}
	return NULL;
}

void ha_policy_put(struct krg_ha_policy *p)
{
	module_put(p->owner);
}

/* Load @name here and note it; 0 once its module registered it. */
static int load_here(const char *name)
{
	struct krg_ha_policy *p;
	int i, free = -1;

	if (ha_name_valid(name))
		return -EINVAL;
	p = ha_policy_get(name, true);
	if (!p)
		return -ENOENT;
	ha_policy_put(p);
	mutex_lock(&ha_lock);
	for (i = 0; i < KRG_HA_MAX_APPS; i++) {
		if (!strcmp(loaded[i], name))
			break;
		if (free < 0 && !loaded[i][0])
			free = i;
	}
	if (i == KRG_HA_MAX_APPS && free >= 0)
		strscpy(loaded[free], name, KRG_HA_NAME_LEN);
	mutex_unlock(&ha_lock);
	return 0;
}

struct load_result {
	int node;
	int err;
};

static void gather(int node, int status, const struct krg_rpc_reply *reply,
		   void *arg)
{
	struct load_result *r = arg;

	if (status && !r->err) {
		r->err = status;
		r->node = node;
	}
}

/**
 * krg_ha_load - load policy @name on every online node
 *
 * Return: 0; -ENOENT when this node has no such module; or the first
 * other node's error, as -EREMOTEIO with that node in the log.
 */
int krg_ha_load(const char *name)
{
	struct load_result r = {};
	struct krg_nodemask to;
	char wire[KRG_HA_NAME_LEN] = "";
	int err;

	err = load_here(name);
	if (err)
		return err;
	strscpy(wire, name, sizeof(wire));
	krg_nodes_online(&to);
	krg_node_clear(krg_node_id, &to);
	if (krg_nodemask_weight(&to))
		krg_rpc_call_nodes(&to, KRG_RPC_HA_LOAD, wire, sizeof(wire),
				   gather, &r, KRG_RPC_TIMEOUT);
	if (r.err && r.err != -EHOSTDOWN) {
		pr_warn("node %d cannot load policy %s (%d)\n", r.node, name,
			r.err);
		return -EREMOTEIO;
	}
	return 0;
}

static int load_handler(const struct krg_rpc_request *req,
			struct krg_rpc_reply *reply)
{
	const char *name = req->data;

	if (req->len != KRG_HA_NAME_LEN || ha_name_valid(name))
		return -EPROTO;
	return load_here(name);
}

/* A node joined: the lowest other online node has it load the policies. */
void ha_policy_sync(int node)
{
	char (*names)[KRG_HA_NAME_LEN];
	struct krg_nodemask online;
	struct krg_rpc_reply reply;
	int i, err;

	krg_nodes_online(&online);
	krg_node_clear(node, &online);
	if (find_first_bit(online.bits, KRG_MAX_NODES) != krg_node_id)
		return;
	names = kmalloc(sizeof(loaded), GFP_KERNEL);
	if (!names)
		return;
	mutex_lock(&ha_lock);
	memcpy(names, loaded, sizeof(loaded));
	mutex_unlock(&ha_lock);
	for (i = 0; i < KRG_HA_MAX_APPS; i++) {
		if (!names[i][0])
			continue;
		err = krg_rpc_call(node, KRG_RPC_HA_LOAD, names[i],
				   KRG_HA_NAME_LEN, &reply, KRG_RPC_TIMEOUT);
		if (err)
			pr_warn("node %d cannot load policy %s (%d)\n", node,
				names[i], err);
		else
			krg_rpc_reply_free(&reply);
	}
	kfree(names);
}

/**
 * ha_policy_parse - read "key=value ..." against @p's table into @params
 *
 * Return: 0, or -EINVAL with the key and what it wants in @msg.
 */
int ha_policy_parse(const struct krg_ha_policy *p, const char *text,
		    u32 *params, char *msg, size_t size)
{
	char *copy, *cur, *tok, *val;
	unsigned int i;
	int err = 0;

	for (i = 0; i < KRG_HA_MAX_PARAMS; i++)
		params[i] = i < p->nr_params ? p->params[i].def : 0;
	copy = kstrdup(text, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cur = copy;
	while (!err && (tok = strsep(&cur, " ")) != NULL) {
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (val)
			*val++ = '\0';
		for (i = 0; i < p->nr_params; i++)
			if (!strcmp(p->params[i].key, tok))
				break;
		if (i == p->nr_params) {
			snprintf(msg, size, "policy %s has no parameter '%s'",
				 p->name, tok);
			err = -EINVAL;
		} else if (!val || kstrtou32(val, 10, &params[i]) ||
			   params[i] < p->params[i].min ||
			   params[i] > p->params[i].max) {
			snprintf(msg, size,
				 "parameter '%s' of policy %s wants an integer from %u to %u",
				 tok, p->name, p->params[i].min,
				 p->params[i].max);
			err = -EINVAL;
		}
	}
	kfree(copy);
	return err;
}

/**
 * krg_ha_param_get - the value of parameter @key of @app
 *
 * Return: it, or 0 for a key not in @policy's table.
 */
u32 krg_ha_param_get(const struct krg_ha_app *app,
		     const struct krg_ha_policy *policy, const char *key)
{
	unsigned int i;

	for (i = 0; i < policy->nr_params; i++)
		if (!strcmp(policy->params[i].key, key))
			return app->params[i];
	return 0;
}
EXPORT_SYMBOL_GPL(krg_ha_param_get);

/* The policies loaded in the cluster, space-separated, in @buf. */
int krg_ha_policies_format(char *buf, size_t size)
{
	int i, len = 0;

	buf[0] = '\0';
	mutex_lock(&ha_lock);
	for (i = 0; i < KRG_HA_MAX_APPS; i++)
		if (loaded[i][0])
			len += scnprintf(buf + len, size - len, "%s%s",
					 len ? " " : "", loaded[i]);
	mutex_unlock(&ha_lock);
	return len;
}

static const char load_sample[KRG_HA_NAME_LEN] = "none";

static const struct krg_rpc_service load_service = {
	.type = KRG_RPC_HA_LOAD,
	.name = "ha load",
	.handler = load_handler,
	.sample = load_sample,
	.sample_len = sizeof(load_sample),
};

int ha_policy_init(void)
{
	return krg_rpc_register(&load_service);
}
