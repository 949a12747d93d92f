// SPDX-License-Identifier: GPL-2.0
/*
 * Node sets in the cpumask list format, as shown in /sys/kernel/krg/nodes.
 */
#include <linux/bitmap.h>
#include <linux/kernel.h>
#include <krg/nodemask.h>

/* Format as "1-3,5"; an empty set is "". Return: length written. */
int krg_nodemask_format(char *buf, size_t size, const struct krg_nodemask *m)
{
	return scnprintf(buf, size, "%*pbl", KRG_MAX_NODES, m->bits);
}

/* Parse "1-3,5" (empty string: empty set). Return: 0, -EINVAL or -ERANGE. */
int krg_nodemask_parse(const char *buf, struct krg_nodemask *m)
{
	return bitmap_parselist(buf, m->bits, KRG_MAX_NODES);
}
