/*
 * cr_events: eventfd, timerfd, signalfd and epoll files survive
 * checkpoint/restart: counters, semaphore mode, timers' clocks, periods
 * and time left, a signalfd's mask (and it still takes the signals sent
 * after the restart), and an epoll set watching them, each watch with its
 * events, flags and data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include "cr_common.h"

/* The number after @key in /proc/self/fdinfo/@fd (in @base), or -1. */
static long long fdinfo(int fd, const char *key, int base)
{
	char path[64], buf[1024], *p;
	long long v = -1;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	p = strstr(buf, key);
	if (p)
		v = strtoll(p + strlen(key), NULL, base);
	return v;
}

static unsigned long long fdinfo_mask(int fd)
{
	long long mask = fdinfo(fd, "sigmask:", 16);

	return mask < 0 ? 0 : mask;
}

/* The watches of epoll file @ep, as its fdinfo lists them. */
struct watch {
	int fd;
	unsigned int events;
	unsigned long long data;
};

static int watches(int ep, struct watch *w, int max)
{
	char path[64], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ep);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (n < max && sscanf(line, "tfd: %d events: %x data: %llx",
				      &w[n].fd, &w[n].events, &w[n].data) == 3)
			n++;
	if (f)
		fclose(f);
	return n;
}

static double left(int tfd)
{
	struct itimerspec its;

	if (timerfd_gettime(tfd, &its))
		return -1;
	return its.it_value.tv_sec + its.it_value.tv_nsec / 1e9;
}

int main(void)
{
	int efd = eventfd(5, EFD_NONBLOCK), sem = eventfd(3, EFD_SEMAPHORE);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	/* One shot, far away, on the clock the nodes share. */
	int tlong = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	struct itimerspec its = { { 0, 50000000 }, { 0, 50000000 } }, got;
	struct itimerspec far = { { 0, 0 }, { 1000, 0 } };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 }, out[4];
	struct watch w[4], w_was[4];
	struct signalfd_siginfo si[3];
	unsigned long long mask_before;
	double long_was, long_now;
	sigset_t mask;
	uint64_t v;
	int sfd, ep, n, nw, nw_was, seen42, seen7, i;

	timerfd_settime(tfd, 0, &its, NULL);
	timerfd_settime(tlong, 0, &far, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGWINCH);
	/* Blocked, as signalfd() wants: they wait in it to be read. */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK);
	mask_before = fdinfo_mask(sfd);
	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
	ev.data.u64 = 7;
	ev.events = EPOLLIN | EPOLLET;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	if (efd < 0 || sem < 0 || tfd < 0 || tlong < 0 || sfd < 0 || ep < 0) {
		perror("setup");
		return 2;
	}
	nw_was = watches(ep, w_was, 4);
	long_was = left(tlong);

	cr_ready_and_wait();

	cr_check(read(efd, &v, 8) == 8 && v == 5, "eventfd count %llu",
		 (unsigned long long)v);
	cr_check(read(efd, &v, 8) < 0, "eventfd empty, non-blocking");
	cr_check(read(sem, &v, 8) == 8 && v == 1, "semaphore eventfd");
	/* Before anything else reads them: the watches as they were. */
	nw = watches(ep, w, 4);
	cr_check(nw_was == 2 && nw == nw_was, "%d epoll watches, were %d",
		 nw, nw_was);
	/* In the order of their files' addresses: any, after a restart. */
	for (i = 0; i < nw_was; i++) {
		int j = 0;

		while (j < nw && w[j].fd != w_was[i].fd)
			j++;
		cr_check(j < nw && w[j].events == w_was[i].events &&
			 w[j].data == w_was[i].data,
			 "epoll watch of fd %d: events %#x data %llu, was %#x %llu",
			 w_was[i].fd, j < nw ? w[j].events : 0,
			 j < nw ? w[j].data : 0, w_was[i].events, w_was[i].data);
	}
	for (i = 0, seen7 = 0; i < nw; i++)
		seen7 |= w[i].fd == tfd && w[i].data == 7 &&
			 (w[i].events & (EPOLLIN | EPOLLET)) == (EPOLLIN | EPOLLET);
	cr_check(seen7, "epoll watches timerfd %d (EPOLLIN | EPOLLET, data 7)",
		 tfd);
	cr_check(timerfd_gettime(tfd, &got) == 0 &&
		 got.it_interval.tv_sec == 0 &&
		 got.it_interval.tv_nsec == 50000000, "timerfd period");
	cr_check(got.it_value.tv_sec == 0 && got.it_value.tv_nsec > 0 &&
		 got.it_value.tv_nsec <= 50000000, "timerfd %ld ns left",
		 (long)got.it_value.tv_nsec);
	/* Counted on from what it had, give or take the nodes' clocks. */
	long_now = left(tlong);
	cr_check(long_was > 990 && long_now > long_was - 600 &&
		 long_now < long_was + 1.5, "timerfd %.3f s left, had %.3f",
		 long_now, long_was);
	cr_check(fdinfo(tfd, "clockid:", 10) == CLOCK_MONOTONIC &&
		 fdinfo(tlong, "clockid:", 10) == CLOCK_REALTIME,
		 "timerfd clocks %lld %lld", fdinfo(tfd, "clockid:", 10),
		 fdinfo(tlong, "clockid:", 10));
	cr_check(read(tlong, &v, 8) < 0 && errno == EAGAIN,
		 "far timerfd not expired, non-blocking");
	cr_check(read(tfd, &v, 8) == 8 && v >= 1, "timerfd expires");
	cr_check(fcntl(tfd, F_GETFD) & FD_CLOEXEC, "timerfd FD_CLOEXEC");
	cr_check(fdinfo_mask(sfd) == mask_before && mask_before,
		 "signalfd mask %llx", fdinfo_mask(sfd));
	cr_check(fcntl(sfd, F_GETFL) & O_NONBLOCK, "signalfd non-blocking");
	/* Signals sent now come through it, with their siginfo. */
	sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 55 });
	raise(SIGWINCH);
	memset(si, 0, sizeof(si));
	n = read(sfd, si, sizeof(si));
	cr_check(n == 2 * (int)sizeof(si[0]), "signalfd read %d bytes", n);
	/* raise() queues for the thread, which comes first, sigqueue() for all. */
	i = si[0].ssi_signo == SIGUSR2 ? 0 : 1;
	cr_check(si[i].ssi_signo == SIGUSR2 && si[i].ssi_code == SI_QUEUE &&
		 si[i].ssi_int == 55 && si[i].ssi_pid == (uint32_t)getpid() &&
		 si[i].ssi_uid == getuid(), "signalfd SIGUSR2: signo %u code %d "
		 "value %d pid %u", si[i].ssi_signo, si[i].ssi_code,
		 si[i].ssi_int, si[i].ssi_pid);
	i = !i;
	cr_check(si[i].ssi_signo == SIGWINCH && si[i].ssi_code == SI_TKILL &&
		 si[i].ssi_pid == (uint32_t)getpid(),
		 "signalfd SIGWINCH: signo %u code %d pid %u", si[i].ssi_signo,
		 si[i].ssi_code, si[i].ssi_pid);
	cr_check(read(sfd, si, sizeof(si)) < 0 && errno == EAGAIN,
		 "signalfd empty again");
	v = 9;
	cr_check(write(efd, &v, 8) == 8, "eventfd write");
	n = epoll_wait(ep, out, 4, 1000);
	cr_check(n >= 1, "epoll_wait returned %d", n);
	for (i = 0, seen42 = 0; i < n; i++)
		seen42 |= out[i].data.u64 == 42;
	cr_check(seen42, "epoll reports the eventfd with its data");
	return cr_done();
}
