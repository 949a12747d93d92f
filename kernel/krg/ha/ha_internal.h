/* SPDX-License-Identifier: GPL-2.0 */
/* What the HA framework's files share; policies see <krg/ha.h> only. */
#ifndef _KRG_HA_INTERNAL_H
#define _KRG_HA_INTERNAL_H

#include <linux/limits.h>
#include <linux/mutex.h>
#include <uapi/linux/krg_image.h>
#include <krg/ha.h>

struct task_struct;
struct cred;

/* RPC types (80-255 are the HA framework's and its policies'). */
enum krg_rpc_ha_type {
	KRG_RPC_HA_APP = 80,	/* registry updates (registry.c) */
	KRG_RPC_HA_TAG,		/* tag a subtree, capture its launch (tag.c) */
	KRG_RPC_HA_KILL,	/* kill an application's tasks here (launch.c) */
	KRG_RPC_HA_LAUNCH,	/* start an application again here (launch.c) */
	KRG_RPC_HA_LOAD,	/* load a policy's module here (policy.c) */
	KRG_RPC_HA_CKPT,	/* checkpoint an application's tree (ckpt.c) */
};

/* How to start an application again, as its root was at attach. */
#define KRG_HA_MAX_ARGS		(32 << 10)	/* argv, and env: each */
/* Its header and credentials, four paths, argv and env: a bound of all. */
#define KRG_HA_MAX_LAUNCH	(2 * KRG_HA_MAX_ARGS + 4 * PATH_MAX + \
				 (4 << 10) + 4 * KRG_IMG_MAX_GROUPS)

/* Ticks a node runs none of an application before it counts itself out. */
#define KRG_HA_IDLE_TICKS	3

/* A registry entry: the application, and what only the framework sees. */
struct ha_entry {
	struct krg_ha_app app;
	void *launch;		/* struct ha_launch_wire and its strings */
	u32 launch_len;
	unsigned int idle_ticks;	/* ticks this node ran none of it */
	unsigned int tries;		/* recoveries failed in a row */
	int lost;			/* the node it lost last */
	struct list_head list;
};

extern struct mutex ha_lock;	/* the registry and the policy list */
extern struct list_head ha_apps;

struct ha_entry *ha_find(u32 id);
int ha_publish(const struct ha_entry *e, int only);
int ha_publish_id(u32 id);
int ha_forget(u32 id);
int ha_unpublish(u32 id);
int ha_footprint_add(u32 id, int node);
void ha_footprint_del(u32 id, int node);
void ha_entry_free(struct ha_entry *e);
int ha_registry_init(void);
void ha_registry_sync(int node);

struct krg_ha_policy *ha_policy_get(const char *name, bool load);
void ha_policy_put(struct krg_ha_policy *p);
int ha_policy_parse(const struct krg_ha_policy *p, const char *text,
		    u32 *params, char *msg, size_t size);
int ha_policy_init(void);
void ha_policy_sync(int node);
int ha_name_valid(const char *name);

int ha_tag_attach(pid_t root, u32 *owner, struct krg_nodemask *footprint,
		  void **launch, u32 *launch_len, char *msg, size_t size);
int ha_tag_init(void);

int ha_launch_capture(struct task_struct *t, void **launch, u32 *len);

int ha_launch_check(const void *launch, u32 len);
struct cred *ha_app_cred(u32 id);
int ha_launch_init(void);
int ha_ckpt_init(void);

int ha_recover_init(void);

#endif /* _KRG_HA_INTERNAL_H */
