// SPDX-License-Identifier: GPL-2.0
/*
 * periodic_coordinated: every interval, checkpoint the whole application
 * (frozen together, saved, running again) into stable storage and commit
 * the set; when a node it ran on is lost, kill what is left of it and
 * restart it from the last committed set on a survivor, with its PIDs.
 * Work since that set is lost, and redone. With mtbf=, the interval is
 * Young's, sqrt(2 * C * MTBF), C the last checkpoint's measured cost.
 * See Documentation/ha-periodic_coordinated.md.
 */
#define pr_fmt(fmt) "krg: ha: periodic_coordinated: " fmt

#include <linux/jiffies.h>
#include <linux/math.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/clock.h>
#include <krg/ha.h>

static const struct krg_ha_param params[] = {
	{ .key = "interval", .min = 1, .max = 86400, .def = 10 },	/* s */
	{ .key = "mtbf", .min = 0, .max = 10000000, .def = 0 },	/* s */
};

static struct krg_ha_policy periodic;

/* When each application was last saved, and what that cost. */
struct clock {
	u32 id;
	unsigned long last;	/* jiffies */
	u64 cost_ms;
};

static struct clock clocks[KRG_HA_MAX_APPS];
static DEFINE_MUTEX(clocks_lock);

static struct clock *clock_of(u32 id)
{
	struct clock *free = NULL;
	int i;

	for (i = 0; i < KRG_HA_MAX_APPS; i++) {
		if (clocks[i].id == id)
			return &clocks[i];
		if (!free && !clocks[i].id)
			free = &clocks[i];
	}
	if (free) {
		free->id = id;
		free->last = jiffies;	/* its first set one interval in */
		free->cost_ms = 0;
	}
	return free;
}

/* The next set one interval from now. */
static void clock_restart(u32 id)
{
	struct clock *c = clock_of(id);

	if (c)
		c->last = jiffies;
}

static void detach(struct krg_ha_app *app)
{
	int i;

	mutex_lock(&clocks_lock);
	for (i = 0; i < KRG_HA_MAX_APPS; i++)
		if (clocks[i].id == app->id)
			clocks[i].id = 0;
	mutex_unlock(&clocks_lock);
}

/* Seconds between sets: given, or Young's once a cost is measured. */
static u64 interval_ms(const struct krg_ha_app *app, const struct clock *c)
{
	u64 mtbf = krg_ha_param_get(app, &periodic, "mtbf");

	if (!mtbf || !c->cost_ms)
		return krg_ha_param_get(app, &periodic, "interval") * 1000ULL;
	return int_sqrt64(2 * c->cost_ms * mtbf * 1000);
}

static void tick(struct krg_ha_app *app)
{
	u64 frozen_ns, start, cost_ms;
	struct clock *c;
	bool due;
	u32 set;
	int err;

	mutex_lock(&clocks_lock);
	c = clock_of(app->id);
	due = c && !time_before(jiffies, c->last +
				msecs_to_jiffies(interval_ms(app, c)));
	mutex_unlock(&clocks_lock);
	if (!due)
		return;
	/* Not under the lock: a set may take seconds. */
	start = local_clock();
	set = app->committed + 1;
	err = krg_ha_app_checkpoint(app, set, &frozen_ns);
	cost_ms = div_u64(local_clock() - start, NSEC_PER_MSEC) ?: 1;
	if (!err)
		app->committed = set;	/* commit: every node learns it */
	mutex_lock(&clocks_lock);
	c = clock_of(app->id);
	if (c) {
		c->last = jiffies;
		if (!err)
			c->cost_ms = cost_ms;
	}
	mutex_unlock(&clocks_lock);
	if (err)
		pr_warn("application %u: set %u failed (%d); set %u stays\n",
			app->id, set, err, app->committed);
}

static int node_failed(struct krg_ha_app *app, int node)
{
	int target, err;

	/* Never two copies: what survived of the old one goes first. */
	err = krg_ha_app_kill(app);
	if (err)
		return err;
	krg_nodemask_clear(&app->footprint);
	target = krg_ha_place(app);
	if (target < 0)
		return target;
	if (!app->committed) {
		pr_info("application %u lost node %d before its first set: started again\n",
			app->id, node);
		return krg_ha_app_relaunch(app, target);
	}
	err = krg_ha_app_restart(app, target);
	if (!err)
		pr_info("application %u lost node %d: set %u restarted on node %d\n",
			app->id, node, app->committed, target);
	mutex_lock(&clocks_lock);
	clock_restart(app->id);
	mutex_unlock(&clocks_lock);
	return err;
}

static struct krg_ha_policy periodic = {
	.name = "periodic_coordinated",
	.owner = THIS_MODULE,
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.detach = detach,
	.node_failed = node_failed,
	.tick = tick,
};

static int __init periodic_init(void)
{
	return krg_ha_policy_register(&periodic);
}

static void __exit periodic_exit(void)
{
	krg_ha_policy_unregister(&periodic);
}

module_init(periodic_init);
module_exit(periodic_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krg HA policy: periodic coordinated checkpoints, rollback on failure");
