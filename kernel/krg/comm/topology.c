// SPDX-License-Identifier: GPL-2.0
/*
 * Membership from TIPC's topology service: every joined node binds the
 * service {KRG_TIPC_RPC_TYPE, node id}. TIPC publishes it cluster-wide when
 * the node's link comes up, which is node up for krg, and withdraws it when
 * the link is lost (after the link tolerance), which only makes the node
 * suspected: quorum.c decides when it is down.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/tipc.h>
#include <linux/uio.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tipc_kernel.h>
#include <krg/membership.h>
#include "comm.h"

static struct socket *topo_sock;

static int topology_subscribe(void)
{
	struct sockaddr_tipc srv = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_ADDR,
		.addr.name.name.type = TIPC_TOP_SRV,
		.addr.name.name.instance = TIPC_TOP_SRV,
	};
	struct tipc_subscr sub = {
		.seq.type = KRG_TIPC_RPC_TYPE,
		.seq.lower = 0,
		.seq.upper = KRG_MAX_NODES - 1,
		.timeout = TIPC_WAIT_FOREVER,
		.filter = TIPC_SUB_PORTS,
	};
	struct kvec iov = { .iov_base = &sub, .iov_len = sizeof(sub) };
	struct msghdr msg = {};
	int err;

	err = sock_create_kern(&init_net, AF_TIPC, SOCK_SEQPACKET, 0,
			       &topo_sock);
	if (err)
		return err;
	err = kernel_connect(topo_sock, (struct sockaddr *)&srv, sizeof(srv), 0);
	if (!err) {
		err = kernel_sendmsg(topo_sock, &msg, &iov, 1, sizeof(sub));
		if (err == sizeof(sub))
			err = 0;
		else if (err >= 0)
			err = -EIO;
	}
	if (err) {
		sock_release(topo_sock);
		topo_sock = NULL;
	}
	return err;
}

static void topology_event(const struct tipc_event *ev)
{
	int node = ev->found_lower;

	/* Only a node's kernel publishing its own id counts. */
	if (ev->found_lower != ev->found_upper ||
	    ev->port.node != krg_tipc_addr(node) ||
	    !tipc_kernel_port(ev->port.ref))
		return;
	if (ev->event == TIPC_PUBLISHED) {
		krg_hb_link(node, true);
		krg_membership_node_up(node);
	} else if (ev->event == TIPC_WITHDRAWN) {
		krg_hb_link(node, false);
	}
}

static int topology_thread(void *unused)
{
	struct tipc_event ev;
	struct kvec iov;
	struct msghdr msg;
	int len;

	while (!kthread_should_stop()) {
		iov.iov_base = &ev;
		iov.iov_len = sizeof(ev);
		memset(&msg, 0, sizeof(msg));
		len = kernel_recvmsg(topo_sock, &msg, &iov, 1, sizeof(ev), 0);
		if (len == sizeof(ev)) {
			topology_event(&ev);
			continue;
		}
		/* Short of memory, or a signal: the events wait in the socket. */
		if (len == -ENOMEM || len == -ENOBUFS || len == -EINTR ||
		    len == -ERESTARTSYS || len == -EAGAIN) {
			schedule_timeout_interruptible(HZ / 10);
			continue;
		}
		/* The topology server never closes on us; if it does, say so. */
		pr_err("membership watcher stopped (%d), node maps are frozen\n",
		       len);
		break;
	}
	return 0;
}

int krg_topology_start(void)
{
	struct task_struct *t;
	int err;

	err = topology_subscribe();
	if (err)
		return err;
	t = kthread_run(topology_thread, NULL, "krg_membership");
	if (!IS_ERR(t))
		return 0;
	sock_release(topo_sock);
	topo_sock = NULL;
	return PTR_ERR(t);
}
