// SPDX-License-Identifier: GPL-2.0
/*
 * waitprobe ROUNDS, for wait_bench.py: how long a parent waits for a
 * child it kills, the child here or on another node.
 *
 * Prints "READY PID", then per round forks a child that sleeps, prints
 * "CHILD PID" and waits for SIGUSR1 (the bench may migrate the child
 * meanwhile); then times kill(child, SIGTERM) to waitpid() returning and
 * prints "wait_ns T". A child that did not die of SIGTERM prints
 * "FAIL ..." and exits 1; all rounds done, "PASS".
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 1, i, sig, status;
	long long t0;
	sigset_t usr1;
	pid_t child;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("READY %d\n", getpid());
	for (i = 0; i < rounds; i++) {
		child = fork();
		if (child < 0) {
			perror("fork");
			return 1;
		}
		if (!child) {
			sigprocmask(SIG_UNBLOCK, &usr1, NULL);
			for (;;)
				pause();
		}
		printf("CHILD %d\n", child);
		if (sigwait(&usr1, &sig)) {
			printf("FAIL sigwait\n");
			return 1;
		}
		t0 = now();
		if (kill(child, SIGTERM) || waitpid(child, &status, 0) != child) {
			perror("FAIL kill or waitpid");
			return 1;
		}
		printf("wait_ns %lld\n", now() - t0);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM) {
			printf("FAIL child %d: status 0x%x, not killed by SIGTERM\n",
			       child, status);
			return 1;
		}
	}
	printf("PASS\n");
	return 0;
}
