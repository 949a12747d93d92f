// SPDX-License-Identifier: GPL-2.0
/*
 * pid_spray N FILE: fork N children that all stay alive until the last one
 * is forked (each waits for a pipe to close), write every PID (our own
 * first) to FILE, one per line, then let them go and reap them all. So N
 * PIDs are in use at the same time: an allocator that hands one out twice
 * shows a repeat in FILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int go[2], st;
	long n, i;
	pid_t pid;
	char c;
	FILE *out;

	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: pid_spray N FILE\n");
		return 2;
	}
	out = fopen(argv[2], "w");
	if (!out || pipe(go)) {
		perror("pid_spray: open");
		return 1;
	}
	fprintf(out, "%d\n", getpid());
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0) {
			perror("pid_spray: fork");
			return 1;
		}
		if (pid == 0) {
			close(go[1]);
			while (read(go[0], &c, 1) > 0)
				;
			_exit(0);
		}
		fprintf(out, "%d\n", pid);
	}
	close(go[1]);		/* all N are alive: let them end */
	for (i = 0; i < n; i++) {
		pid = wait(&st);
		if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "pid_spray: lost a child\n");
			return 1;
		}
	}
	return fclose(out) ? 1 : 0;
}
