/*
 * cr_signals: signal state survives checkpoint/restart: handlers with
 * their flags and masks, ignored signals, the blocked mask (SIGTERM and
 * SIGRTMIN, every other signal unblocked), the alternate signal stack,
 * and signals pending (blocked) with their siginfo.
 */
#include <stdint.h>
#include "cr_common.h"

static char altstack[65536];
static volatile int handled;
static volatile uintptr_t handler_sp;

static void on_usr2(int sig, siginfo_t *si, void *ctx)
{
	int local;

	(void)sig;
	(void)si;
	(void)ctx;
	handled++;
	handler_sp = (uintptr_t)&local;
}

int main(void)
{
	struct sigaction sa, got;
	sigset_t block, now, was;
	int sig;
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) }, ss2;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr2;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigaltstack(&ss, NULL);
	/* Pending at checkpoint time: a queued real-time signal, a plain one. */
	sigaddset(&block, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 77 });
	raise(SIGTERM);
	sigprocmask(SIG_BLOCK, NULL, &was);

	cr_ready_and_wait();

	sigaction(SIGUSR2, NULL, &got);
	cr_check(got.sa_sigaction == on_usr2, "SIGUSR2 handler");
	cr_check((got.sa_flags & (SA_SIGINFO | SA_RESTART | SA_ONSTACK)) ==
		 (SA_SIGINFO | SA_RESTART | SA_ONSTACK), "SIGUSR2 flags");
	cr_check(sigismember(&got.sa_mask, SIGHUP) == 1, "SIGUSR2 mask");
	sigaction(SIGPIPE, NULL, &got);
	cr_check(got.sa_handler == SIG_IGN, "SIGPIPE ignored");
	sigprocmask(SIG_BLOCK, NULL, &now);
	cr_check(sigismember(&now, SIGTERM) == 1, "SIGTERM blocked");
	cr_check(sigismember(&now, SIGRTMIN) == 1, "SIGRTMIN blocked");
	cr_check(sigismember(&now, SIGUSR1) == 0, "SIGUSR1 not blocked");
	for (sig = 1; sig < NSIG; sig++)
		cr_check(sigismember(&now, sig) == sigismember(&was, sig),
			 "signal %d blocked %d, was %d", sig,
			 sigismember(&now, sig), sigismember(&was, sig));
	cr_check(sigaltstack(NULL, &ss2) == 0 && ss2.ss_sp == altstack &&
		 ss2.ss_size == sizeof(altstack), "alternate stack");
	sigset_t pending, one;
	siginfo_t si;

	sigpending(&pending);
	cr_check(sigismember(&pending, SIGTERM) && sigismember(&pending, SIGRTMIN),
		 "signals still pending");
	sigemptyset(&one);
	sigaddset(&one, SIGRTMIN);
	cr_check(sigwaitinfo(&one, &si) == SIGRTMIN && si.si_value.sival_int == 77 &&
		 si.si_code == SI_QUEUE && si.si_pid == getpid(),
		 "queued signal with its value");
	sigemptyset(&one);
	sigaddset(&one, SIGTERM);
	cr_check(sigwaitinfo(&one, &si) == SIGTERM, "SIGTERM pending");
	raise(SIGUSR2);
	cr_check(handled == 1, "handler runs");
	cr_check(handler_sp >= (uintptr_t)altstack &&
		 handler_sp < (uintptr_t)altstack + sizeof(altstack),
		 "handler on the alternate stack");
	return cr_done();
}
