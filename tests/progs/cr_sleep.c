/*
 * Interrupted system calls go on with the time they had left: threads
 * sleep SECONDS in nanosleep(), relative clock_nanosleep(), poll(),
 * select(), pselect() and ppoll() on an empty pipe, a timed condition
 * wait (a futex wait on CLOCK_MONOTONIC), sem_timedwait() (a futex wait
 * with a CLOCK_REALTIME deadline) and clock_nanosleep() to a
 * CLOCK_REALTIME deadline. Two more wait in epoll_wait() and
 * sigtimedwait(), which return EINTR once the process resumes, as after
 * SIGSTOP and SIGCONT, and no sooner (not before the checkpoint). The checkpoint comes at
 * least ASLEEP seconds into the sleeps, and SIGUSR1, sent as soon as the
 * restart returns, marks when the process resumed. Each call must end
 * after the mark, with its usual result; a relative one must end less
 * than SECONDS - ASLEEP / 2 after the mark (it did not start over), and
 * no call may end early: from its start to its end (CLOCK_REALTIME, which
 * the nodes share to about a second) at least SECONDS went by, the time
 * the process spent in the image only adding to that; the realtime one
 * ends not before its deadline.
 *
 * Usage: cr_sleep SECONDS ASLEEP
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>
#include "cr_common.h"

enum {
	NANOSLEEP, CLOCK_NANOSLEEP, POLL, SELECT, PSELECT, PPOLL, CONDWAIT,
	SEMWAIT, ABS_NANOSLEEP, EPOLL_WAIT, SIGTIMEDWAIT, NCALLS
};

/* Those that end at a CLOCK_REALTIME deadline, and those that EINTR. */
#define DEADLINE(call)	((call) == SEMWAIT || (call) == ABS_NANOSLEEP)
#define EINTRS(call)	((call) == EPOLL_WAIT || (call) == SIGTIMEDWAIT)

/* How far apart two nodes' CLOCK_REALTIME may be (RTC: a second). */
#define CLOCKS_AGREE	1.5

static const char *const names[NCALLS] = {
	"nanosleep", "clock_nanosleep", "poll", "select", "pselect", "ppoll",
	"pthread_cond_timedwait", "sem_timedwait", "clock_nanosleep(ABSTIME)",
	"epoll_wait", "sigtimedwait",
};

static int seconds;
static int fds[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static sem_t sem;
static volatile int started;
static int results[NCALLS];
static double ends[NCALLS], deadlines[NCALLS];
static double starts_real[NCALLS], ends_real[NCALLS];

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct timespec deadline(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	ts.tv_sec += seconds;
	return ts;
}

/* The call's result: 0 or its usual timeout value, else an errno. */
static int sleep_in(int call)
{
	struct timespec ts = { .tv_sec = seconds };
	struct timeval tv = { .tv_sec = seconds };
	struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
	struct epoll_event ev;
	fd_set in;
	sigset_t usr2;
	int r, ep;

	FD_ZERO(&in);
	FD_SET(fds[0], &in);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	switch (call) {
	case NANOSLEEP:
		return nanosleep(&ts, NULL) ? errno : 0;
	case CLOCK_NANOSLEEP:
		return clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	case POLL:
		return poll(&pfd, 1, seconds * 1000) ? errno : 0;
	case SELECT:
		return select(fds[0] + 1, &in, NULL, NULL, &tv) ? errno : 0;
	case PSELECT:
		return pselect(fds[0] + 1, &in, NULL, NULL, &ts, NULL) ?
		       errno : 0;
	case PPOLL:
		return ppoll(&pfd, 1, &ts, NULL) ? errno : 0;
	case CONDWAIT:
		ts = deadline(CLOCK_MONOTONIC);
		pthread_mutex_lock(&lock);
		r = pthread_cond_timedwait(&cond, &lock, &ts);
		pthread_mutex_unlock(&lock);
		return r == ETIMEDOUT ? 0 : r ? r : -1;
	case SEMWAIT:
		ts = deadline(CLOCK_REALTIME);
		deadlines[call] = ts.tv_sec + ts.tv_nsec / 1e9;
		return sem_timedwait(&sem, &ts) ? errno == ETIMEDOUT ? 0 : errno
						: -1;
	case ABS_NANOSLEEP:
		ts = deadline(CLOCK_REALTIME);
		deadlines[call] = ts.tv_sec + ts.tv_nsec / 1e9;
		return clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
	case EPOLL_WAIT:
		ep = epoll_create1(0);
		ev.events = EPOLLIN;
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev))
			return -1;
		return epoll_wait(ep, &ev, 1, seconds * 1000) ? errno : 0;
	case SIGTIMEDWAIT:
		return sigtimedwait(&usr2, NULL, &ts) < 0 ? errno : -1;
	}
	return -1;
}

static void *sleeper(void *arg)
{
	int call = (int)(long)arg;

	starts_real[call] = now(CLOCK_REALTIME);
	__sync_fetch_and_add(&started, 1);
	results[call] = sleep_in(call);
	ends[call] = now(CLOCK_MONOTONIC);
	ends_real[call] = now(CLOCK_REALTIME);
	return NULL;
}

/* SIGUSR1 stays blocked in every thread: only sigwaitinfo() takes it. */
static void wait_usr1(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	while (sigwaitinfo(&set, NULL) != SIGUSR1)
		;
}

int main(int argc, char **argv)
{
	pthread_t threads[NCALLS];
	pthread_condattr_t attr;
	double mark, limit, asleep;
	sigset_t set;
	int i;

	if (argc != 3)
		return 2;
	seconds = atoi(argv[1]);
	asleep = atoi(argv[2]);
	limit = seconds - asleep / 2.0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pipe(fds) || sem_init(&sem, 0, 0))
		return 2;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &attr);
	for (i = 0; i < NCALLS; i++)
		pthread_create(&threads[i], NULL, sleeper, (void *)(long)i);
	while (started < NCALLS)
		usleep(10000);
	usleep(200000);		/* into the calls */
	printf("READY %d\n", getpid());
	fflush(stdout);
	wait_usr1();
	mark = now(CLOCK_MONOTONIC);
	printf("RESUMED %d\n", getpid());
	fflush(stdout);
	for (i = 0; i < NCALLS; i++)
		pthread_join(threads[i], NULL);

	for (i = 0; i < NCALLS; i++) {
		cr_check(results[i] == (EINTRS(i) ? EINTR : 0),
			 "%s gave %d (%s)", names[i], results[i],
			 strerror(results[i] > 0 ? results[i] : 0));
		printf("%s ended %.2f s after the restart\n", names[i],
		       ends[i] - mark);
		/* EINTR comes as the process resumes, before SIGUSR1 does. */
		if (EINTRS(i))
			cr_check(ends_real[i] - starts_real[i] >= asleep - CLOCKS_AGREE,
				 "%s ended before the checkpoint: after %.2f s",
				 names[i], ends_real[i] - starts_real[i]);
		else
			cr_check(ends[i] > mark, "%s ended before the restart",
				 names[i]);
		if (!DEADLINE(i))
			cr_check(ends[i] - mark < limit,
				 "%s started over: ended %.2f s after the "
				 "restart", names[i], ends[i] - mark);
		if (EINTRS(i))
			continue;
		printf("%s slept %.2f s in all\n", names[i],
		       ends_real[i] - starts_real[i]);
		cr_check(ends_real[i] - starts_real[i] >= seconds - CLOCKS_AGREE,
			 "%s ended early: %.2f s of %d", names[i],
			 ends_real[i] - starts_real[i], seconds);
		/* The nodes' clocks agree to about a second (RTC). */
		if (DEADLINE(i))
			cr_check(ends_real[i] > deadlines[i] - CLOCKS_AGREE,
				 "%s ended %.2f s before its deadline", names[i],
				 deadlines[i] - ends_real[i]);
	}
	return cr_done();
}
