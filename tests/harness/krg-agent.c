// SPDX-License-Identifier: GPL-2.0
/*
 * krg-agent: PID 1 of a test node. Runs the commands the harness sends over
 * the virtio-serial port "krg.agent" and returns their exit status, stdout
 * and stderr; reaps every orphan meanwhile.
 *
 * Wire format (little endian u32 fields), one request at a time:
 *   request: "KRGQ" timeout_s argc { len bytes }*argc stdin_len stdin
 *   reply:   "KRGA" status out_len out err_len err
 * status is the exit code, 128+N for death by signal N, 124 on timeout,
 * 127 when the command cannot be run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 256
#define MAX_FIELD (64u << 20)

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->data = realloc(b->data, b->cap);
		if (!b->data)
			abort();
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static int read_full(int fd, void *p, size_t n)
{
	char *c = p;

	while (n) {
		ssize_t r = read(fd, c, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= r;
	}
	return 0;
}

static int write_full(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t r = write(fd, c, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= r;
	}
	return 0;
}

static int read_u32(int fd, uint32_t *v)
{
	return read_full(fd, v, 4);
}

static char *read_field(int fd, uint32_t *len)
{
	char *s;

	if (read_u32(fd, len) || *len > MAX_FIELD)
		return NULL;
	s = malloc(*len + 1);
	if (!s || read_full(fd, s, *len)) {
		free(s);
		return NULL;
	}
	s[*len] = 0;
	return s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reap orphans; return the status of child if it exited. */
static int reap(pid_t child, int *status)
{
	int st, found = 0;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == child) {
			*status = st;
			found = 1;
		}
	}
	return found;
}

static int run(char **argv, uint32_t timeout, const char *in, uint32_t in_len,
	       struct buf *out, struct buf *err)
{
	int po[2], pe[2], pi[2], st = 0, done = 0, open_fds = 2;
	double deadline = now() + timeout;
	struct pollfd fds[2];
	char chunk[65536];
	pid_t pid;

	if (pipe(po) || pipe(pe) || pipe(pi))
		return 127;
	pid = fork();
	if (pid == 0) {
		setsid();
		dup2(pi[0], 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		for (int fd = 3; fd < 64; fd++)
			close(fd);
		execvp(argv[0], argv);
		fprintf(stderr, "krg-agent: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	close(pi[0]);
	if (in_len)
		write_full(pi[1], in, in_len); /* small inputs only */
	close(pi[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		return 127;
	}
	fds[0] = (struct pollfd){ .fd = po[0], .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = pe[0], .events = POLLIN };
	while (open_fds || !done) {
		int left = (int)((deadline - now()) * 1000);

		if (timeout && left <= 0) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			close(po[0]);
			close(pe[0]);
			buf_add(err, "krg-agent: timeout\n", 19);
			return 124;
		}
		if (!done)
			done = reap(pid, &st);
		if (poll(fds, 2, open_fds ? 200 : 50) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			ssize_t r;

			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			r = read(fds[i].fd, chunk, sizeof(chunk));
			if (r > 0) {
				buf_add(i ? err : out, chunk, r);
			} else if (r == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static int serve(int fd)
{
	uint32_t magic, timeout, argc, len, in_len, status;
	char *argv[MAX_ARGS + 1] = { 0 };
	struct buf out = { 0 }, err = { 0 };
	char *in;
	int ret = -1;

	if (read_full(fd, &magic, 4) || memcmp(&magic, "KRGQ", 4) ||
	    read_u32(fd, &timeout) || read_u32(fd, &argc) || !argc ||
	    argc > MAX_ARGS)
		return -1;
	for (uint32_t i = 0; i < argc; i++)
		if (!(argv[i] = read_field(fd, &len)))
			goto out;
	in = read_field(fd, &in_len);
	if (!in)
		goto out;
	status = run(argv, timeout, in, in_len, &out, &err);
	free(in);
	write_full(fd, "KRGA", 4);
	write_full(fd, &status, 4);
	len = out.len;
	write_full(fd, &len, 4);
	write_full(fd, out.data, out.len);
	len = err.len;
	write_full(fd, &len, 4);
	write_full(fd, err.data, err.len);
	ret = 0;
out:
	for (uint32_t i = 0; i < argc && i < MAX_ARGS; i++)
		free(argv[i]);
	free(out.data);
	free(err.data);
	return ret;
}

/* Find /dev/vportNpM whose name is krg.agent. */
static int open_port(void)
{
	char path[512], name[64];
	struct dirent *d;
	DIR *dir = opendir("/sys/class/virtio-ports");
	int fd = -1;

	if (!dir)
		return -1;
	while (fd < 0 && (d = readdir(dir))) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name",
			 d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) &&
		    !strncmp(name, "krg.agent", 9)) {
			snprintf(path, sizeof(path), "/dev/%s", d->d_name);
			fd = open(path, O_RDWR);
		}
		fclose(f);
	}
	closedir(dir);
	return fd;
}

int main(void)
{
	int fd = -1, st;

	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 100 && fd < 0; i++) {
		fd = open_port();
		if (fd < 0)
			usleep(100000);
	}
	if (fd < 0) {
		fprintf(stderr, "krg-agent: no krg.agent port, only reaping\n");
		for (;;)
			if (wait(&st) < 0)
				pause();
	}
	printf("krg-agent: ready\n");
	fflush(stdout);
	for (;;) {
		int dummy;

		reap(-2, &dummy);
		/*
		 * No host connected reads as EOF. Never close the port to
		 * wait for one: closing discards a request that a new host
		 * connection may already have queued.
		 */
		if (serve(fd))
			usleep(20000);
	}
}
