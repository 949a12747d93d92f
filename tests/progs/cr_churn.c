// SPDX-License-Identifier: GPL-2.0
/*
 * cr_churn: a tree that never stands still, for checkpoints that race with
 * fork, clone, exit and exec. The root says READY with its PID, keeps one
 * child that sleeps (so the tree is a tree), and loops forever: it forks a
 * child that exits at once and reaps it, starts a thread that ends and
 * joins it, and every EXEC_EVERY rounds execs itself again (same PID, same
 * sleeping child). Every TICK_EVERY rounds it prints "TICK n" with its
 * round count, which survives the execs: after a restart the ticks must go
 * on from where the image left them.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_EVERY	500
#define TICK_EVERY	200

static void *quick(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	unsigned long round = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
	char next[32];
	pthread_t th;
	pid_t pid;

	if (!round) {
		pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		printf("READY %d child %d\n", getpid(), pid);
		fflush(stdout);
	}
	for (;; round++) {
		if (round % TICK_EVERY == 0) {
			printf("TICK %lu\n", round);
			fflush(stdout);
		}
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		if (!pthread_create(&th, NULL, quick, NULL))
			pthread_join(th, NULL);
		if (round && round % EXEC_EVERY == 0) {
			snprintf(next, sizeof(next), "%lu", round + 1);
			execl("/proc/self/exe", argv[0], next, (char *)NULL);
			perror("cr_churn: exec");
			return 1;
		}
	}
}
