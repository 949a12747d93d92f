// SPDX-License-Identifier: GPL-2.0
/*
 * cr_inotify DIR: an inotify instance survives checkpoint and restart with
 * its watches under their own descriptors:
 *   - a watch on DIR/watched (IN_CREATE), descriptor 1;
 *   - one on /tmp, removed: descriptor 2 is free;
 *   - a one-shot watch on DIR/watched/file (IN_MODIFY), descriptor 3;
 *   - one more on /tmp, descriptor 4, removed: the next is 5, which only
 *     the instance's saved cursor tells (the highest watch left is 3);
 *   - O_NONBLOCK on the instance.
 * After the restart, a file created in DIR/watched and a write to the
 * watched file come as events of descriptors 1 and 3 (the one-shot then
 * ends with IN_IGNORED), and a new watch gets descriptor 5, as it would
 * have. DIR is on the file system both nodes share.
 * It prints READY, waits for SIGUSR1, checks, prints PASS or FAIL.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include "cr_common.h"

/* The next event of @fd within a second, in @buf; NULL if none. */
static struct inotify_event *next_event(int fd, char *buf, size_t size, ssize_t *len,
					size_t *at)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct inotify_event *ev;

	if (*at >= (size_t)*len) {
		*at = 0;
		*len = poll(&p, 1, 1000) == 1 ? read(fd, buf, size) : -1;
		if (*len <= 0)
			return NULL;
	}
	ev = (struct inotify_event *)(buf + *at);
	*at += sizeof(*ev) + ev->len;
	return ev;
}

int main(int argc, char **argv)
{
	char dir[512], file[600], made[600], buf[4096] __attribute__((aligned(8)));
	struct inotify_event *ev;
	int fd, wd_dir, wd_tmp, wd_file, wd_last, wd_new, out;
	ssize_t len = 0;
	size_t at = 0;

	if (argc < 2)
		return 2;
	snprintf(dir, sizeof(dir), "%s/watched", argv[1]);
	snprintf(file, sizeof(file), "%s/file", dir);
	snprintf(made, sizeof(made), "%s/made", dir);
	mkdir(dir, 0700);
	unlink(made);
	out = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fd = inotify_init1(IN_NONBLOCK);
	if (out < 0 || fd < 0)
		return 2;
	wd_dir = inotify_add_watch(fd, dir, IN_CREATE);
	wd_tmp = inotify_add_watch(fd, "/tmp", IN_CREATE);
	if (inotify_rm_watch(fd, wd_tmp))
		return 2;
	wd_file = inotify_add_watch(fd, file, IN_MODIFY | IN_ONESHOT);
	wd_last = inotify_add_watch(fd, "/tmp", IN_DELETE);
	if (wd_dir != 1 || wd_tmp != 2 || wd_file != 3 || wd_last != 4 ||
	    inotify_rm_watch(fd, wd_last))
		return 2;
	/* The IN_IGNORED of the removed watches: read, as a checkpoint needs. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;

	cr_ready_and_wait();

	cr_check(fcntl(fd, F_GETFL) == (O_RDONLY | O_NONBLOCK), "flags %#x",
		 fcntl(fd, F_GETFL));
	close(open(made, O_WRONLY | O_CREAT, 0600));
	ev = next_event(fd, buf, sizeof(buf), &len, &at);
	cr_check(ev && ev->wd == wd_dir && (ev->mask & IN_CREATE) && ev->len &&
		 !strcmp(ev->name, "made"),
		 "IN_CREATE of 'made' through wd %d: got wd %d mask %#x", wd_dir,
		 ev ? ev->wd : -1, ev ? ev->mask : 0);
	cr_check(write(out, "x", 1) == 1, "write");
	ev = next_event(fd, buf, sizeof(buf), &len, &at);
	cr_check(ev && ev->wd == wd_file && (ev->mask & IN_MODIFY),
		 "IN_MODIFY through wd %d: got wd %d mask %#x", wd_file, ev ? ev->wd : -1,
		 ev ? ev->mask : 0);
	ev = next_event(fd, buf, sizeof(buf), &len, &at);
	cr_check(ev && ev->wd == wd_file && (ev->mask & IN_IGNORED),
		 "one-shot watch %d ended: got wd %d mask %#x", wd_file, ev ? ev->wd : -1,
		 ev ? ev->mask : 0);
	wd_new = inotify_add_watch(fd, "/tmp", IN_DELETE);
	cr_check(wd_new == 5, "a new watch got wd %d, not 5", wd_new);
	unlink(made);
	return cr_done();
}
