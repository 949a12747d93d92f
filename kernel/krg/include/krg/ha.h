/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krg HA framework: the API that rollback-recovery policies, each a
 * loadable module, are written against (Documentation/ha.md and
 * Documentation/ha-policy-howto.md).
 *
 * A protected application is a process tree, named by the cluster PID its
 * root had when it was attached (its id). Every task of the tree carries
 * that id (task_struct::krg_ha_app): fork inherits it, migration and
 * restart carry it. Every node holds the whole registry of applications,
 * so that any survivor can recover one after any node is lost.
 */
#ifndef _KRG_HA_H
#define _KRG_HA_H

#include <linux/list.h>
#include <linux/types.h>
#include <krg/nodemask.h>

struct module;

#define KRG_HA_NAME_LEN		32
#define KRG_HA_MAX_PARAMS	8
#define KRG_HA_MAX_APPS		64
/* Stable storage's shared filesystem tier: the same directory everywhere. */
#define KRG_HA_STORE		"/krg/shared/ha"

/**
 * struct krg_ha_param - a parameter a policy accepts at attach
 * @key: its name, as in "key=value"
 * @min: the smallest value accepted
 * @max: the largest value accepted
 * @def: its value when attach does not give it
 */
struct krg_ha_param {
	const char *key;
	u32 min, max, def;
};

enum krg_ha_state {
	KRG_HA_RUNNING,		/* protected, nothing to do */
	KRG_HA_RECOVERING,	/* lost a node: its policy recovers it */
	KRG_HA_FAILED,		/* recovery gave up: see the kernel log */
};

/**
 * struct krg_ha_app - a protected application, as every node knows it
 * @id: the cluster PID of its root when attached; its tasks carry it
 * @root: the cluster PID of its root now (a relaunch gives a new one)
 * @policy: the name of its policy
 * @params: its parameters, in the order of the policy's table
 * @owner: its owner: the real uid of its root when attached
 * @state: enum krg_ha_state
 * @recoveries: how many times its policy recovered it
 * @committed: its last committed checkpoint set, 0: none
 * @footprint: the nodes that may run its tasks (a superset: a node joins
 *	it before it runs one, leaves it once it has run none for a while)
 */
struct krg_ha_app {
	u32 id;
	u32 root;
	char policy[KRG_HA_NAME_LEN];
	u32 params[KRG_HA_MAX_PARAMS];
	u32 owner;
	u32 state;
	u32 recoveries;
	u32 committed;
	struct krg_nodemask footprint;
};

/**
 * struct krg_ha_policy - a rollback-recovery strategy
 * @name: what "krgadm ha load" and "attach" call it; its module is
 *	krg_ha_<name>.ko
 * @owner: THIS_MODULE
 * @params: the parameters it accepts, @nr_params of them
 * @attach: an application was attached to it (on the node that attached
 *	it); an error refuses the attach
 * @detach: an application was detached, on every node that has the
 *	policy loaded (may be NULL)
 * @node_failed: @node was lost while @app may have run tasks there. Called
 *	on one survivor only (the lowest online node), which may be lost in
 *	turn: the next one calls it again, so it must be safe to repeat. It
 *	returns 0 once @app runs again, or an error to be called again at
 *	the next tick, up to a bounded number of tries in a row.
 * @tick: every second, on the same node, for each running application
 *	of the policy (may be NULL); what it changes in @app (a set it
 *	committed) is published to every node
 */
struct krg_ha_policy {
	const char *name;
	struct module *owner;
	const struct krg_ha_param *params;
	unsigned int nr_params;
	int (*attach)(struct krg_ha_app *app);
	void (*detach)(struct krg_ha_app *app);
	int (*node_failed)(struct krg_ha_app *app, int node);
	void (*tick)(struct krg_ha_app *app);
	struct list_head list;	/* the framework's */
};

int krg_ha_policy_register(struct krg_ha_policy *policy);
void krg_ha_policy_unregister(struct krg_ha_policy *policy);

/* Services for policies: each works from any node, on every online node. */
int krg_ha_app_kill(const struct krg_ha_app *app);
int krg_ha_app_relaunch(struct krg_ha_app *app, int node);
int krg_ha_place(const struct krg_ha_app *app);
int krg_ha_app_checkpoint(const struct krg_ha_app *app, u32 set,
			  u64 *frozen_ns);
int krg_ha_app_restart(struct krg_ha_app *app, int node);
u32 krg_ha_param_get(const struct krg_ha_app *app,
		     const struct krg_ha_policy *policy, const char *key);

/* The framework's own entry points, for ctl/ (netlink) and ghost/. */
int krg_ha_load(const char *name);
int krg_ha_attach(pid_t root, const char *policy, const char *params,
		  char *msg, size_t size);
int krg_ha_detach(u32 id, char *msg, size_t size);
int krg_ha_list(struct krg_ha_app *apps, int max);
int krg_ha_params_format(const struct krg_ha_app *app, char *buf,
			 size_t size);
int krg_ha_policies_format(char *buf, size_t size);
const char *krg_ha_state_name(u32 state);
struct cred;
int krg_ha_task_arrives(u32 id, const struct cred *caller);
int krg_ha_init(void);

#endif /* _KRG_HA_H */
