// SPDX-License-Identifier: GPL-2.0
/*
 * tipc_ping: the raw TIPC baseline of the RPC benchmark.
 *   tipc_ping serve INSTANCE            echo every datagram back (forever)
 *   tipc_ping ping INSTANCE SIZE COUNT  COUNT round trips of SIZE bytes;
 *                                       prints "total_ns N"
 * Uses an RDM socket and a service address, as krg RPC does.
 */
#include <linux/tipc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PING_TYPE 0x4b525000u
#define MAX_MSG 66000

static int usage(void)
{
	fprintf(stderr, "usage: tipc_ping serve INSTANCE\n"
			"       tipc_ping ping INSTANCE SIZE COUNT\n");
	return 2;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int serve(unsigned int instance)
{
	struct sockaddr_tipc addr = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_RANGE,
		.scope = TIPC_CLUSTER_SCOPE,
		.addr.nameseq = { PING_TYPE, instance, instance },
	};
	static char buf[MAX_MSG];
	int sd = socket(AF_TIPC, SOCK_RDM, 0);

	if (sd < 0 || bind(sd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("tipc_ping: bind");
		return 1;
	}
	for (;;) {
		struct sockaddr_tipc from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(sd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &flen);

		if (n < 0)
			continue;
		sendto(sd, buf, n, 0, (struct sockaddr *)&from, flen);
	}
}

static int ping(unsigned int instance, size_t size, long count)
{
	struct sockaddr_tipc dest = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_ADDR,
		.addr.name.name = { PING_TYPE, instance },
	};
	static char buf[MAX_MSG], echo[MAX_MSG];
	struct timeval tv = { .tv_sec = 10 };
	int sd = socket(AF_TIPC, SOCK_RDM, 0);
	long long start, total = 0;

	if (sd < 0 || size > MAX_MSG)
		return usage();
	setsockopt(sd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (long i = 0; i < count; i++) {
		memset(buf, (int)i, size);
		start = now_ns();
		if (sendto(sd, buf, size, 0, (struct sockaddr *)&dest,
			   sizeof(dest)) != (ssize_t)size ||
		    recv(sd, echo, sizeof(echo), 0) != (ssize_t)size) {
			perror("tipc_ping: round trip");
			return 1;
		}
		total += now_ns() - start;
		if (memcmp(buf, echo, size)) {
			fprintf(stderr, "tipc_ping: corrupt echo\n");
			return 1;
		}
	}
	printf("total_ns %lld\n", total);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(strtoul(argv[2], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "ping"))
		return ping(strtoul(argv[2], NULL, 0),
			    strtoul(argv[3], NULL, 0), strtol(argv[4], NULL, 0));
	return usage();
}
