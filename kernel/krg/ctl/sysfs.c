// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only status in /sys/kernel/krg:
 *   node_id, session_id   this node's identity (0: not set, node is out)
 *   state                 out, joining, joined or failed
 *   iface                 the cluster interface
 *   reaper_pid            the cluster PID namespace's reaper as the reader
 *                         sees it (0: no namespace or not visible);
 *                         /proc/<it>/ns/pid is the namespace
 *   nodes/online          nodes reachable now, list format ("1-3,5")
 *   nodes/present         nodes seen since boot
 *   nodes/suspected       members this node hears no heartbeat from
 *   nodes/dead            nodes declared dead by a majority, kept out
 *                         until they boot again (comm/quorum.c)
 *   quorum                1: this node reaches a majority of the members;
 *                         0: it does not, and freezes what HA protects
 *   ghosts, ghost_tables  ghosts and shared-object tables not freed yet
 *   lazy_images           images that restarted processes still load
 *                         pages from (ghost/lazy.c)
 *   lazy_pages            pages left in those images, not loaded yet
 *   encrypted             1: links are encrypted under the cluster key,
 *                         0: in clear (krg.encrypt=0)
 *   rpc_handled           RPC messages handed to their handler, but
 *                         heartbeats
 *   rpc_refused           RPC frames refused: not from a krg kernel port
 *   pids_away             PIDs born here that run on another node, as
 *                         the location directory knows them
 *   locate_direct         calls to a process elsewhere that the location
 *                         directory sent to one node
 *   locate_broadcast      such calls sent to every node: the directory
 *                         could not tell (the PID's home was down)
 *   locate_where          lookups in another node's directory (WHERE):
 *                         calls whose process was not where last seen
 *   migrations_in         migrations coming here now: images staged or
 *                         being restarted (epm/migrate_in.c)
 *   shadows               migrated processes whose shadow is here: their
 *                         parent is on this node (epm/shadow.c)
 *
 * and switches, written by root (CAP_SYS_ADMIN):
 *   unprivileged_restart  0 (default): restart needs CAP_CHECKPOINT_RESTORE,
 *                         as choosing PIDs does; 1: any user may restart
 *                         their own images, with the PIDs they had
 *   ps_hide_others        0 (default): krgps asked here lists every
 *                         process, as /proc does; 1: as /proc with
 *                         hidepid=2, a caller without CAP_SYS_PTRACE sees
 *                         only processes whose real uid is its fsuid
 */
#include <linux/capability.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <krg/epm.h>
#include <krg/ghost.h>
#include <krg/ghost_lazy.h>
#include <krg/ghost_objs.h>
#include <krg/key.h>
#include <krg/membership.h>
#include <krg/pid.h>
#include <krg/ps.h>
#include <krg/proc.h>
#include <krg/rpc.h>
#include "ctl.h"

static ssize_t node_id_show(struct kobject *k, struct kobj_attribute *a,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", krg_node_id);
}

static ssize_t session_id_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%u\n", krg_session_id);
}

static ssize_t state_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", krg_state_name(krg_state()));
}

static ssize_t iface_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", krg_iface);
}

static ssize_t reaper_pid_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%d\n", krg_pid_ns_reaper());
}

/* Counters of what is alive, for leak checks: 0 when krg is idle. */
#define COUNTER_ATTR(name, value)					\
static ssize_t name##_show(struct kobject *k, struct kobj_attribute *a,	\
			   char *buf)					\
{									\
	return sysfs_emit(buf, "%ld\n", (long)(value));			\
}

COUNTER_ATTR(ghosts, atomic_read(&ghost_live))
COUNTER_ATTR(ghost_tables, atomic_read(&ghost_objs_live))
COUNTER_ATTR(lazy_images, atomic_read(&ghost_lazy_live))
COUNTER_ATTR(lazy_pages, atomic_long_read(&ghost_lazy_pending))
COUNTER_ATTR(encrypted, krg_links_encrypted())
COUNTER_ATTR(rpc_handled, atomic_long_read(&krg_rpc_handled))
COUNTER_ATTR(rpc_refused, atomic_long_read(&krg_rpc_refused))
COUNTER_ATTR(pids_away, krg_pids_away())
COUNTER_ATTR(locate_direct, atomic_long_read(&krg_locate_direct))
COUNTER_ATTR(locate_broadcast, atomic_long_read(&krg_locate_broadcast))
COUNTER_ATTR(locate_where, atomic_long_read(&krg_locate_where))
COUNTER_ATTR(migrations_in, atomic_read(&krg_migrations_in))
COUNTER_ATTR(shadows, atomic_read(&krg_shadows))

static ssize_t quorum_show(struct kobject *k, struct kobj_attribute *a,
			   char *buf)
{
	return sysfs_emit(buf, "%d\n", krg_membership_quorate());
}

static ssize_t switch_store(bool *sw, const char *buf, size_t len)
{
	bool on;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = kstrtobool(buf, &on);
	if (err)
		return err;
	WRITE_ONCE(*sw, on);
	return len;
}

#define SWITCH_ATTR(name, var)						\
static ssize_t name##_show(struct kobject *k, struct kobj_attribute *a,	\
			   char *buf)					\
{									\
	return sysfs_emit(buf, "%d\n", READ_ONCE(var));			\
}									\
static ssize_t name##_store(struct kobject *k, struct kobj_attribute *a,\
			    const char *buf, size_t len)		\
{									\
	return switch_store(&(var), buf, len);				\
}									\
static struct kobj_attribute name##_attr = __ATTR_RW(name)

SWITCH_ATTR(unprivileged_restart, krg_unprivileged_restart);
SWITCH_ATTR(ps_hide_others, krg_ps_hide_others);

static ssize_t show_mask(char *buf, void (*get)(struct krg_nodemask *))
{
	struct krg_nodemask m;
	int len;

	get(&m);
	len = krg_nodemask_format(buf, PAGE_SIZE - 1, &m);
	buf[len++] = '\n';
	return len;
}

/* nodes/NAME: the node set krg_nodes_NAME() gives. */
#define NODES_ATTR(name)						\
static ssize_t name##_show(struct kobject *k, struct kobj_attribute *a,	\
			   char *buf)					\
{									\
	return show_mask(buf, krg_nodes_##name);			\
}									\
static struct kobj_attribute name##_attr = __ATTR_RO(name)

NODES_ATTR(online);
NODES_ATTR(present);
NODES_ATTR(suspected);
NODES_ATTR(dead);

static struct kobj_attribute node_id_attr = __ATTR_RO(node_id);
static struct kobj_attribute session_id_attr = __ATTR_RO(session_id);
static struct kobj_attribute state_attr = __ATTR_RO(state);
static struct kobj_attribute iface_attr = __ATTR_RO(iface);
static struct kobj_attribute reaper_pid_attr = __ATTR_RO(reaper_pid);
static struct kobj_attribute ghosts_attr = __ATTR_RO(ghosts);
static struct kobj_attribute ghost_tables_attr = __ATTR_RO(ghost_tables);
static struct kobj_attribute lazy_images_attr = __ATTR_RO(lazy_images);
static struct kobj_attribute lazy_pages_attr = __ATTR_RO(lazy_pages);
static struct kobj_attribute encrypted_attr = __ATTR_RO(encrypted);
static struct kobj_attribute rpc_handled_attr = __ATTR_RO(rpc_handled);
static struct kobj_attribute rpc_refused_attr = __ATTR_RO(rpc_refused);
static struct kobj_attribute pids_away_attr = __ATTR_RO(pids_away);
static struct kobj_attribute locate_direct_attr = __ATTR_RO(locate_direct);
static struct kobj_attribute locate_broadcast_attr = __ATTR_RO(locate_broadcast);
static struct kobj_attribute locate_where_attr = __ATTR_RO(locate_where);
static struct kobj_attribute migrations_in_attr = __ATTR_RO(migrations_in);
static struct kobj_attribute shadows_attr = __ATTR_RO(shadows);
static struct kobj_attribute quorum_attr = __ATTR_RO(quorum);

static struct attribute *krg_attrs[] = {
	&node_id_attr.attr,
	&session_id_attr.attr,
	&state_attr.attr,
	&iface_attr.attr,
	&reaper_pid_attr.attr,
	&ghosts_attr.attr,
	&ghost_tables_attr.attr,
	&lazy_images_attr.attr,
	&lazy_pages_attr.attr,
	&encrypted_attr.attr,
	&rpc_handled_attr.attr,
	&rpc_refused_attr.attr,
	&pids_away_attr.attr,
	&locate_direct_attr.attr,
	&locate_broadcast_attr.attr,
	&locate_where_attr.attr,
	&migrations_in_attr.attr,
	&shadows_attr.attr,
	&quorum_attr.attr,
	&unprivileged_restart_attr.attr,
	&ps_hide_others_attr.attr,
	NULL,
};

static struct attribute *nodes_attrs[] = {
	&online_attr.attr,
	&present_attr.attr,
	&suspected_attr.attr,
	&dead_attr.attr,
	NULL,
};

static const struct attribute_group krg_group = {
	.attrs = krg_attrs,
};

static const struct attribute_group nodes_group = {
	.name = "nodes",
	.attrs = nodes_attrs,
};

static const struct attribute_group *krg_groups[] = {
	&krg_group,
	&nodes_group,
	NULL,
};

int krg_sysfs_init(void)
{
	struct kobject *kobj;
	int err;

	kobj = kobject_create_and_add("krg", kernel_kobj);
	if (!kobj)
		return -ENOMEM;
	err = sysfs_create_groups(kobj, krg_groups);
	if (err)
		kobject_put(kobj);
	return err;
}
