/*
 * cr_sessions: sessions and process groups survive checkpoint and
 * restart, including those whose leader has exited. The root, a
 * subreaper, makes:
 *
 *   A   setsid(): leads session A; its child A1 stays in group A, its
 *       child A2 leads group A2 and makes A3 in it, then exits (A reaps
 *       it): A3, reparented to the root, is in a group with no leader;
 *   B   setsid(), makes B1, exits: B1 is in a session with no leader;
 *   C   setpgid(0, 0) in the root's session, makes C1, exits: C1 is in a
 *       group with no leader, in the root's session.
 *
 * After the restart, the root signals each group (kill(-G)), which only
 * reaches its members; each member checks its parent, group and session
 * and exits with 0 or the number of the first that differs. A process
 * that missed its signal holds the root until an alarm ends the test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "cr_common.h"

/*
 * Wait for SIGUSR1, then compare: 0 if all is as expected. A @sid of 0 is
 * the parent's session (the root's, which is restart's caller's).
 */
static int member(pid_t ppid, pid_t pgid, pid_t sid)
{
	sigset_t none;

	sigemptyset(&none);
	while (!cr_go)
		sigsuspend(&none);
	if (getppid() != ppid)
		return 10;
	if (getpgrp() != pgid)
		return 11;
	if (getsid(0) != (sid ? sid : getsid(ppid)))
		return 12;
	return 0;
}

/* A child that waits in member() for what it must find after restart. */
static pid_t spawn(pid_t ppid, pid_t pgid, pid_t sid)
{
	pid_t p = fork();

	if (p == 0)
		_exit(member(ppid, pgid, sid));
	return p;
}

static int status_of(pid_t p)
{
	int st;

	if (waitpid(p, &st, 0) != p)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

/* A: leads session A, with A1 in its group and A3 in A2's, gone. */
static void session_a(pid_t root, int report)
{
	pid_t me = getpid(), a1, ids[2];
	int go[2], st;

	if (setsid() != me || pipe(go))
		_exit(30);
	a1 = spawn(me, me, me);
	ids[0] = fork();
	if (ids[0] == 0) {
		pid_t a3;

		if (setpgid(0, 0))
			_exit(31);
		a3 = spawn(root, getpid(), me);
		_exit(write(go[1], &a3, sizeof(a3)) == sizeof(a3) ? 0 : 32);
	}
	if (read(go[0], &ids[1], sizeof(ids[1])) != sizeof(ids[1]) ||
	    status_of(ids[0]) ||
	    write(report, ids, sizeof(ids)) != sizeof(ids))
		_exit(33);
	close(go[0]);
	close(go[1]);
	st = member(root, me, me);
	_exit(st ? st : status_of(a1) ? 40 : 0);
}

/*
 * A child that leads a session (or only a group, in the root's session),
 * makes a child in it and exits: the child's session or group has no
 * leader left. Returns the child, and the leader in *@gone.
 */
static pid_t orphan(pid_t root, int session, pid_t *gone)
{
	int go[2];
	pid_t kid;

	if (pipe(go))
		return -1;
	*gone = fork();
	if (*gone == 0) {
		pid_t me = getpid();

		if (session ? setsid() != me : setpgid(0, 0) != 0)
			_exit(50);
		kid = spawn(root, me, session ? me : 0);
		_exit(write(go[1], &kid, sizeof(kid)) == sizeof(kid) ? 0 : 51);
	}
	if (read(go[0], &kid, sizeof(kid)) != sizeof(kid) || status_of(*gone))
		kid = -1;
	close(go[0]);
	close(go[1]);
	return kid;
}

static void too_late(int sig)
{
	static const char msg[] = "FAIL: a group member never got its signal\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(1);
}

int main(void)
{
	pid_t root = getpid(), a, a2a3[2], b, b1, c, c1;
	sigset_t usr1;
	int rep[2], st;

	/* SIGUSR1 stays blocked in every child until it waits for it. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	signal(SIGUSR1, cr_on_usr1);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) || pipe(rep))
		return 2;
	fflush(stdout);
	a = fork();
	if (a == 0)
		session_a(root, rep[1]);
	if (read(rep[0], a2a3, sizeof(a2a3)) != sizeof(a2a3))
		return 2;
	b1 = orphan(root, 1, &b);
	c1 = orphan(root, 0, &c);
	if (b1 < 0 || c1 < 0)
		return 2;
	printf("A %d A2 %d A3 %d B %d B1 %d C %d C1 %d\n", a, a2a3[0],
	       a2a3[1], b, b1, c, c1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);	/* for the root only */

	cr_ready_and_wait();

	/* Each group gets its signal, and only its members can answer. */
	signal(SIGALRM, too_late);
	alarm(30);
	cr_check(getpgid(a2a3[1]) == a2a3[0], "A3 in group %d, not %d",
		 getpgid(a2a3[1]), a2a3[0]);
	cr_check(getsid(b1) == b && getpgid(b1) == b, "B1 in session %d group %d, not %d",
		 getsid(b1), getpgid(b1), b);
	cr_check(getsid(c1) == getsid(0) && getpgid(c1) == c,
		 "C1 in session %d group %d, not %d %d", getsid(c1),
		 getpgid(c1), getsid(0), c);
	cr_check(kill(-a, SIGUSR1) == 0, "kill -%d: %s", a, strerror(errno));
	cr_check(kill(-a2a3[0], SIGUSR1) == 0, "kill -%d (A2's group): %s",
		 a2a3[0], strerror(errno));
	cr_check(kill(-b, SIGUSR1) == 0, "kill -%d (B's group): %s", b,
		 strerror(errno));
	cr_check(kill(-c, SIGUSR1) == 0, "kill -%d (C's group): %s", c,
		 strerror(errno));
	st = status_of(a);
	cr_check(st == 0, "A or A1: %d", st);
	st = status_of(a2a3[1]);
	cr_check(st == 0, "A3: %d", st);
	st = status_of(b1);
	cr_check(st == 0, "B1: %d", st);
	st = status_of(c1);
	cr_check(st == 0, "C1: %d", st);
	/* Leaders that are gone stay gone: their PIDs name no process. */
	cr_check(kill(b, 0) == -1 && errno == ESRCH, "B %d is alive", b);
	cr_check(kill(c, 0) == -1 && errno == ESRCH, "C %d is alive", c);
	return cr_done();
}
