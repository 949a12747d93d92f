// SPDX-License-Identifier: GPL-2.0
/*
 * Fencing: before the cluster recovers what a dead node ran, the node is
 * made sure to be dead, by a fence agent: a program run as
 * "AGENT NODE" that powers the node off (IPMI, a power switch; in the
 * test harness, killing its QEMU) and exits 0 once it is off.
 *
 *   krg.fence_agent=PATH   default /sbin/krg-fence; "none": no fencing
 *
 * A failing agent, or a missing one, is run again every second: nothing
 * is recovered until one run confirms. Without a power switch, boot with
 * krg.fence_agent=none: the majority rule alone then keeps a cut-off node
 * from running what was recovered elsewhere, once it hears from us.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/umh.h>
#include <krg/node.h>
#include "comm.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "krg."

static char *fence_agent = "/sbin/krg-fence";
module_param(fence_agent, charp, 0444);
MODULE_PARM_DESC(fence_agent, "program that powers a dead node off, or none");

#define FENCE_RETRY_MS	1000

static int run_agent(int node, u64 nonce)
{
	char arg[8], inc[20];
	char *argv[] = { fence_agent, arg, inc, NULL };
	static char *envp[] = { "HOME=/", "PATH=/sbin:/bin:/usr/sbin:/usr/bin",
				NULL };

	snprintf(arg, sizeof(arg), "%d", node);
	snprintf(inc, sizeof(inc), "%016llx", nonce);
	return call_usermodehelper(fence_agent, argv, envp, UMH_WAIT_PROC);
}

/* Said once per fence: nothing @node ran is recovered until it is off. */
static void say_unfenced(int node, int err)
{
	if (err == -ENOENT)
		pr_err("cannot fence node %d: no fence agent %s (install one, or boot with krg.fence_agent=none); nothing it ran is recovered until it is fenced\n",
		       node, fence_agent);
	else
		pr_err("fencing node %d failed (%s %d: %d), trying again every %d ms; nothing it ran is recovered until it is fenced\n",
		       node, fence_agent, node, err, FENCE_RETRY_MS);
}

/**
 * krg_fence - make sure @node is off before what it ran is recovered
 * @nonce: the incarnation declared dead
 *
 * Waits until the fence agent confirms; sleeps. The node is not
 * recovered by anyone in the meantime.
 */
void krg_fence(int node, u64 nonce)
{
	unsigned int tries = 0;
	int err;

	if (!strcmp(fence_agent, "none")) {
		pr_info("node %d not fenced (krg.fence_agent=none)\n", node);
		return;
	}
	pr_info("fencing node %d with %s\n", node, fence_agent);
	for (;;) {
		err = run_agent(node, nonce);
		if (!err)
			break;
		if (!tries++)
			say_unfenced(node, err);
		msleep(FENCE_RETRY_MS);
	}
	pr_info("node %d fenced%s\n", node, tries ? " at last" : "");
}
