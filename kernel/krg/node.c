// SPDX-License-Identifier: GPL-2.0
/*
 * Node identity from the kernel command line:
 *   krg.node_id=N     1..255, unique in the cluster
 *   krg.session_id=S  1..9999, the cluster; nodes of other sessions never mix
 *   krg.iface=NAME    cluster interface, default eth0
 * A missing or bad value keeps the node out of the cluster (it still boots).
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/string.h>
#include <krg/node.h>

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "krg."

static char *node_id_param;
static char *session_id_param;
static char *iface_param;
module_param_named(node_id, node_id_param, charp, 0);
module_param_named(session_id, session_id_param, charp, 0);
module_param_named(iface, iface_param, charp, 0);

int krg_node_id = KRG_NODE_NONE;
u32 krg_session_id;
char krg_iface[IFNAMSIZ] = "eth0";

static enum krg_state state = KRG_STATE_OUT;

enum krg_state krg_state(void)
{
	return READ_ONCE(state);
}

void krg_set_state(enum krg_state new)
{
	WRITE_ONCE(state, new);
}

const char *krg_state_name(enum krg_state s)
{
	switch (s) {
	case KRG_STATE_OUT:
		return "out";
	case KRG_STATE_JOINING:
		return "joining";
	case KRG_STATE_NOKEY:
		return "nokey";
	case KRG_STATE_JOINED:
		return "joined";
	case KRG_STATE_FAILED:
		return "failed";
	case KRG_STATE_LEFT:
		return "left";
	}
	return "unknown";
}

/* Return: 0, -EINVAL (not a number) or -ERANGE (outside 1..255). */
int krg_parse_node_id(const char *s, int *node)
{
	unsigned int v;

	if (!s || kstrtouint(s, 10, &v))
		return -EINVAL;
	if (!krg_node_valid(v))
		return -ERANGE;
	*node = v;
	return 0;
}

/* Return: 0, -EINVAL (not a number) or -ERANGE (outside 1..9999). */
int krg_parse_session_id(const char *s, u32 *session)
{
	u32 v;

	if (!s || kstrtou32(s, 10, &v))
		return -EINVAL;
	if (v < 1 || v > KRG_SESSION_MAX)
		return -ERANGE;
	*session = v;
	return 0;
}

/* Read the boot parameters; one log line says why a node stays out. */
int krg_identity_init(void)
{
	int node, err;
	u32 session;

	if (iface_param) {
		if (!*iface_param || strlen(iface_param) >= IFNAMSIZ) {
			pr_err("bad krg.iface='%s', node stays out of the cluster\n",
			       iface_param);
			return -EINVAL;
		}
		strscpy(krg_iface, iface_param, IFNAMSIZ);
	}
	if (!node_id_param) {
		pr_err("no krg.node_id= on the command line, node stays out of the cluster\n");
		return -ENOENT;
	}
	err = krg_parse_node_id(node_id_param, &node);
	if (err) {
		pr_err("bad krg.node_id='%s' (want 1..%d), node stays out of the cluster\n",
		       node_id_param, KRG_MAX_NODES - 1);
		return err;
	}
	if (!session_id_param) {
		pr_err("no krg.session_id= on the command line, node stays out of the cluster\n");
		return -ENOENT;
	}
	err = krg_parse_session_id(session_id_param, &session);
	if (err) {
		pr_err("bad krg.session_id='%s' (want 1..%d), node stays out of the cluster\n",
		       session_id_param, KRG_SESSION_MAX);
		return err;
	}
	krg_node_id = node;
	krg_session_id = session;
	return 0;
}
