/*
 * cr_fuzz [-n NODE] [-w DIR] IMAGE N SEED: restart N mutated copies of a
 * valid image. Each copy gets one mutation, in a section picked in
 * proportion to its size: a flipped bit, a field set to an edge value with
 * the checksum fixed (so that the kernel's checks behind the checksum are
 * reached), a truncation, a bad section length or type, a section dropped,
 * doubled or moved.
 *
 * restart must refuse (exit 1, with "restart failed: REASON (ERRNO)" and an
 * errno an image can cause) or restart (exit 0): anything else, or no
 * answer within TIMEOUT seconds, is an error. A restarted tree runs for a
 * moment (corrupted registers, FPU state and signal frames meet the return
 * to user space), then is killed. Every other run restarts --eager; in the
 * others memory stays in the image, and the fuzzer reads the tree's memory
 * (/proc/PID/mem) to load it before the kill.
 *
 * -n NODE restarts every eighth copy on node NODE (restart --node), from
 * DIR (-w), which both nodes must see (/krg/shared); a loop there kills
 * what comes back (the test runs one). Copies go to /tmp/cr_fuzz.img
 * otherwise. Run inside the cluster PID namespace.
 */
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/krg_image.h>

#define MAXFILES	64
#define HDR		16	/* a ghost section's header */
#define TIMEOUT		60	/* seconds a restart may take */
#define RUN_US		20000	/* how long a restarted tree runs */

static const char *work = "/tmp/cr_fuzz.img", *shared_work;
static int node;

/* What an image may make restart refuse with: anything else is a bug. */
static const char *const refusals[] = {
	"Invalid argument", "Bad message", "Protocol error", "No data available",
	"Message too long", "Exec format error", "Protocol not supported",
	"Operation not permitted", "No such file or directory", "Permission denied",
	"Device or resource busy", "Bad file descriptor", "File exists",
	"Argument list too long", "Not a directory", "Is a directory",
	"Too many levels of symbolic links", "No such process", "Bad address",
	"Numerical result out of range", "Value too large for defined data type",
	"Too many open files", "Operation not supported", "No space left on device",
	"Resource temporarily unavailable", "Cannot allocate memory",
	"File name too long", "Text file busy", "No buffer space available",
};

struct file {
	char name[256];
	uint8_t *data;
	size_t len;
};

static struct file files[MAXFILES];
static int nfiles;
static pid_t tree_pids[1024];
static int ntree;

static const uint64_t P1 = 0x9E3779B185EBCA87ULL, P2 = 0xC2B2AE3D27D4EB4FULL,
		      P3 = 0x165667B19E3779F9ULL, P4 = 0x85EBCA77C2B2AE63ULL,
		      P5 = 0x27D4EB2F165667C5ULL;

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t lane(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	memcpy(&v, p, bytes);
	return v;
}

static uint64_t xround(uint64_t acc, uint64_t in)
{
	return rotl(acc + in * P2, 31) * P1;
}

/* A section's checksum: the low 32 bits of XXH64, seed 0. */
static uint32_t checksum(const uint8_t *p, size_t n)
{
	size_t i = 0;
	uint64_t h;

	if (n >= 32) {
		uint64_t v[4] = { P1 + P2, P2, 0, -P1 };

		for (; i + 32 <= n; i += 32)
			for (int k = 0; k < 4; k++)
				v[k] = xround(v[k], lane(p + i + 8 * k, 8));
		h = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18);
		for (int k = 0; k < 4; k++)
			h = (h ^ xround(0, v[k])) * P1 + P4;
	} else {
		h = P5;
	}
	h += n;
	for (; i + 8 <= n; i += 8)
		h = rotl(h ^ xround(0, lane(p + i, 8)), 27) * P1 + P4;
	if (i + 4 <= n) {
		h = rotl(h ^ lane(p + i, 4) * P1, 23) * P2 + P3;
		i += 4;
	}
	for (; i < n; i++)
		h = rotl(h ^ p[i] * P5, 11) * P1;
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	return (uint32_t)(h ^ (h >> 32));
}

static uint64_t rnd(void)
{
	return ((uint64_t)random() << 31) ^ (uint64_t)random();
}

static uint8_t *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	uint8_t *buf;

	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	buf = malloc(st.st_size + 1);
	*len = read(fd, buf, st.st_size);
	close(fd);
	return buf;
}

/* Offsets of the sections of a file, up to max. */
static int sections(const uint8_t *d, size_t len, size_t *off, int max)
{
	size_t o = 0;
	int n = 0;

	while (o + HDR <= len && n < max) {
		uint32_t l;

		memcpy(&l, d + o + 8, 4);
		off[n++] = o;
		if (l > len - o - HDR)
			break;
		o += HDR + l;
	}
	return n;
}

/* A PAGES section's checksum covers its header and page checksums only. */
static void fix_crc(uint8_t *d, size_t off)
{
	uint32_t l, crc, npages;
	uint16_t type;

	memcpy(&l, d + off + 8, 4);
	memcpy(&type, d + off + 4, 2);
	if (type == KRG_SEC_PAGES && l >= sizeof(struct krg_img_pages)) {
		memcpy(&npages, d + off + HDR +
		       offsetof(struct krg_img_pages, npages), 4);
		if (npages <= (l - sizeof(struct krg_img_pages)) / 4)
			l = sizeof(struct krg_img_pages) + 4 * npages;
	}
	crc = checksum(d + off + HDR, l);
	memcpy(d + off + 12, &crc, 4);
}

/* The section holding byte @at: sections are picked by their size. */
static int section_at(const size_t *off, int n, size_t at)
{
	int s = 0;

	while (s + 1 < n && off[s + 1] <= at)
		s++;
	return s;
}

/* One mutation of buf (a copy of len bytes, with room to double). */
static size_t mutate(uint8_t *d, size_t len, const char **what)
{
	static const uint64_t edges[] = {
		0, 1, 0x7f, 0xff, 0x7fffffff, 0x80000000, 0xffffffff,
		0x1000, 0x7ffffffff000ULL, 0xffffffffffffffffULL, 0x400000,
		0xfffffffffffff000ULL, 0x8000000000000000ULL,
	};
	size_t off[4096], a, b, la, lb;
	int n = sections(d, len, off, 4096), s, t;
	uint64_t v;
	uint32_t l;

	if (!len || !n) {
		*what = "empty";
		return len;
	}
	s = section_at(off, n, rnd() % len);
	memcpy(&l, d + off[s] + 8, 4);
	switch (random() % 9) {
	case 0:
		*what = "bit flip";
		d[off[s] + rnd() % (len - off[s] < HDR + l ? len - off[s] : HDR + l)] ^=
			1 << (random() % 8);
		return len;
	case 1:
	case 2:
	case 3:
		*what = "edge value, checksum fixed";
		if (l < 1)
			return len;
		v = edges[random() % (sizeof(edges) / sizeof(edges[0]))];
		t = 1 << (random() % 4);	/* 1, 2, 4 or 8 bytes */
		if ((uint32_t)t > l)
			t = 1;
		a = off[s] + HDR + rnd() % (l - t + 1);
		if (a + t > len)
			return len;
		memcpy(d + a, &v, t);
		fix_crc(d, off[s]);
		return len;
	case 4:
		*what = "truncated";
		return rnd() % len;
	case 5:
		*what = "bad length or type";
		if (random() % 2) {
			v = edges[random() % (sizeof(edges) / sizeof(edges[0]))];
			memcpy(d + off[s] + 8, &v, 4);
		} else {
			uint16_t ty = random() % 30;

			memcpy(d + off[s] + 4, &ty, 2);
		}
		return len;
	case 6:
		*what = "section dropped";
		a = off[s];
		la = HDR + l;
		if (a + la > len)
			return len;
		memmove(d + a, d + a + la, len - a - la);
		return len - la;
	case 7:
		*what = "section doubled";
		a = off[s];
		la = HDR + l;
		if (a + la > len)
			return len;
		memmove(d + a + la, d + a, len - a);
		return len + la;
	default:
		*what = "sections swapped";
		t = random() % n;
		if (t == s)
			return len;
		if (t < s) {
			int x = s;

			s = t;
			t = x;
		}
		a = off[s];
		b = off[t];
		memcpy(&l, d + a + 8, 4);
		la = HDR + l;
		memcpy(&l, d + b + 8, 4);
		lb = HDR + l;
		if (b + lb > len || a + la > b)
			return len;
		{
			uint8_t *tmp = malloc(b + lb - a);

			memcpy(tmp, d + b, lb);
			memcpy(tmp + lb, d + a + la, b - a - la);
			memcpy(tmp + lb + (b - a - la), d + a, la);
			memcpy(d + a, tmp, b + lb - a);
			free(tmp);
		}
		return len;
	}
}

static void write_file(const char *dir, const char *name, const uint8_t *d,
		       size_t len)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, d, len) != (ssize_t)len) {
		perror(path);
		exit(2);
	}
	close(fd);
}

/* A refusal says why, with an errno an image can cause. */
static int clean_refusal(const char *err)
{
	const char *open = strrchr(err, '(');
	size_t n;

	if (!strstr(err, "restart failed: ") || !open)
		return 0;
	n = strcspn(open + 1, ")");
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (strlen(refusals[i]) == n && !strncmp(open + 1, refusals[i], n))
			return open - strstr(err, "restart failed: ") > 20;
	return 0;
}

/*
 * restart the copy in @dir (on @on, 0: here): its exit status, or -1 if it
 * hung. Its error message goes to @err.
 */
static int run_restart(const char *dir, int on, int eager, char *err,
		       size_t errlen)
{
	char nodearg[16];
	const char *argv[8];
	int status, pipefd[2], argc = 0;
	ssize_t got = 0, r;
	pid_t p;

	argv[argc++] = "restart";
	if (eager)
		argv[argc++] = "--eager";
	if (on) {
		snprintf(nodearg, sizeof(nodearg), "%d", on);
		argv[argc++] = "--node";
		argv[argc++] = nodearg;
	}
	argv[argc++] = dir;
	argv[argc] = NULL;
	if (pipe(pipefd))
		return -1;
	p = fork();
	if (p == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		alarm(TIMEOUT);		/* a hang ends as SIGALRM */
		execvp("restart", (char **)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (got < (ssize_t)errlen - 1 &&
	       (r = read(pipefd[0], err + got, errlen - 1 - got)) > 0)
		got += r;
	err[got] = '\0';
	close(pipefd[0]);
	while (waitpid(p, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Read the private writable memory of each restarted process through
 * /proc/PID/mem: pages left in the image load now, mutated ones fail.
 */
static void touch_tree(void)
{
	static char buf[65536];
	char path[64], line[512];
	unsigned long a, b;
	char perms[8];

	for (int i = 0; i < ntree; i++) {
		snprintf(path, sizeof(path), "/proc/%d/maps", tree_pids[i]);
		FILE *maps = fopen(path, "r");

		snprintf(path, sizeof(path), "/proc/%d/mem", tree_pids[i]);
		int mem = open(path, O_RDONLY);

		while (maps && mem >= 0 && fgets(line, sizeof(line), maps))
			if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) == 3 &&
			    !strcmp(perms, "rw-p"))
				for (; a < b; a += sizeof(buf))
					if (pread(mem, buf, sizeof(buf), a) < 0)
						break;
		if (maps)
			fclose(maps);
		if (mem >= 0)
			close(mem);
	}
}

/* Kill whatever a successful restart made, and wait until it is gone. */
static void kill_tree(void)
{
	for (int i = 0; i < ntree; i++)
		kill(tree_pids[i], SIGKILL);
	for (int i = 0; i < ntree; i++)
		for (int t = 0; t < 5000 && kill(tree_pids[i], 0) == 0; t++)
			usleep(1000);
}

int main(int argc, char **argv)
{
	long n, runs = 0, refused = 0, restarted = 0, errors = 0, remote = 0;
	static char err[4096];
	struct dirent *e;
	DIR *dir;
	int opt;

	while ((opt = getopt(argc, argv, "n:w:")) != -1) {
		if (opt == 'n')
			node = atoi(optarg);
		else if (opt == 'w')
			shared_work = optarg;
		else
			return 2;
	}
	if (argc - optind != 3 || (node && !shared_work)) {
		fprintf(stderr, "usage: cr_fuzz [-n NODE -w DIR] IMAGE N SEED\n");
		return 2;
	}
	n = atol(argv[optind + 1]);
	srandom(atoi(argv[optind + 2]));
	dir = opendir(argv[optind]);
	while (dir && (e = readdir(dir)) && nfiles < MAXFILES) {
		char path[800];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[optind], e->d_name);
		snprintf(files[nfiles].name, sizeof(files[0].name), "%s", e->d_name);
		files[nfiles].data = slurp(path, &files[nfiles].len);
		if (files[nfiles].data)
			nfiles++;
	}
	if (!nfiles) {
		fprintf(stderr, "cr_fuzz: no image in %s\n", argv[optind]);
		return 2;
	}
	for (int i = 0; i < nfiles; i++) {
		size_t off[1100];
		int k;

		if (strcmp(files[i].name, "tree.krg"))
			continue;
		k = sections(files[i].data, files[i].len, off, 1100);
		for (int j = 0; j < k && ntree < 1024; j++) {
			uint16_t type;

			memcpy(&type, files[i].data + off[j] + 4, 2);
			if (type == KRG_SEC_TREE_TASK)
				memcpy(&tree_pids[ntree++], files[i].data + off[j] + HDR +
				       offsetof(struct krg_img_tree_task, pid), 4);
		}
	}
	mkdir(work, 0700);
	if (shared_work)
		mkdir(shared_work, 0700);
	for (long r = 0; r < n; r++) {
		int victim = random() % nfiles, rc, on = node && r % 8 == 7;
		const char *what = "", *to = on ? shared_work : work;

		for (int i = 0; i < nfiles; i++) {
			if (i != victim) {
				write_file(to, files[i].name, files[i].data, files[i].len);
				continue;
			}
			uint8_t *copy = malloc(2 * files[i].len + 1);
			size_t len;

			memcpy(copy, files[i].data, files[i].len);
			len = mutate(copy, files[i].len, &what);
			write_file(to, files[i].name, copy, len);
			free(copy);
		}
		rc = run_restart(to, on, r % 2, err, sizeof(err));
		runs++;
		remote += on;
		if (rc == 1 && clean_refusal(err)) {
			refused++;
		} else if (rc == 0) {
			restarted++;
			if (on) {	/* the loop on that node kills it */
				usleep(200000);
				continue;
			}
			usleep(RUN_US);		/* let it run into user space */
			if (!(r % 2))
				touch_tree();
			kill_tree();
		} else {
			errors++;
			printf("cr_fuzz: run %ld (%s of %s%s): restart %s %d: %s\n", r,
			       what, files[victim].name, on ? ", on another node" : "",
			       rc < 0 ? "hung" : "exited", rc, err);
		}
	}
	printf("fuzz: %ld runs, %ld refused, %ld restarted, %ld errors (%ld on another node)\n",
	       runs, refused, restarted, errors, remote);
	return errors ? 1 : 0;
}
