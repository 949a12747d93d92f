// SPDX-License-Identifier: GPL-2.0
/*
 * rpc_forge NODE [TYPE]: try, from user space, every way into krg's RPC
 * service of node NODE (or the service TYPE), each with a well-formed frame
 * as a krg kernel would send it:
 *   - a ping, a restart and an alive check sent to the service;
 *   - the same sent to the service's port, found through TIPC's topology
 *     service (so not by name);
 *   - a connection to the service, and a multicast to its type;
 *   - binding and joining (group) the service type.
 * Every attempt must fail with EPERM. Prints one line per attempt and exits
 * 0 only if all were refused, 1 if any got through or failed otherwise.
 */
#include <errno.h>
#include <linux/tipc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint32_t rpc_type = 0x4b524700u;	/* KRG_TIPC_rpc_type */
#define HDR 40

/* Message types, as kernel/krg/include/krg/rpc.h and epm.h number them. */
enum { PING = 1, RESTART = 16, PIDS_ALIVE = 17 };

static int failures;

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

/* A request frame of @type carrying @len payload bytes, from node @self. */
static size_t frame(uint8_t *buf, uint16_t type, uint32_t self, uint32_t len)
{
	memset(buf, 0, HDR + len);
	memcpy(buf, "KRGR", 4);
	buf[4] = 2;			/* version (comm/rpc_msg.h) */
	buf[5] = 1;			/* request */
	buf[6] = type & 0xff;
	buf[7] = type >> 8;
	put32(buf + 8, self);
	put32(buf + 16, 42);		/* id */
	put32(buf + 24, len);		/* total */
	put32(buf + 32, len);		/* fragment */
	return HDR + len;
}

/* One attempt: @rc < 0 with EPERM is the only right answer. */
static void expect_eperm(const char *what, int rc)
{
	if (rc < 0 && errno == EPERM) {
		printf("refused: %s\n", what);
		return;
	}
	if (rc < 0)
		printf("FAILED: %s: %s, not EPERM\n", what, strerror(errno));
	else
		printf("FAILED: %s: not refused\n", what);
	failures++;
}

/* The port krg's service has on @node, from the topology service. */
static int service_port(uint32_t node, struct tipc_socket_addr *port)
{
	struct sockaddr_tipc top = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_ADDR,
		.addr.name.name = { TIPC_TOP_SRV, TIPC_TOP_SRV },
	};
	struct tipc_subscr sub = {
		.seq = { rpc_type, node, node },
		.timeout = 5000,
		.filter = TIPC_SUB_SERVICE,
	};
	struct tipc_event ev;
	int sd = socket(AF_TIPC, SOCK_SEQPACKET, 0);

	if (sd < 0 || connect(sd, (struct sockaddr *)&top, sizeof(top)) ||
	    send(sd, &sub, sizeof(sub), 0) != sizeof(sub) ||
	    recv(sd, &ev, sizeof(ev), 0) != sizeof(ev) ||
	    ev.event != TIPC_PUBLISHED) {
		perror("rpc_forge: topology service");
		return -1;
	}
	*port = ev.port;
	close(sd);
	return 0;
}

static void sends(int sd, const char *how, struct sockaddr_tipc *dest,
		  uint32_t node)
{
	static const struct {
		uint16_t type;
		uint32_t len;
		const char *name;
	} reqs[] = {
		{ PING, 16, "ping" },
		{ RESTART, 4096 + 24 + 256 + 88, "restart" },
		{ PIDS_ALIVE, 4, "alive check" },
	};
	static uint8_t buf[HDR + 8192];
	char what[128];

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		size_t len = frame(buf, reqs[i].type, node, reqs[i].len);

		snprintf(what, sizeof(what), "%s sent to %s", reqs[i].name, how);
		expect_eperm(what, sendto(sd, buf, len, 0,
					  (struct sockaddr *)dest, sizeof(*dest)));
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_tipc dest = { .family = AF_TIPC };
	struct tipc_group_req grp = { .instance = 99,
				      .scope = TIPC_CLUSTER_SCOPE };
	struct tipc_socket_addr port;
	uint32_t node;
	int sd, cd;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: rpc_forge NODE [TYPE]\n");
		return 2;
	}
	node = strtoul(argv[1], NULL, 0);
	if (argc == 3)
		rpc_type = strtoul(argv[2], NULL, 0);
	grp.type = rpc_type;
	sd = socket(AF_TIPC, SOCK_RDM, 0);
	if (sd < 0 || service_port(node, &port)) {
		perror("rpc_forge: socket");
		return 1;
	}

	dest.addrtype = TIPC_SERVICE_ADDR;
	dest.addr.name.name.type = rpc_type;
	dest.addr.name.name.instance = node;
	sends(sd, "the service", &dest, node);

	dest.addrtype = TIPC_SOCKET_ADDR;
	dest.addr.id = port;
	sends(sd, "the service's port", &dest, node);

	dest.addrtype = TIPC_SERVICE_RANGE;
	dest.addr.nameseq.type = rpc_type;
	dest.addr.nameseq.lower = 0;
	dest.addr.nameseq.upper = 255;
	sends(sd, "every node (multicast)", &dest, node);

	cd = socket(AF_TIPC, SOCK_STREAM, 0);
	dest.addrtype = TIPC_SERVICE_ADDR;
	dest.addr.name.name.type = rpc_type;
	dest.addr.name.name.instance = node;
	expect_eperm("connect to the service",
		     connect(cd, (struct sockaddr *)&dest, sizeof(dest)));
	close(cd);

	dest.addrtype = TIPC_SERVICE_RANGE;
	dest.scope = TIPC_CLUSTER_SCOPE;
	dest.addr.nameseq.type = rpc_type;
	dest.addr.nameseq.lower = 77;
	dest.addr.nameseq.upper = 77;
	expect_eperm("bind the service type",
		     bind(sd, (struct sockaddr *)&dest, sizeof(dest)));
	expect_eperm("join a group of the service type",
		     setsockopt(sd, SOL_TIPC, TIPC_GROUP_JOIN, &grp,
				sizeof(grp)));
	close(sd);
	printf("%s\n", failures ? "rpc_forge: SOME GOT THROUGH" :
				  "rpc_forge: all refused");
	return failures ? 1 : 0;
}
