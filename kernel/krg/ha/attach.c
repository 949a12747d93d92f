// SPDX-License-Identifier: GPL-2.0
/*
 * Attach, detach and list applications: what "krgadm ha" asks, from any
 * node (ctl/netlink.c).
 *
 * Attach needs the rights a checkpoint of the root needs (checked where
 * it runs, tag.c) and a policy loaded on this node; its parameters are
 * checked against the policy's table. Detach needs to be the application's
 * owner (its root's real uid), or CAP_SYS_ADMIN. Listing is open to all,
 * as ps is.
 */
#define pr_fmt(fmt) "krg: ha: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/slab.h>
#include <krg/pid.h>
#include "ha_internal.h"

static const char *const state_names[] = {
	[KRG_HA_RUNNING] = "running",
	[KRG_HA_RECOVERING] = "recovering",
	[KRG_HA_FAILED] = "failed",
};

const char *krg_ha_state_name(u32 state)
{
	return state < ARRAY_SIZE(state_names) ? state_names[state] : "?";
}

/**
 * krg_ha_attach - protect the tree of @root with @policy
 * @params: "key=value ..." for the policy, or ""
 *
 * Return: 0, or an errno with the reason in @msg.
 */
int krg_ha_attach(pid_t root, const char *policy, const char *params,
		  char *msg, size_t size)
{
	struct krg_ha_policy *p;
	struct ha_entry *e;
	bool taken;
	int err;

	if (!krg_pid_valid(root)) {
		snprintf(msg, size, "%d is not a cluster PID", root);
		return -ESRCH;
	}
	p = ha_policy_get(policy, false);
	if (!p) {
		snprintf(msg, size,
			 "policy '%s' is not loaded (krgadm ha load %s)",
			 policy, policy);
		return -ENOENT;
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	err = e ? ha_policy_parse(p, params, e->app.params, msg, size) :
		  -ENOMEM;
	if (err)
		goto out;
	mutex_lock(&ha_lock);
	taken = ha_find(root) != NULL;
	mutex_unlock(&ha_lock);
	if (taken) {
		snprintf(msg, size, "pid %d is attached already", root);
		err = -EEXIST;
		goto out;
	}
	e->app.id = root;
	e->app.root = root;
	e->app.state = KRG_HA_RUNNING;
	strscpy(e->app.policy, p->name, KRG_HA_NAME_LEN);
	err = ha_tag_attach(root, &e->app.owner, &e->app.footprint,
			    &e->launch, &e->launch_len, msg, size);
	if (err)
		goto out;
	if (p->attach) {
		err = p->attach(&e->app);
		if (err) {
			snprintf(msg, size, "policy %s refused pid %d",
				 p->name, root);
			goto out;
		}
	}
	err = ha_publish(e, 0);
	if (err) {
		snprintf(msg, size,
			 "not every node took the application: detached");
		ha_unpublish(root);
		goto out;
	}
	pr_info("application %d attached to %s by uid %u\n", root, p->name,
		from_kuid(&init_user_ns, current_uid()));
out:
	if (e)
		ha_entry_free(e);
	ha_policy_put(p);
	return err;
}

/**
 * krg_ha_detach - stop protecting application @id, everywhere
 *
 * Return: 0, or an errno with the reason in @msg.
 */
int krg_ha_detach(u32 id, char *msg, size_t size)
{
	struct ha_entry *e;
	u32 owner = 0;

	mutex_lock(&ha_lock);
	e = ha_find(id);
	if (e)
		owner = e->app.owner;
	mutex_unlock(&ha_lock);
	if (!e) {
		snprintf(msg, size, "no application %u is attached", id);
		return -ENOENT;
	}
	if (!uid_eq(current_uid(), make_kuid(&init_user_ns, owner)) &&
	    !capable(CAP_SYS_ADMIN)) {
		snprintf(msg, size,
			 "application %u is uid %u's: only it or CAP_SYS_ADMIN may detach it",
			 id, owner);
		return -EPERM;
	}
	pr_info("application %u detached\n", id);
	return ha_unpublish(id);
}

/* Copy up to @max applications to @apps; how many. */
int krg_ha_list(struct krg_ha_app *apps, int max)
{
	struct ha_entry *e;
	int n = 0;

	mutex_lock(&ha_lock);
	list_for_each_entry(e, &ha_apps, list)
		if (n < max)
			apps[n++] = e->app;
	mutex_unlock(&ha_lock);
	return n;
}

/* @app's parameters as "key=value ..." (by index if its policy is gone). */
int krg_ha_params_format(const struct krg_ha_app *app, char *buf,
			 size_t size)
{
	struct krg_ha_policy *p = ha_policy_get(app->policy, false);
	unsigned int i, n = p ? p->nr_params : 0;
	int len = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		len += scnprintf(buf + len, size - len, "%s%s=%u",
				 i ? " " : "", p->params[i].key,
				 app->params[i]);
	if (p)
		ha_policy_put(p);
	return len;
}
