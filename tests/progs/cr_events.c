/*
 * cr_events: eventfd, timerfd, signalfd and epoll files survive
 * checkpoint/restart: counters, semaphore mode, timer period, signal
 * mask, and an epoll set watching them.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include "cr_common.h"

static unsigned long long fdinfo_mask(int fd)
{
	char path[64], buf[512], *p;
	unsigned long long mask = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	p = strstr(buf, "sigmask:");
	if (p)
		sscanf(p + 8, "%llx", &mask);
	return mask;
}

int main(void)
{
	int efd = eventfd(5, EFD_NONBLOCK), sem = eventfd(3, EFD_SEMAPHORE);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	struct itimerspec its = { { 0, 50000000 }, { 0, 50000000 } }, got;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 }, out[4];
	unsigned long long mask_before;
	sigset_t mask;
	uint64_t v;
	int sfd, ep, n;

	timerfd_settime(tfd, 0, &its, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGWINCH);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK);
	mask_before = fdinfo_mask(sfd);
	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
	ev.data.u64 = 7;
	ev.events = EPOLLIN | EPOLLET;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	if (efd < 0 || sem < 0 || tfd < 0 || sfd < 0 || ep < 0) {
		perror("setup");
		return 2;
	}

	cr_ready_and_wait();

	cr_check(read(efd, &v, 8) == 8 && v == 5, "eventfd count %llu",
		 (unsigned long long)v);
	cr_check(read(efd, &v, 8) < 0, "eventfd empty, non-blocking");
	cr_check(read(sem, &v, 8) == 8 && v == 1, "semaphore eventfd");
	cr_check(timerfd_gettime(tfd, &got) == 0 &&
		 got.it_interval.tv_nsec == 50000000, "timerfd period");
	cr_check(read(tfd, &v, 8) == 8 && v >= 1, "timerfd expires");
	cr_check(fcntl(tfd, F_GETFD) & FD_CLOEXEC, "timerfd FD_CLOEXEC");
	cr_check(fdinfo_mask(sfd) == mask_before && mask_before,
		 "signalfd mask %llx", fdinfo_mask(sfd));
	cr_check(fcntl(sfd, F_GETFL) & O_NONBLOCK, "signalfd non-blocking");
	v = 9;
	cr_check(write(efd, &v, 8) == 8, "eventfd write");
	n = epoll_wait(ep, out, 4, 1000);
	cr_check(n >= 1, "epoll_wait returned %d", n);
	int seen42 = 0;
	for (int i = 0; i < n; i++)
		seen42 |= out[i].data.u64 == 42;
	cr_check(seen42, "epoll reports the eventfd with its data");
	return cr_done();
}
