/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sets of nodes, printed and parsed in the cpumask list format ("1-3,5").
 */
#ifndef _KRG_NODEMASK_H
#define _KRG_NODEMASK_H

#include <linux/bitmap.h>
#include <krg/node.h>

struct krg_nodemask {
	DECLARE_BITMAP(bits, KRG_MAX_NODES);
};

#define for_each_krg_node(node, mask) \
	for_each_set_bit(node, (mask)->bits, KRG_MAX_NODES)

static inline void krg_nodemask_clear(struct krg_nodemask *m)
{
	bitmap_zero(m->bits, KRG_MAX_NODES);
}

static inline void krg_node_set(int node, struct krg_nodemask *m)
{
	__set_bit(node, m->bits);
}

static inline void krg_node_clear(int node, struct krg_nodemask *m)
{
	__clear_bit(node, m->bits);
}

static inline bool krg_node_isset(int node, const struct krg_nodemask *m)
{
	return test_bit(node, m->bits);
}

static inline unsigned int krg_nodemask_weight(const struct krg_nodemask *m)
{
	return bitmap_weight(m->bits, KRG_MAX_NODES);
}

int krg_nodemask_format(char *buf, size_t size, const struct krg_nodemask *m);
int krg_nodemask_parse(const char *buf, struct krg_nodemask *m);

#endif /* _KRG_NODEMASK_H */
