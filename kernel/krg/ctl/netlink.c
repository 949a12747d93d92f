// SPDX-License-Identifier: GPL-2.0
/*
 * The "krg" generic netlink family. The protocol is documented in
 * include/uapi/linux/krg_netlink.h.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/kernel.h>
#include <net/genetlink.h>
#include <uapi/linux/krg_netlink.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <krg/cap.h>
#include <krg/epm.h>
#include <krg/ha.h>
#include <krg/key.h>
#include <krg/membership.h>
#include <krg/pid.h>
#include <krg/ps.h>
#include <krg/rpc.h>
#include "ctl.h"

#define PING_MAX_COUNT		100000
#define PING_MAX_TIMEOUT_MS	600000
/* Room for every node: a nest with an id and a state (or status) each. */
#define NODES_REPLY_LEN		(128 + KRG_MAX_NODES * (nla_total_size(0) + \
				 nla_total_size(4) + nla_total_size(4)))
#define NODELIST_LEN		512	/* "1,3,5,...,255" is 457 */

static struct genl_family krg_family;

static const struct nla_policy krg_policy[KRG_A_MAX + 1] = {
	[KRG_A_PING_NODE] = NLA_POLICY_RANGE(NLA_U32, 1, KRG_MAX_NODES - 1),
	[KRG_A_PING_SIZE] = { .type = NLA_U32 },
	[KRG_A_PING_COUNT] = { .type = NLA_U32 },
	[KRG_A_PING_TYPE] = NLA_POLICY_MAX(NLA_U16, KRG_RPC_NR_TYPES - 1),
	[KRG_A_PING_TIMEOUT_MS] = { .type = NLA_U32 },
	[KRG_A_PING_NODES] = { .type = NLA_NUL_STRING, .len = NODELIST_LEN - 1 },
	[KRG_A_CAP_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KRG_A_CAP_EFFECTIVE] = NLA_POLICY_MASK(NLA_U32, KRG_CAP_ALL),
	[KRG_A_CAP_PERMITTED] = NLA_POLICY_MASK(NLA_U32, KRG_CAP_ALL),
	[KRG_A_CAP_INH_EFFECTIVE] = NLA_POLICY_MASK(NLA_U32, KRG_CAP_ALL),
	[KRG_A_CAP_INH_PERMITTED] = NLA_POLICY_MASK(NLA_U32, KRG_CAP_ALL),
	[KRG_A_CAP_FORCE] = { .type = NLA_FLAG },
	[KRG_A_PING_ONEWAY] = { .type = NLA_FLAG },
	[KRG_A_CR_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KRG_A_CR_DIR_FD] = { .type = NLA_U32 },
	[KRG_A_CR_FLAGS] = NLA_POLICY_MASK(NLA_U32, KRG_CR_CHECKPOINT_FLAGS |
					   KRG_CR_RESTART_FLAGS |
					   KRG_CR_MIGRATE_FLAGS),
	[KRG_A_CR_NODE] = NLA_POLICY_MAX(NLA_U32, KRG_MAX_NODES - 1),
	[KRG_A_CR_PATH] = { .type = NLA_NUL_STRING, .len = PATH_MAX - 1 },
	[KRG_A_KEY] = NLA_POLICY_EXACT_LEN(KRG_CLUSTER_KEY_LEN),
	[KRG_A_NODE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, KRG_MAX_NODES - 1),
	[KRG_A_LEAVE_FORCE] = { .type = NLA_FLAG },
	[KRG_A_HA_POLICY] = { .type = NLA_NUL_STRING,
			      .len = KRG_HA_NAME_LEN - 1 },
	[KRG_A_HA_PARAMS] = { .type = NLA_NUL_STRING, .len = 255 },
	[KRG_A_HA_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static struct sk_buff *reply_new(struct genl_info *info, void **hdr,
				 size_t size)
{
	struct sk_buff *skb = genlmsg_new(size, GFP_KERNEL);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put_reply(skb, info, &krg_family, 0, info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static int reply_send(struct sk_buff *skb, void *hdr, struct genl_info *info)
{
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int put_mask(struct sk_buff *skb, int attr,
		    void (*get)(struct krg_nodemask *))
{
	char list[NODELIST_LEN];
	struct krg_nodemask m;

	get(&m);
	krg_nodemask_format(list, sizeof(list), &m);
	return nla_put_string(skb, attr, list);
}

static int krg_nl_cluster_get(struct sk_buff *in, struct genl_info *info)
{
	struct sk_buff *skb;
	void *hdr;

	skb = reply_new(info, &hdr, NLMSG_GOODSIZE);
	if (!skb)
		return -ENOMEM;
	if (nla_put_u32(skb, KRG_A_NODE_ID, krg_node_id) ||
	    nla_put_u32(skb, KRG_A_SESSION_ID, krg_session_id) ||
	    nla_put_string(skb, KRG_A_STATE, krg_state_name(krg_state())) ||
	    nla_put_string(skb, KRG_A_IFACE, krg_iface) ||
	    put_mask(skb, KRG_A_ONLINE, krg_nodes_online) ||
	    put_mask(skb, KRG_A_PRESENT, krg_nodes_present) ||
	    nla_put_u8(skb, KRG_A_ENCRYPTED, krg_links_encrypted())) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	return reply_send(skb, hdr, info);
}

static int put_node(struct sk_buff *skb, int node, u8 state)
{
	struct nlattr *n = nla_nest_start(skb, KRG_A_NODE);

	if (!n || nla_put_u32(skb, KRG_A_NODE_ID, node) ||
	    nla_put_u8(skb, KRG_A_NODE_STATE, state))
		return -EMSGSIZE;
	nla_nest_end(skb, n);
	return 0;
}

static int krg_nl_nodes_get(struct sk_buff *in, struct genl_info *info)
{
	struct krg_nodemask online, present;
	struct sk_buff *skb;
	struct nlattr *nodes;
	void *hdr;
	int node;

	krg_nodes_online(&online);
	krg_nodes_present(&present);
	skb = reply_new(info, &hdr, NODES_REPLY_LEN);
	if (!skb)
		return -ENOMEM;
	if (nla_put_u32(skb, KRG_A_NODE_ID, krg_node_id))
		goto too_big;
	nodes = nla_nest_start(skb, KRG_A_NODES);
	if (!nodes)
		goto too_big;
	for_each_krg_node(node, &present) {
		if (put_node(skb, node, krg_node_isset(node, &online) ?
				   KRG_NODE_STATE_ONLINE :
				   KRG_NODE_STATE_UNREACHABLE))
			goto too_big;
	}
	nla_nest_end(skb, nodes);
	return reply_send(skb, hdr, info);
too_big:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

static u32 get_u32(struct genl_info *info, int attr, u32 def)
{
	return info->attrs[attr] ? nla_get_u32(info->attrs[attr]) : def;
}

struct ping_args {
	u32 size, count;
	unsigned long timeout;
	u16 type;
};

static int ping_args_get(struct genl_info *info, struct ping_args *args)
{
	u32 timeout_ms = get_u32(info, KRG_A_PING_TIMEOUT_MS, 10000);

	args->size = get_u32(info, KRG_A_PING_SIZE, 0);
	args->count = get_u32(info, KRG_A_PING_COUNT, 1);
	args->type = KRG_RPC_PING;
	if (info->attrs[KRG_A_PING_TYPE])
		args->type = nla_get_u16(info->attrs[KRG_A_PING_TYPE]);
	if (args->size > KRG_RPC_MAX_MSG) {
		GENL_SET_ERR_MSG(info, "ping size above the RPC message limit");
		return -EMSGSIZE;
	}
	if (!args->count || args->count > PING_MAX_COUNT) {
		GENL_SET_ERR_MSG(info, "ping count must be 1..100000");
		return -EINVAL;
	}
	if (!timeout_ms || timeout_ms > PING_MAX_TIMEOUT_MS) {
		GENL_SET_ERR_MSG(info, "ping timeout must be 1..600000 ms");
		return -EINVAL;
	}
	args->timeout = msecs_to_jiffies(timeout_ms);
	return 0;
}

static int put_ping_statuses(struct sk_buff *skb,
			     const struct krg_nodemask *nodes, const int *status)
{
	struct nlattr *list = nla_nest_start(skb, KRG_A_NODES);
	struct nlattr *n;
	int node;

	if (!list)
		return -EMSGSIZE;
	for_each_krg_node(node, nodes) {
		n = nla_nest_start(skb, KRG_A_NODE);
		if (!n || nla_put_u32(skb, KRG_A_NODE_ID, node) ||
		    nla_put_u32(skb, KRG_A_PING_STATUS, -status[node]))
			return -EMSGSIZE;
		nla_nest_end(skb, n);
	}
	nla_nest_end(skb, list);
	return 0;
}

static int krg_nl_rpc_ping(struct sk_buff *in, struct genl_info *info)
{
	struct krg_nodemask nodes;
	struct ping_args args;
	struct sk_buff *skb;
	int *status = NULL;
	u32 node = 0;
	u64 total_ns;
	void *hdr;
	int err;

	err = ping_args_get(info, &args);
	if (err)
		return err;
	if (info->attrs[KRG_A_PING_NODES] &&
	    nla_get_flag(info->attrs[KRG_A_PING_ONEWAY])) {
		GENL_SET_ERR_MSG(info, "one-way pings go to one node");
		return -EINVAL;
	}
	if (info->attrs[KRG_A_PING_NODES]) {
		err = krg_nodemask_parse(nla_data(info->attrs[KRG_A_PING_NODES]),
					 &nodes);
		if (err || krg_node_isset(0, &nodes) ||
		    !krg_nodemask_weight(&nodes)) {
			GENL_SET_ERR_MSG(info, "bad node list");
			return -EINVAL;
		}
		status = kcalloc(KRG_MAX_NODES, sizeof(*status), GFP_KERNEL);
		if (!status)
			return -ENOMEM;
		err = krg_rpc_ping_nodes(&nodes, args.type, args.size,
					 args.count, args.timeout, status,
					 &total_ns);
	} else {
		if (GENL_REQ_ATTR_CHECK(info, KRG_A_PING_NODE))
			return -EINVAL;
		node = nla_get_u32(info->attrs[KRG_A_PING_NODE]);
		if (nla_get_flag(info->attrs[KRG_A_PING_ONEWAY]))
			err = krg_rpc_ping_oneway(node, args.size, args.count,
						  args.timeout, &total_ns);
		else
			err = krg_rpc_ping(node, args.type, args.size,
					   args.count, args.timeout, &total_ns);
	}
	if (err)
		goto out;

	err = -ENOMEM;
	skb = reply_new(info, &hdr, status ? NODES_REPLY_LEN : NLMSG_GOODSIZE);
	if (!skb)
		goto out;
	if ((node && nla_put_u32(skb, KRG_A_PING_NODE, node)) ||
	    nla_put_u32(skb, KRG_A_PING_COUNT, args.count) ||
	    nla_put_u64_64bit(skb, KRG_A_PING_TOTAL_NS, total_ns, KRG_A_PAD) ||
	    (status && put_ping_statuses(skb, &nodes, status))) {
		nlmsg_free(skb);
		err = -EMSGSIZE;
		goto out;
	}
	err = reply_send(skb, hdr, info);
out:
	kfree(status);
	return err;
}

static int cap_reply(struct genl_info *info, u32 pid,
		     const struct krg_cap_sets *s)
{
	struct sk_buff *skb;
	void *hdr;

	skb = reply_new(info, &hdr, NLMSG_GOODSIZE);
	if (!skb)
		return -ENOMEM;
	if (nla_put_u32(skb, KRG_A_CAP_PID, pid) ||
	    nla_put_u32(skb, KRG_A_CAP_EFFECTIVE, s->effective) ||
	    nla_put_u32(skb, KRG_A_CAP_PERMITTED, s->permitted) ||
	    nla_put_u32(skb, KRG_A_CAP_INH_EFFECTIVE,
			s->inheritable_effective) ||
	    nla_put_u32(skb, KRG_A_CAP_INH_PERMITTED,
			s->inheritable_permitted)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	return reply_send(skb, hdr, info);
}

static int krg_nl_cap_get(struct sk_buff *in, struct genl_info *info)
{
	struct krg_cap_sets sets;
	u32 pid;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KRG_A_CAP_PID))
		return -EINVAL;
	pid = nla_get_u32(info->attrs[KRG_A_CAP_PID]);
	err = krg_cap_get(pid, &sets);
	return err ?: cap_reply(info, pid, &sets);
}

static int krg_nl_cap_set(struct sk_buff *in, struct genl_info *info)
{
	static const struct {
		int attr;
		unsigned int which;
	} given[] = {
		{ KRG_A_CAP_EFFECTIVE, KRG_CAP_SET_EFFECTIVE },
		{ KRG_A_CAP_PERMITTED, KRG_CAP_SET_PERMITTED },
		{ KRG_A_CAP_INH_EFFECTIVE, KRG_CAP_SET_INH_EFFECTIVE },
		{ KRG_A_CAP_INH_PERMITTED, KRG_CAP_SET_INH_PERMITTED },
	};
	struct krg_cap_sets sets = {
		.effective = get_u32(info, KRG_A_CAP_EFFECTIVE, 0),
		.permitted = get_u32(info, KRG_A_CAP_PERMITTED, 0),
		.inheritable_effective = get_u32(info, KRG_A_CAP_INH_EFFECTIVE, 0),
		.inheritable_permitted = get_u32(info, KRG_A_CAP_INH_PERMITTED, 0),
	};
	unsigned int which = 0, i;
	u32 pid;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KRG_A_CAP_PID))
		return -EINVAL;
	pid = nla_get_u32(info->attrs[KRG_A_CAP_PID]);
	for (i = 0; i < ARRAY_SIZE(given); i++)
		if (info->attrs[given[i].attr])
			which |= given[i].which;
	err = krg_cap_set(pid, &sets, which,
			  nla_get_flag(info->attrs[KRG_A_CAP_FORCE]));
	return err ?: cap_reply(info, pid, &sets);
}

static int cr_reply(struct genl_info *info, const struct krg_cr_result *res)
{
	struct sk_buff *skb;
	void *hdr;

	skb = reply_new(info, &hdr, NLMSG_GOODSIZE);
	if (!skb)
		return -ENOMEM;
	if (nla_put_u32(skb, KRG_A_CR_PID, res->pid) ||
	    nla_put_u32(skb, KRG_A_CR_TASKS, res->tasks) ||
	    nla_put_u32(skb, KRG_A_CR_PROCESSES, res->processes) ||
	    nla_put_u32(skb, KRG_A_CR_SUBSTITUTED, res->substituted) ||
	    nla_put_u64_64bit(skb, KRG_A_CR_FROZEN_NS, res->frozen_ns,
			      KRG_A_PAD) ||
	    nla_put_u64_64bit(skb, KRG_A_CR_BYTES, res->bytes, KRG_A_PAD)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	return reply_send(skb, hdr, info);
}

/*
 * A failure's reason: in full in a message before the error (an extended
 * ack holds 80 bytes of it), and as much as fits in the ack.
 */
static void err_reply(struct genl_info *info, const char *msg)
{
	struct sk_buff *skb;
	void *hdr;

	NL_SET_ERR_MSG_FMT(info->extack, "%s", msg);
	skb = reply_new(info, &hdr, NLMSG_GOODSIZE);
	if (!skb)
		return;
	if (nla_put_string(skb, KRG_A_ERR_MSG, msg)) {
		nlmsg_free(skb);
		return;
	}
	reply_send(skb, hdr, info);
}

/* Checkpoint and restart: the image directory comes as the caller's fd. */
static int krg_nl_cr(struct sk_buff *in, struct genl_info *info)
{
	bool ckpt = info->genlhdr->cmd == KRG_CMD_CHECKPOINT;
	u32 flags = get_u32(info, KRG_A_CR_FLAGS, 0);
	struct krg_cr_result res = {};
	struct fd dir;
	int err;

	if (flags & ~(ckpt ? KRG_CR_CHECKPOINT_FLAGS : KRG_CR_RESTART_FLAGS) ||
	    (flags & (KRG_CR_KILL | KRG_CR_STOP)) ==
	    (KRG_CR_KILL | KRG_CR_STOP)) {
		NL_SET_ERR_MSG(info->extack, "conflicting or unknown flags");
		return -EINVAL;
	}
	if (!ckpt && info->attrs[KRG_A_CR_NODE] &&
	    nla_get_u32(info->attrs[KRG_A_CR_NODE]) != krg_node_id) {
		if (GENL_REQ_ATTR_CHECK(info, KRG_A_CR_PATH))
			return -EINVAL;
		err = krg_restart_remote(nla_get_u32(info->attrs[KRG_A_CR_NODE]),
					 nla_data(info->attrs[KRG_A_CR_PATH]),
					 flags, &res);
		goto out;
	}
	if (GENL_REQ_ATTR_CHECK(info, KRG_A_CR_DIR_FD) ||
	    (ckpt && GENL_REQ_ATTR_CHECK(info, KRG_A_CR_PID)))
		return -EINVAL;
	dir = fdget(nla_get_u32(info->attrs[KRG_A_CR_DIR_FD]));
	if (!fd_file(dir))
		return -EBADF;
	if (!S_ISDIR(file_inode(fd_file(dir))->i_mode)) {
		fdput(dir);
		NL_SET_ERR_MSG(info->extack, "the image must be a directory");
		return -ENOTDIR;
	}
	err = ckpt ? krg_checkpoint(nla_get_u32(info->attrs[KRG_A_CR_PID]),
				    fd_file(dir), flags, &res) :
		     krg_restart(fd_file(dir), flags, &res);
	fdput(dir);
out:
	if (err) {
		if (res.msg[0])
			err_reply(info, res.msg);
		return err;
	}
	return cr_reply(info, &res);
}

/* Migration of a process that runs here to another node. */
static int krg_nl_migrate(struct sk_buff *in, struct genl_info *info)
{
	u32 flags = get_u32(info, KRG_A_CR_FLAGS, 0);
	struct krg_cr_result res = {};
	int err;

	if (flags & ~KRG_CR_MIGRATE_FLAGS) {
		NL_SET_ERR_MSG(info->extack, "unknown flags");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, KRG_A_CR_PID) ||
	    GENL_REQ_ATTR_CHECK(info, KRG_A_CR_NODE))
		return -EINVAL;
	err = krg_migrate(nla_get_u32(info->attrs[KRG_A_CR_PID]),
			  nla_get_u32(info->attrs[KRG_A_CR_NODE]), flags, &res);
	if (err) {
		if (res.msg[0])
			err_reply(info, res.msg);
		return err;
	}
	return cr_reply(info, &res);
}

static int krg_nl_node_leave(struct sk_buff *in, struct genl_info *info)
{
	int err;

	/* Of the socket's opener too, as GENL_ADMIN_PERM does. */
	if (!netlink_capable(in, CAP_SYS_ADMIN))
		return -EPERM;
	if (GENL_REQ_ATTR_CHECK(info, KRG_A_NODE_ID))
		return -EINVAL;
	err = krg_node_leave(nla_get_u32(info->attrs[KRG_A_NODE_ID]),
			     nla_get_flag(info->attrs[KRG_A_LEAVE_FORCE]));
	if (err == -EBUSY)
		GENL_SET_ERR_MSG(info, "cluster processes still run there");
	else if (err == -ENOTCONN)
		GENL_SET_ERR_MSG(info, "that node is not in the cluster (left, or never joined)");
	return err;
}

static int krg_nl_key_set(struct sk_buff *in, struct genl_info *info)
{
	int err;

	if (!netlink_capable(in, CAP_SYS_ADMIN))
		return -EPERM;
	if (GENL_REQ_ATTR_CHECK(info, KRG_A_KEY))
		return -EINVAL;
	err = krg_cluster_key_set(nla_data(info->attrs[KRG_A_KEY]),
				  nla_len(info->attrs[KRG_A_KEY]));
	if (err == -EALREADY)
		GENL_SET_ERR_MSG(info, "the cluster key is set already: it changes at a reboot only");
	else if (err == -EOPNOTSUPP)
		GENL_SET_ERR_MSG(info, "this node runs its links in clear (krg.encrypt=0)");
	return err;
}

/*
 * The processes of the cluster: gathered from every node when the dump
 * starts, then one message per process, and one per node that gave no
 * list. cb->args[0] holds the gathered lists, [1] the node, [2] where in
 * its list, [3] the reader's user namespace, in which uids are shown, [4]
 * whether it sees only its own processes (ps_hide_others), [5] its fsuid.
 */
static int krg_nl_ps_start(struct netlink_callback *cb)
{
	struct pid_namespace *mine = task_active_pid_ns(current);
	struct pid_namespace *ns;
	struct krg_ps *ps;

	if (!krg_pid_ns()) {
		NL_SET_ERR_MSG(cb->extack, "this node has no cluster PID namespace");
		return -ENODEV;
	}
	/* As /proc: only a namespace that holds the cluster's sees it. */
	for (ns = krg_pid_ns(); ns && ns != mine; ns = ns->parent)
		;
	if (!ns) {
		NL_SET_ERR_MSG(cb->extack,
			       "the caller's PID namespace does not hold the cluster's");
		return -EPERM;
	}
	ps = krg_ps_gather();
	if (!ps)
		return -ENOMEM;
	cb->args[0] = (long)ps;
	cb->args[3] = (long)get_user_ns(current_user_ns());
	cb->args[4] = READ_ONCE(krg_ps_hide_others) && !capable(CAP_SYS_PTRACE);
	cb->args[5] = from_kuid(&init_user_ns, current_fsuid());
	return 0;
}

static u32 reader_uid(struct netlink_callback *cb, u32 uid)
{
	return from_kuid_munged((struct user_namespace *)cb->args[3],
				make_kuid(&init_user_ns, uid));
}

/* One message: a process of @n, or (@e NULL) why @n gave no list. */
static int put_ps(struct sk_buff *skb, struct netlink_callback *cb,
		  const struct krg_ps_node *n, const struct krg_ps_entry *e)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, &krg_family, NLM_F_MULTI,
				KRG_CMD_PS);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KRG_A_NODE_ID, n->node))
		goto full;
	if (!e) {
		if (nla_put_u32(skb, KRG_A_PS_ERR, -n->err))
			goto full;
	} else if (nla_put_u32(skb, KRG_A_PS_PID, e->pid) ||
		   nla_put_u32(skb, KRG_A_PS_PPID, e->ppid) ||
		   nla_put_u32(skb, KRG_A_PS_PGID, e->pgid) ||
		   nla_put_u32(skb, KRG_A_PS_SID, e->sid) ||
		   nla_put_u32(skb, KRG_A_PS_UID, reader_uid(cb, e->uid)) ||
		   nla_put_u32(skb, KRG_A_PS_THREADS, e->threads) ||
		   nla_put_u8(skb, KRG_A_PS_STATE, e->state) ||
		   nla_put_string(skb, KRG_A_PS_COMM, e->comm) ||
		   nla_put(skb, KRG_A_PS_CMDLINE, e->cmdline_len, e->cmdline)) {
		goto full;
	}
	genlmsg_end(skb, hdr);
	return 0;
full:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Fills skb until it is full; an empty one holds any single message. */
static int krg_nl_ps_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct krg_ps *ps = (struct krg_ps *)cb->args[0];
	const struct krg_ps_node *n;
	struct krg_ps_entry e;
	size_t pos, next;

	for (; cb->args[1] < ps->n; cb->args[1]++, cb->args[2] = 0) {
		n = &ps->nodes[cb->args[1]];
		if (n->err) {
			if (put_ps(skb, cb, n, NULL))
				return skb->len ?: -EMSGSIZE;
			continue;
		}
		for (pos = cb->args[2]; next = pos, krg_ps_next(n, &next, &e);
		     pos = next) {
			if (cb->args[4] && e.uid != (u32)cb->args[5])
				continue;
			if (put_ps(skb, cb, n, &e)) {
				cb->args[2] = pos;
				return skb->len ?: -EMSGSIZE;
			}
		}
	}
	return skb->len;
}

static int krg_nl_ps_done(struct netlink_callback *cb)
{
	krg_ps_free((struct krg_ps *)cb->args[0]);
	if (cb->args[3])
		put_user_ns((struct user_namespace *)cb->args[3]);
	return 0;
}

/* HA: the policy API's control side (Documentation/ha.md). */
#define HA_MSG_LEN	200

/* Loading a module on every node is what CAP_SYS_MODULE allows. */
static int krg_nl_ha_load(struct sk_buff *in, struct genl_info *info)
{
	const char *name;
	int err;

	if (!netlink_capable(in, CAP_SYS_MODULE))
		return -EPERM;
	if (GENL_REQ_ATTR_CHECK(info, KRG_A_HA_POLICY))
		return -EINVAL;
	name = nla_data(info->attrs[KRG_A_HA_POLICY]);
	err = krg_ha_load(name);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_FMT(info->extack,
				   "no policy module krg_ha_%s on this node", name);
	else if (err == -EINVAL)
		GENL_SET_ERR_MSG(info, "a policy name is [a-z0-9_], 1 to 31 characters");
	else if (err == -EREMOTEIO)
		GENL_SET_ERR_MSG(info, "loaded here, but another node could not load it: see its kernel log");
	return err;
}

static int krg_nl_ha_attach(struct sk_buff *in, struct genl_info *info)
{
	char msg[HA_MSG_LEN] = "";
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KRG_A_HA_ID) ||
	    GENL_REQ_ATTR_CHECK(info, KRG_A_HA_POLICY))
		return -EINVAL;
	err = krg_ha_attach(nla_get_u32(info->attrs[KRG_A_HA_ID]),
			    nla_data(info->attrs[KRG_A_HA_POLICY]),
			    info->attrs[KRG_A_HA_PARAMS] ?
			    nla_data(info->attrs[KRG_A_HA_PARAMS]) : "",
			    msg, sizeof(msg));
	if (err && msg[0])
		err_reply(info, msg);
	return err;
}

static int krg_nl_ha_detach(struct sk_buff *in, struct genl_info *info)
{
	char msg[HA_MSG_LEN] = "";
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KRG_A_HA_ID))
		return -EINVAL;
	err = krg_ha_detach(nla_get_u32(info->attrs[KRG_A_HA_ID]), msg,
			    sizeof(msg));
	if (err && msg[0])
		err_reply(info, msg);
	return err;
}

static int put_app(struct sk_buff *skb, const struct krg_ha_app *app)
{
	char list[NODELIST_LEN], params[256];
	struct nlattr *nest = nla_nest_start(skb, KRG_A_HA_APP);

	krg_nodemask_format(list, sizeof(list), &app->footprint);
	krg_ha_params_format(app, params, sizeof(params));
	if (!nest || nla_put_u32(skb, KRG_A_HA_ID, app->id) ||
	    nla_put_u32(skb, KRG_A_HA_ROOT, app->root) ||
	    nla_put_string(skb, KRG_A_HA_POLICY, app->policy) ||
	    nla_put_string(skb, KRG_A_HA_PARAMS, params) ||
	    nla_put_u32(skb, KRG_A_HA_OWNER, app->owner) ||
	    nla_put_string(skb, KRG_A_HA_STATE,
			   krg_ha_state_name(app->state)) ||
	    nla_put_u32(skb, KRG_A_HA_RECOVERIES, app->recoveries) ||
	    nla_put_u32(skb, KRG_A_HA_COMMITTED, app->committed) ||
	    nla_put_string(skb, KRG_A_HA_FOOTPRINT, list))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int krg_nl_ha_status(struct sk_buff *in, struct genl_info *info)
{
	size_t policies_len = KRG_HA_MAX_APPS * KRG_HA_NAME_LEN;
	struct krg_ha_app *apps;
	char *policies;
	struct sk_buff *skb;
	struct nlattr *nest;
	int n, i, err = -EMSGSIZE;
	void *hdr;

	apps = kvcalloc(KRG_HA_MAX_APPS, sizeof(*apps), GFP_KERNEL);
	policies = kvzalloc(policies_len, GFP_KERNEL);
	skb = apps && policies ? reply_new(info, &hdr, 64 << 10) : NULL;
	if (!skb) {
		kvfree(apps);
		kvfree(policies);
		return -ENOMEM;
	}
	n = krg_ha_list(apps, KRG_HA_MAX_APPS);
	krg_ha_policies_format(policies, policies_len);
	nest = NULL;
	if (nla_put_u32(skb, KRG_A_NODE_ID, krg_node_id) ||
	    nla_put_string(skb, KRG_A_HA_POLICIES, policies))
		goto fail;
	nest = nla_nest_start(skb, KRG_A_HA_APPS);
	if (!nest)
		goto fail;
	for (i = 0; i < n; i++)
		if (put_app(skb, &apps[i]))
			goto fail;
	nla_nest_end(skb, nest);
	kvfree(apps);
	kvfree(policies);
	return reply_send(skb, hdr, info);
fail:
	kvfree(apps);
	kvfree(policies);
	nlmsg_free(skb);
	return err;
}

static const struct genl_small_ops krg_ops[] = {
	{
		.cmd = KRG_CMD_CLUSTER_GET,
		.doit = krg_nl_cluster_get,
	},
	{
		.cmd = KRG_CMD_NODES_GET,
		.doit = krg_nl_nodes_get,
	},
	{
		.cmd = KRG_CMD_RPC_PING,
		.doit = krg_nl_rpc_ping,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KRG_CMD_CAP_GET,
		.doit = krg_nl_cap_get,
	},
	{
		.cmd = KRG_CMD_CAP_SET,
		.doit = krg_nl_cap_set,
	},
	{
		.cmd = KRG_CMD_CHECKPOINT,
		.doit = krg_nl_cr,
	},
	{
		.cmd = KRG_CMD_RESTART,
		.doit = krg_nl_cr,
	},
	{
		.cmd = KRG_CMD_KEY_SET,
		.doit = krg_nl_key_set,
	},
	{
		.cmd = KRG_CMD_MIGRATE,
		.doit = krg_nl_migrate,
	},
	{
		.cmd = KRG_CMD_NODE_LEAVE,
		.doit = krg_nl_node_leave,
	},
	{
		.cmd = KRG_CMD_HA_LOAD,
		.doit = krg_nl_ha_load,
	},
	{
		.cmd = KRG_CMD_HA_ATTACH,
		.doit = krg_nl_ha_attach,
	},
	{
		.cmd = KRG_CMD_HA_DETACH,
		.doit = krg_nl_ha_detach,
	},
	{
		.cmd = KRG_CMD_HA_STATUS,
		.doit = krg_nl_ha_status,
	},
};

/* Dumps, which need start and done. */
static const struct genl_ops krg_dump_ops[] = {
	{
		.cmd = KRG_CMD_PS,
		.start = krg_nl_ps_start,
		.dumpit = krg_nl_ps_dump,
		.done = krg_nl_ps_done,
	},
};

static struct genl_family krg_family __ro_after_init = {
	.name = KRG_GENL_NAME,
	.version = KRG_GENL_VERSION,
	.maxattr = KRG_A_MAX,
	.policy = krg_policy,
	.small_ops = krg_ops,
	.n_small_ops = ARRAY_SIZE(krg_ops),
	.ops = krg_dump_ops,
	.n_ops = ARRAY_SIZE(krg_dump_ops),
	.resv_start_op = 0,	/* strict header checks for every command */
	/* A ping may wait for seconds: never hold genl_mutex for it. */
	.parallel_ops = true,
	.module = THIS_MODULE,
};

int krg_netlink_init(void)
{
	return genl_register_family(&krg_family);
}
