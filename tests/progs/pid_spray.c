// SPDX-License-Identifier: GPL-2.0
/*
 * pid_spray N FILE: fork N short-lived children, reap each, and write
 * every PID seen (our own first) to FILE, one per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	FILE *out;
	long n;

	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: pid_spray N FILE\n");
		return 2;
	}
	out = fopen(argv[2], "w");
	if (!out) {
		perror("pid_spray: open");
		return 1;
	}
	fprintf(out, "%d\n", getpid());
	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0) {
			perror("pid_spray: fork");
			return 1;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
			fprintf(stderr, "pid_spray: lost child %d\n", pid);
			return 1;
		}
		fprintf(out, "%d\n", pid);
	}
	return fclose(out) ? 1 : 0;
}
