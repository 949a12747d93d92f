/*
 * Shared by the cr_* self-checking programs: each builds some state,
 * says READY (with its PID) on stdout, waits for SIGUSR1 (checkpoint and
 * restart happen meanwhile), checks every bit of its state and prints
 * PASS, or FAIL and what differed; it exits 0 only on PASS.
 */
#ifndef CR_COMMON_H
#define CR_COMMON_H

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cr_failures;
static volatile sig_atomic_t cr_go;

static inline void cr_on_usr1(int sig)
{
	(void)sig;
	cr_go = 1;
}

static inline void cr_check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	cr_failures++;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Say READY, then sleep in sigsuspend() until SIGUSR1. */
static inline void cr_ready_and_wait(void)
{
	struct sigaction sa;
	sigset_t block, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cr_on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	printf("READY %d\n", getpid());
	fflush(stdout);
	while (!cr_go)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("RESUMED %d\n", getpid());
	fflush(stdout);
}

/*
 * A child sharing @map (MAP_SHARED) with us: after the restart it waits
 * for our 42 in map[0] and answers 43 in map[1], which shows the memory
 * still shared between the two processes.
 */
static inline pid_t cr_fork_answerer(volatile int *map)
{
	pid_t kid = fork();

	if (kid == 0) {
		while (map[0] != 42)
			usleep(10000);
		map[1] = 43;
		_exit(0);
	}
	return kid;
}

static inline int cr_done(void)
{
	printf(cr_failures ? "FAIL %d\n" : "PASS\n", cr_failures);
	fflush(stdout);
	return cr_failures ? 1 : 0;
}

#endif
