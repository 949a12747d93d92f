// SPDX-License-Identifier: GPL-2.0
/*
 * restart_scratch: the baseline HA policy. When a node that ran part of
 * the application is lost, kill what is left of it everywhere, then start
 * it again from its original command line on a survivor. Work done before
 * the crash is lost; the application's own output files are its record.
 * See Documentation/ha-restart_scratch.md.
 */
#define pr_fmt(fmt) "krg: ha: restart_scratch: " fmt

#include <linux/module.h>
#include <krg/ha.h>

/*
 * A crash that happens during the relaunch itself retries it, as does a
 * refusal; the framework gives up after a few failures in a row.
 */
static struct krg_ha_policy restart_scratch;

static int node_failed(struct krg_ha_app *app, int node)
{
	u32 max = krg_ha_param_get(app, &restart_scratch, "max_restarts");
	int target, err;

	if (app->recoveries >= max) {
		pr_warn("application %u lost node %d: restarted %u times, its max_restarts\n",
			app->id, node, app->recoveries);
		krg_ha_app_kill(app);
		return -EDQUOT;
	}

	/* Never two copies: what survived of the old one goes first. */
	err = krg_ha_app_kill(app);
	if (err) {
		pr_warn("application %u: cannot kill what is left (%d)\n",
			app->id, err);
		return err;
	}
	krg_nodemask_clear(&app->footprint);
	target = krg_ha_place(app);
	if (target < 0)
		return target;
	err = krg_ha_app_relaunch(app, target);
	if (err)
		pr_warn("application %u: relaunch on node %d failed (%d)\n",
			app->id, target, err);
	else
		pr_info("application %u lost node %d: relaunched on node %d as pid %u\n",
			app->id, node, target, app->root);
	return err;
}

static const struct krg_ha_param params[] = {
	{ .key = "max_restarts", .min = 0, .max = 1000, .def = 10 },
};

static struct krg_ha_policy restart_scratch = {
	.name = "restart_scratch",
	.owner = THIS_MODULE,
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.node_failed = node_failed,
};

static int __init restart_scratch_init(void)
{
	return krg_ha_policy_register(&restart_scratch);
}

static void __exit restart_scratch_exit(void)
{
	krg_ha_policy_unregister(&restart_scratch);
}

module_init(restart_scratch_init);
module_exit(restart_scratch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krg HA policy: relaunch from scratch on a node failure");
