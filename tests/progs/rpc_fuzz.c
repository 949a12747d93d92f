// SPDX-License-Identifier: GPL-2.0
/*
 * rpc_fuzz NODE SELF COUNT SEED: send COUNT malformed or hostile krg RPC
 * frames to node NODE's RPC service, from a node whose id is SELF: random
 * bytes, bad magic and versions, absurd lengths and offsets, streams that
 * stop half way, frames claiming another sender. The node must drop them
 * all with a log line and keep serving.
 */
#include <linux/tipc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define RPC_TYPE 0x4b524700u
#define HDR 40
#define MAX_FRAME 66000

static uint64_t state;

static uint32_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint32_t)state;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static uint32_t pick_len(void)
{
	switch (rnd() % 5) {
	case 0:
		return 0;
	case 1:
		return rnd() % 100;
	case 2:
		return 65960 + rnd() % 100;
	case 3:
		return 64u << 20;
	default:
		return rnd();
	}
}

int main(int argc, char **argv)
{
	static uint8_t buf[MAX_FRAME];
	struct sockaddr_tipc dest = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_ADDR,
	};
	long count;
	uint32_t self;
	int sd;

	if (argc != 5) {
		fprintf(stderr, "usage: rpc_fuzz NODE SELF COUNT SEED\n");
		return 2;
	}
	dest.addr.name.name.type = RPC_TYPE;
	dest.addr.name.name.instance = strtoul(argv[1], NULL, 0);
	self = strtoul(argv[2], NULL, 0);
	count = strtol(argv[3], NULL, 0);
	state = strtoull(argv[4], NULL, 0) | 1;
	sd = socket(AF_TIPC, SOCK_RDM, 0);
	if (sd < 0) {
		perror("rpc_fuzz: socket");
		return 1;
	}
	for (long i = 0; i < count; i++) {
		uint32_t total = pick_len(), frag = rnd() % 2000, len;

		for (size_t j = 0; j < HDR + frag; j++)
			buf[j] = rnd();
		if (rnd() % 8) {	/* mostly well-formed headers, bad fields */
			memcpy(buf, "KRGR", 4);
			buf[4] = rnd() % 8 ? 1 : rnd();
			buf[5] = rnd() % 5;			/* kind */
			buf[6] = rnd() % 4; buf[7] = 0;		/* type */
			put32(buf + 8, rnd() % 8 ? self : rnd() % 300);
			put32(buf + 12, rnd() % 4 ? 0 : rnd());	/* status */
			put32(buf + 16, rnd() % 16);		/* id */
			put32(buf + 20, 0);
			put32(buf + 24, total);
			put32(buf + 28, rnd() % 2 ? 0 : rnd() % (total | 1));
			put32(buf + 32, rnd() % 4 ? frag : rnd());
		}
		len = HDR + frag;
		if (sendto(sd, buf, len, 0, (struct sockaddr *)&dest,
			   sizeof(dest)) < 0) {
			perror("rpc_fuzz: sendto");
			return 1;
		}
	}
	printf("rpc_fuzz: %ld frames sent\n", count);
	return 0;
}
