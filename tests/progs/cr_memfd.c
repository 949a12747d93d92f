// SPDX-License-Identifier: GPL-2.0
/*
 * cr_memfd: memfds survive checkpoint and restart, as their users rely on:
 *   - "cr_memfd", sealed against shrinking and growing, mode 0640, its
 *     data then a hole up to its size; two fds of one open file (dup) at
 *     offset 100, and a read-only open of it (/proc/self/fd) at 7;
 *   - "cr_memfd.shared", only mapped (its fd closed), shared with a child;
 *   - "cr_memfd.future", mapped shared and writable, then sealed against
 *     future writes: the mapping still writes, write() may not;
 *   - "cr_memfd.ro", sealed against writes, then mapped shared read-only:
 *     it may not become writable;
 *   - "cr_memfd.noseal", made without MFD_ALLOW_SEALING, mapped private
 *     with a page of ours written: the file does not see it.
 * After the restart each keeps its name, mode, size, inode links, seals
 * and content, exactly as before. It prints READY, waits for SIGUSR1,
 * checks, prints PASS or FAIL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "cr_common.h"

#define SIZE	(3 * 4096 + 100)
#define DATA	5000

struct before {
	struct stat st;
	int seals;
	char link[64];
};

static void record(int fd, struct before *b)
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, b->link, sizeof(b->link) - 1);
	b->link[n > 0 ? n : 0] = '\0';
	fstat(fd, &b->st);
	b->seals = fcntl(fd, F_GET_SEALS);
}

/* Name, mode, size, links, owner and seals as they were. */
static void check_same(int fd, const struct before *b, const char *what)
{
	struct before now;

	record(fd, &now);
	cr_check(!strcmp(now.link, b->link), "%s: named %s, was %s", what, now.link,
		 b->link);
	cr_check(now.st.st_mode == b->st.st_mode && now.st.st_size == b->st.st_size &&
		 now.st.st_nlink == b->st.st_nlink && now.st.st_uid == b->st.st_uid,
		 "%s: mode %o size %lld links %ld uid %d, were %o %lld %ld %d", what,
		 now.st.st_mode, (long long)now.st.st_size, (long)now.st.st_nlink,
		 now.st.st_uid, b->st.st_mode, (long long)b->st.st_size,
		 (long)b->st.st_nlink, b->st.st_uid);
	cr_check(now.seals == b->seals, "%s: seals %#x, were %#x", what, now.seals,
		 b->seals);
}

static int zeros(const char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void *map(int fd, int prot, int flags)
{
	return mmap(NULL, 4096, prot, flags, fd, 0);
}

int main(void)
{
	struct before ba, bfuture, bro, bnoseal;
	char data[DATA], buf[SIZE], proc[64], c;
	int a, a2, a3, shared, future, ro, noseal, st;
	volatile int *smap;
	char *fmap, *romap, *pmap;
	pid_t kid;

	for (int i = 0; i < DATA; i++)
		data[i] = 'a' + i % 23;
	/* Sealed, with a hole, three opens of two open files. */
	a = memfd_create("cr_memfd", MFD_ALLOW_SEALING);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", a);
	if (a < 0 || write(a, data, DATA) != DATA || ftruncate(a, SIZE) ||
	    fchmod(a, 0640) || fcntl(a, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) ||
	    (a2 = dup(a)) < 0 || lseek(a, 100, SEEK_SET) != 100 ||
	    (a3 = open(proc, O_RDONLY)) < 0 || lseek(a3, 7, SEEK_SET) != 7)
		return 2;
	/* Only mapped, shared with a child. */
	shared = memfd_create("cr_memfd.shared", 0);
	if (shared < 0 || ftruncate(shared, 4096) ||
	    (smap = map(shared, PROT_READ | PROT_WRITE, MAP_SHARED)) == MAP_FAILED ||
	    close(shared))
		return 2;
	smap[0] = 41;
	kid = cr_fork_answerer(smap);
	/* Mapped writable, then sealed against future writes. */
	future = memfd_create("cr_memfd.future", MFD_ALLOW_SEALING);
	if (future < 0 || ftruncate(future, 4096) ||
	    (fmap = map(future, PROT_READ | PROT_WRITE, MAP_SHARED)) == MAP_FAILED ||
	    fcntl(future, F_ADD_SEALS, F_SEAL_FUTURE_WRITE))
		return 2;
	/* Sealed against writes, then mapped read-only. */
	ro = memfd_create("cr_memfd.ro", MFD_ALLOW_SEALING);
	if (ro < 0 || write(ro, "read only", 9) != 9 ||
	    fcntl(ro, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK) ||
	    (romap = map(ro, PROT_READ, MAP_SHARED)) == MAP_FAILED)
		return 2;
	/* No sealing; a private page of ours. */
	noseal = memfd_create("cr_memfd.noseal", 0);
	if (noseal < 0 || write(noseal, "o", 1) != 1 ||
	    (pmap = map(noseal, PROT_READ | PROT_WRITE, MAP_PRIVATE)) == MAP_FAILED)
		return 2;
	pmap[0] = 'p';
	record(a, &ba);
	record(future, &bfuture);
	record(ro, &bro);
	record(noseal, &bnoseal);

	cr_ready_and_wait();

	check_same(a, &ba, "cr_memfd");
	check_same(a2, &ba, "cr_memfd (dup)");
	check_same(a3, &ba, "cr_memfd (read-only open)");
	cr_check(pread(a, buf, DATA, 0) == DATA && !memcmp(buf, data, DATA),
		 "cr_memfd: content");
	cr_check(pread(a, buf, SIZE - DATA, DATA) == SIZE - DATA && zeros(buf, SIZE - DATA),
		 "cr_memfd: a hole past its data");
	cr_check(lseek(a2, 0, SEEK_CUR) == 100 && lseek(a3, 0, SEEK_CUR) == 7,
		 "cr_memfd: offsets %lld and %lld, were 100 and 7",
		 (long long)lseek(a2, 0, SEEK_CUR), (long long)lseek(a3, 0, SEEK_CUR));
	cr_check(lseek(a, 200, SEEK_SET) == 200 && lseek(a2, 0, SEEK_CUR) == 200 &&
		 lseek(a3, 0, SEEK_CUR) == 7, "cr_memfd: the dup is not one open file");
	cr_check((fcntl(a3, F_GETFL) & O_ACCMODE) == O_RDONLY &&
		 (fcntl(a, F_GETFL) & O_ACCMODE) == O_RDWR, "cr_memfd: access modes");
	cr_check(pwrite(a, "W", 1, 0) == 1 && pread(a3, &c, 1, 0) == 1 && c == 'W',
		 "cr_memfd: one file under its opens");
	cr_check(ftruncate(a, 10) < 0 && errno == EPERM, "cr_memfd: shrinks, sealed");

	cr_check(smap[0] == 41, "cr_memfd.shared: %d, was 41", smap[0]);
	smap[0] = 42;
	for (int i = 0; i < 500 && waitpid(kid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	if (smap[1] != 43)
		kill(kid, SIGKILL);	/* it never saw our write */
	cr_check(smap[1] == 43, "cr_memfd.shared: memory shared with the child");

	check_same(future, &bfuture, "cr_memfd.future");
	fmap[0] = 'f';
	cr_check(pread(future, &c, 1, 0) == 1 && c == 'f',
		 "cr_memfd.future: the mapping writes to the file");
	cr_check(pwrite(future, "x", 1, 1) < 0 && errno == EPERM,
		 "cr_memfd.future: write() despite the seal");

	check_same(ro, &bro, "cr_memfd.ro");
	cr_check(!memcmp(romap, "read only", 9), "cr_memfd.ro: mapped content");
	cr_check(mprotect(romap, 4096, PROT_READ | PROT_WRITE) < 0,
		 "cr_memfd.ro: its read-only mapping became writable");

	check_same(noseal, &bnoseal, "cr_memfd.noseal");
	cr_check(fcntl(noseal, F_ADD_SEALS, F_SEAL_GROW) < 0 && errno == EPERM,
		 "cr_memfd.noseal: sealing allowed");
	cr_check(pmap[0] == 'p' && pread(noseal, &c, 1, 0) == 1 && c == 'o',
		 "cr_memfd.noseal: private page %c, file %c", pmap[0], c);
	return cr_done();
}
