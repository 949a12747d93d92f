// SPDX-License-Identifier: GPL-2.0
/*
 * Signals between nodes, for test_signals.py.
 *
 *   sigprobe catch FILE COUNT   write "PID TID" to FILE.ids, then take
 *                               COUNT signals in a second thread (TID)
 *                               and append "SIGNO CODE PID UID VALUE"
 *                               per signal to FILE; exit 0
 *   sigprobe queue PID SIG VALUE     sigqueue()
 *   sigprobe tgkill TGID TID SIG     tgkill()
 *   sigprobe tkill TID SIG           tkill()
 *   sigprobe loop PID N              N x kill(PID, 0); print
 *                                    "ns_per_call T" (signal_bench.py)
 *
 * A sender prints its own PID first (the si_pid the catcher must see),
 * then exits 0, or prints the error and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static sigset_t caught;
static const char *out;
static int count;

static void *taker(void *unused)
{
	char path[4096];
	siginfo_t si;
	FILE *f;
	int i;

	(void)unused;
	snprintf(path, sizeof(path), "%s.ids", out);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d %ld\n", getpid(), syscall(SYS_gettid)) < 0 ||
	    fclose(f))
		exit(2);
	for (i = 0; i < count; i++) {
		/* Not sigwaitinfo(): glibc shows SI_TKILL as SI_USER. */
		while (syscall(SYS_rt_sigtimedwait, &caught, &si, NULL,
			       _NSIG / 8) < 0) {
			/* Stopped and continued (a migration): wait again. */
			if (errno == EINTR)
				continue;
			perror("rt_sigtimedwait");
			exit(2);
		}
		f = fopen(out, "a");
		if (!f || fprintf(f, "%d %d %d %u %ld\n", si.si_signo,
				  si.si_code, si.si_pid, si.si_uid,
				  (long)(intptr_t)si.si_value.sival_ptr) < 0 ||
		    fclose(f))
			exit(2);
	}
	return NULL;
}

static int catch(const char *file, int n)
{
	pthread_t t;
	int sig;

	out = file;
	count = n;
	sigemptyset(&caught);
	for (sig = 1; sig < SIGRTMAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGTERM)
			sigaddset(&caught, sig);
	/* Blocked in both threads: only the taker takes them. */
	if (pthread_sigmask(SIG_BLOCK, &caught, NULL) ||
	    pthread_create(&t, NULL, taker, NULL) || pthread_join(t, NULL))
		return 2;
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int loop(pid_t pid, int n)
{
	long long t0 = now_ns();
	int i;

	for (i = 0; i < n; i++) {
		if (kill(pid, 0)) {
			printf("%s\n", strerror(errno));
			return 1;
		}
	}
	printf("ns_per_call %lld\n", (now_ns() - t0) / (n > 0 ? n : 1));
	return 0;
}

static int sent(long r)
{
	if (r < 0) {
		printf("%s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	union sigval v;

	if (argc == 4 && !strcmp(argv[1], "catch"))
		return catch(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "loop"))
		return loop(atoi(argv[2]), atoi(argv[3]));
	printf("%d\n", getpid());
	fflush(stdout);
	if (argc == 5 && !strcmp(argv[1], "queue")) {
		v.sival_ptr = (void *)(intptr_t)strtol(argv[4], NULL, 0);
		return sent(sigqueue(atoi(argv[2]), atoi(argv[3]), v));
	}
	if (argc == 5 && !strcmp(argv[1], "tgkill"))
		return sent(syscall(SYS_tgkill, atoi(argv[2]), atoi(argv[3]),
				    atoi(argv[4])));
	if (argc == 4 && !strcmp(argv[1], "tkill"))
		return sent(syscall(SYS_tkill, atoi(argv[2]), atoi(argv[3])));
	fprintf(stderr, "usage: sigprobe catch FILE COUNT | queue PID SIG VALUE | tgkill TGID TID SIG | tkill TID SIG | loop PID N\n");
	return 2;
}
