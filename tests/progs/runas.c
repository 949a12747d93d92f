// SPDX-License-Identifier: GPL-2.0
/*
 * runas UID CMD [ARG...]: run CMD as user and group UID, without any
 * Linux capability (tests of what an unprivileged user may do).
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;

	if (argc < 3) {
		fprintf(stderr, "usage: runas UID CMD [ARG...]\n");
		return 2;
	}
	uid = strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		perror("runas");
		return 125;
	}
	execvp(argv[2], argv + 2);
	perror("runas: exec");
	return 127;
}
