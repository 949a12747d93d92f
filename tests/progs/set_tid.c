// SPDX-License-Identifier: GPL-2.0
/*
 * set_tid PID: fork a child with PID PID in our PID namespace through
 * clone3() set_tid (as restart does); the child prints getpid().
 */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t tid, pid;
	struct clone_args args;
	int st;

	if (argc != 2) {
		fprintf(stderr, "usage: set_tid PID\n");
		return 2;
	}
	tid = strtol(argv[1], NULL, 0);
	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	args.set_tid = (uintptr_t)&tid;
	args.set_tid_size = 1;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		perror("set_tid: clone3");
		return 1;
	}
	if (pid == 0) {
		printf("%d\n", getpid());
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
