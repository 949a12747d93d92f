/*
 * Interrupted system calls go on with the time they had left: four
 * threads sleep SECONDS in nanosleep(), poll() on an empty pipe, a timed
 * condition wait (a futex wait on CLOCK_MONOTONIC) and sem_timedwait()
 * (a futex wait with a CLOCK_REALTIME deadline). The checkpoint comes at
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
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>
#include "cr_common.h"

enum { NANOSLEEP, POLL, CONDWAIT, SEMWAIT, NCALLS };

/* How far apart two nodes' CLOCK_REALTIME may be (RTC: a second). */
#define CLOCKS_AGREE	1.5

static const char *const names[NCALLS] = {
	"nanosleep", "poll", "pthread_cond_timedwait", "sem_timedwait",
};

static int seconds;
static int fds[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static sem_t sem;
static volatile int started;
static int results[NCALLS];
static double ends[NCALLS], end_realtime, deadline_realtime;
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

static void *sleeper(void *arg)
{
	int call = (int)(long)arg;
	struct timespec ts = { .tv_sec = seconds };
	struct pollfd pfd = { .fd = fds[0], .events = POLLIN };

	starts_real[call] = now(CLOCK_REALTIME);
	switch (call) {
	case NANOSLEEP:
		__sync_fetch_and_add(&started, 1);
		results[call] = nanosleep(&ts, NULL) ? errno : 0;
		break;
	case POLL:
		__sync_fetch_and_add(&started, 1);
		results[call] = poll(&pfd, 1, seconds * 1000);
		break;
	case CONDWAIT:
		ts = deadline(CLOCK_MONOTONIC);
		pthread_mutex_lock(&lock);
		__sync_fetch_and_add(&started, 1);
		results[call] = pthread_cond_timedwait(&cond, &lock, &ts);
		pthread_mutex_unlock(&lock);
		break;
	case SEMWAIT:
		ts = deadline(CLOCK_REALTIME);
		deadline_realtime = ts.tv_sec + ts.tv_nsec / 1e9;
		__sync_fetch_and_add(&started, 1);
		results[call] = sem_timedwait(&sem, &ts) ? errno : 0;
		end_realtime = now(CLOCK_REALTIME);
		break;
	}
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
	double mark, limit;
	sigset_t set;
	int i;

	if (argc != 3)
		return 2;
	seconds = atoi(argv[1]);
	limit = seconds - atoi(argv[2]) / 2.0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
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

	cr_check(results[NANOSLEEP] == 0, "nanosleep gave %d",
		 results[NANOSLEEP]);
	cr_check(results[POLL] == 0, "poll gave %d", results[POLL]);
	cr_check(results[CONDWAIT] == ETIMEDOUT,
		 "pthread_cond_timedwait gave %d", results[CONDWAIT]);
	cr_check(results[SEMWAIT] == ETIMEDOUT, "sem_timedwait gave %d",
		 results[SEMWAIT]);
	for (i = 0; i < NCALLS; i++) {
		printf("%s ended %.2f s after the restart\n", names[i],
		       ends[i] - mark);
		cr_check(ends[i] > mark, "%s ended before the restart",
			 names[i]);
		if (i != SEMWAIT)
			cr_check(ends[i] - mark < limit,
				 "%s started over: ended %.2f s after the "
				 "restart", names[i], ends[i] - mark);
		printf("%s slept %.2f s in all\n", names[i],
		       ends_real[i] - starts_real[i]);
		cr_check(ends_real[i] - starts_real[i] >= seconds - CLOCKS_AGREE,
			 "%s ended early: %.2f s of %d", names[i],
			 ends_real[i] - starts_real[i], seconds);
	}
	/* The nodes' clocks agree to about a second (RTC). */
	cr_check(end_realtime > deadline_realtime - CLOCKS_AGREE,
		 "sem_timedwait ended %.2f s before its deadline",
		 deadline_realtime - end_realtime);
	return cr_done();
}
