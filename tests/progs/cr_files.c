/*
 * cr_files DIR: open files survive checkpoint/restart: a regular file at
 * its offset, the same file in O_APPEND with FD_CLOEXEC, a high fd
 * number, /dev/null, /dev/zero, a directory, files of /tmp deleted
 * while open (their content comes back, one read-only, one opened twice
 * and shared by its two opens), and a FIFO of
 * /tmp open at both ends, holding bytes, and file locks: a POSIX write
 * lock on bytes 10..19 and an open file description read lock on bytes
 * 100..199 of the regular file, flock(LOCK_EX) on another one (9p takes
 * a flock() as a whole-file lock, which would meet the others). The fd
 * table comes back whole: the same fds, each open on what it was (as
 * /proc/self/fd shows it), and no other. DIR must be seen by the restart
 * node, and the FIFO must exist there.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "cr_common.h"

#define SIZE	10000
#define MAXFDS	64

struct fd_entry {
	int fd;
	char target[512];
};

/*
 * The fd table, from /proc/self/fd: each fd and what it is open on. An
 * inode number of a pipe or socket (pipe:[N]) is not kept: it is new.
 */
static int fd_table(struct fd_entry *t, int max)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0, self = d ? dirfd(d) : -1;
	struct dirent *e;
	char path[64], *p;
	ssize_t len;

	while (d && (e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == self)
			continue;
		t[n].fd = atoi(e->d_name);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", t[n].fd);
		len = readlink(path, t[n].target, sizeof(t[n].target) - 1);
		t[n].target[len < 0 ? 0 : len] = 0;
		p = strstr(t[n].target, ":[");
		if (t[n].target[0] != '/' && p)
			p[1] = 0;
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* The fds of @now are those of @was, each open on what it was. */
static void check_fd_table(const struct fd_entry *was, int n_was)
{
	struct fd_entry now[MAXFDS];
	int n = fd_table(now, MAXFDS), i, j;

	for (i = 0; i < n_was; i++) {
		for (j = 0; j < n && now[j].fd != was[i].fd; j++)
			;
		cr_check(j < n && !strcmp(now[j].target, was[i].target),
			 "fd %d open on '%s', was '%s'", was[i].fd,
			 j < n ? now[j].target : "(closed)", was[i].target);
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < n_was && was[i].fd != now[j].fd; i++)
			;
		cr_check(i < n_was, "extra fd %d open on '%s'", now[j].fd,
			 now[j].target);
	}
}

static int lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
			    .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* What other opens of the files meet: the locks, as they were. */
static void check_locks(const char *path, const char *flocked)
{
	struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			   .l_start = 0, .l_len = 50 };
	int fd = open(flocked, O_RDWR);

	cr_check(flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
		 "flock(LOCK_EX) still held");
	close(fd);
	fd = open(path, O_RDWR);
	cr_check(fcntl(fd, F_OFD_GETLK, &q) == 0 && q.l_type == F_WRLCK &&
		 q.l_start == 10 && q.l_len == 10 && q.l_pid == getpid(),
		 "POSIX write lock on 10..19 (got type %d at %ld+%ld, pid %d)",
		 q.l_type, (long)q.l_start, (long)q.l_len, q.l_pid);
	q.l_type = F_WRLCK;
	q.l_pid = 0;		/* F_OFD_GETLK wants 0 */
	q.l_start = 100;
	q.l_len = 100;
	cr_check(fcntl(fd, F_OFD_GETLK, &q) == 0 && q.l_type == F_RDLCK &&
		 q.l_start == 100 && q.l_len == 100 && q.l_pid == -1,
		 "OFD read lock on 100..199 (got type %d at %ld+%ld, pid %d)",
		 q.l_type, (long)q.l_start, (long)q.l_len, q.l_pid);
	close(fd);
}

int main(int argc, char **argv)
{
	char path[512], buf[SIZE], got[100];
	struct stat st_before, st, st_gone2;
	char fifo[64], flocked[512];
	static struct fd_entry fds_was[MAXFDS];
	int n_fds_was;
	int gone2, locked, rw, app, null, zero, dir, gone, gone_ro, fin, fout, i;

	if (argc < 2) {
		fprintf(stderr, "usage: cr_files DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/cr_files.data", argv[1]);
	for (i = 0; i < SIZE; i++)
		buf[i] = (char)(i * 7 + 3);
	rw = open(path, O_RDWR | O_CREAT | O_TRUNC, 0640);
	if (rw < 0 || write(rw, buf, SIZE) != SIZE) {
		perror(path);
		return 2;
	}
	lseek(rw, 1234, SEEK_SET);
	app = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	null = open("/dev/null", O_WRONLY);
	zero = open("/dev/zero", O_RDONLY);
	dir = open(argv[1], O_RDONLY | O_DIRECTORY);
	dup2(rw, 100);
	fstat(rw, &st_before);
	gone = open("/tmp/cr_files.deleted", O_RDWR | O_CREAT | O_TRUNC, 0600);
	gone2 = open("/tmp/cr_files.deleted", O_RDONLY);
	if (gone < 0 || gone2 < 0 || write(gone, buf, 5000) != 5000)
		return 2;
	unlink("/tmp/cr_files.deleted");
	i = open("/tmp/cr_files.ro", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (i < 0 || write(i, "read only", 9) != 9)
		return 2;
	close(i);
	gone_ro = open("/tmp/cr_files.ro", O_RDONLY);
	unlink("/tmp/cr_files.ro");
	lseek(gone, 17, SEEK_SET);
	snprintf(fifo, sizeof(fifo), "/tmp/cr_files.fifo");
	unlink(fifo);
	if (mkfifo(fifo, 0600) < 0) {
		perror(fifo);
		return 2;
	}
	fin = open(fifo, O_RDONLY | O_NONBLOCK);
	fout = open(fifo, O_WRONLY);
	if (fin < 0 || fout < 0 || write(fout, "fifo bytes", 10) != 10)
		return 2;
	if (app < 0 || null < 0 || zero < 0 || dir < 0) {
		perror("open");
		return 2;
	}

	snprintf(flocked, sizeof(flocked), "%s/cr_files.flock", argv[1]);
	locked = open(flocked, O_RDWR | O_CREAT, 0640);
	if (lock(rw, F_SETLK, F_WRLCK, 10, 10) ||
	    lock(rw, F_OFD_SETLK, F_RDLCK, 100, 100) ||
	    flock(locked, LOCK_EX | LOCK_NB)) {
		perror("lock");
		return 2;
	}

	n_fds_was = fd_table(fds_was, MAXFDS);

	cr_ready_and_wait();
	check_fd_table(fds_was, n_fds_was);
	check_locks(path, flocked);

	cr_check(lseek(rw, 0, SEEK_CUR) == 1234, "offset of the file");
	cr_check(read(rw, got, 100) == 100 && !memcmp(got, buf + 1234, 100),
		 "content at the offset");
	cr_check((fcntl(rw, F_GETFL) & O_ACCMODE) == O_RDWR, "O_RDWR kept");
	cr_check(fcntl(rw, F_GETFD) == 0, "no FD_CLOEXEC on the first fd");
	cr_check(fcntl(app, F_GETFL) & O_APPEND, "O_APPEND kept");
	cr_check(fcntl(app, F_GETFD) & FD_CLOEXEC, "FD_CLOEXEC kept");
	cr_check(write(app, "tail", 4) == 4 && fstat(rw, &st) == 0 &&
		 st.st_size == SIZE + 4, "append goes to the end");
	cr_check(st.st_ino == st_before.st_ino, "same file");
	cr_check(fstat(100, &st) == 0 && st.st_ino == st_before.st_ino,
		 "fd 100 is the file");
	cr_check(lseek(100, 0, SEEK_CUR) == 1334, "fd 100 shares the offset");
	cr_check(write(null, "x", 1) == 1, "/dev/null writes");
	memset(got, 1, sizeof(got));
	cr_check(read(zero, got, 100) == 100 && got[0] == 0 && got[99] == 0,
		 "/dev/zero reads zeros");
	cr_check(fstat(dir, &st) == 0 && S_ISDIR(st.st_mode), "directory fd");
	cr_check(fstat(gone, &st) == 0 && st.st_nlink == 0 && st.st_size == 5000,
		 "deleted file still deleted, same size");
	cr_check(lseek(gone, 0, SEEK_CUR) == 17, "deleted file offset");
	cr_check(pread(gone, got, 100, 4000) == 100 && !memcmp(got, buf + 4000, 100),
		 "deleted file content");
	/* Its second open is of the same file: it sees what the first writes. */
	memset(got, 0, sizeof(got));
	cr_check(fstat(gone2, &st_gone2) == 0 && fstat(gone, &st) == 0 &&
		 st.st_ino == st_gone2.st_ino && pwrite(gone, "shared", 6, 10) == 6 &&
		 pread(gone2, got, 6, 10) == 6 && !memcmp(got, "shared", 6) &&
		 (fcntl(gone2, F_GETFL) & O_ACCMODE) == O_RDONLY,
		 "two opens of one deleted file share it");
	memset(got, 0, sizeof(got));
	cr_check((fcntl(gone_ro, F_GETFL) & O_ACCMODE) == O_RDONLY &&
		 write(gone_ro, "x", 1) < 0 && pread(gone_ro, got, 20, 0) == 9 &&
		 !strcmp(got, "read only"), "read-only deleted file '%s'", got);
	memset(got, 0, sizeof(got));
	cr_check(read(fin, got, sizeof(got)) == 10 && !strcmp(got, "fifo bytes"),
		 "FIFO bytes '%s'", got);
	cr_check(read(fin, got, 1) < 0 && errno == EAGAIN,
		 "FIFO reader O_NONBLOCK, nothing more");
	cr_check(!(fcntl(fout, F_GETFL) & O_NONBLOCK) &&
		 (fcntl(fout, F_GETFL) & O_ACCMODE) == O_WRONLY,
		 "FIFO writer blocking, write-only");
	cr_check(write(fout, "more", 4) == 4 && read(fin, got, 4) == 4,
		 "FIFO carries on");
	close(fout);
	cr_check(read(fin, got, 1) == 0, "FIFO EOF: no other writer");
	unlink(fifo);
	return cr_done();
}
