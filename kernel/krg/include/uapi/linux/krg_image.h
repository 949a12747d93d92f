/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * krg checkpoint image, version 4 (see Documentation/image-format.md).
 *
 * An image is a directory:
 *
 *   tree.krg         KRG_SEC_IMAGE, then one KRG_SEC_TREE_TASK per task
 *                    (parents before children, the root first), then
 *                    KRG_SEC_END. Written last: an image without it is
 *                    incomplete.
 *   task-<PID>.krg   one task's ghost (none for a zombie), the task parts in the order of
 *                    ghost_parts[] (kernel/krg/ghost/task.c), then
 *                    KRG_SEC_END. A thread other than the leader has only
 *                    its own parts: TASK, CREDS, SIGPENDING, SYSCALL,
 *                    REGS, FPU.
 *
 * Both files are sequences of ghost sections (<krg/ghost.h>): a 16-byte
 * header (magic "KGSE", type, flags, length, checksum of the payload) and
 * the payload. All numbers are little endian, structures are packed and
 * x86_64 only for now. Unknown section types are refused: a new kind of
 * data means a new image version.
 */
#ifndef _UAPI_LINUX_KRG_IMAGE_H
#define _UAPI_LINUX_KRG_IMAGE_H

#include <linux/types.h>

#define KRG_IMAGE_MAGIC		0x474d49474b52ULL	/* "KRGIMG" */
#define KRG_IMAGE_VERSION	6
#define KRG_IMAGE_MAX_TASKS	1024
#define KRG_IMAGE_TREE		"tree.krg"
#define KRG_IMAGE_TASK_FMT	"task-%d.krg"

enum krg_section {
	KRG_SEC_END = 1,	/* empty: the file ends here */
	KRG_SEC_IMAGE,		/* struct krg_img_header */
	KRG_SEC_TREE_TASK,	/* struct krg_img_tree_task */
	KRG_SEC_TASK,		/* struct krg_img_task */
	KRG_SEC_CREDS,		/* struct krg_img_creds */
	KRG_SEC_FS,		/* struct krg_img_fs, then the cwd and root */
	KRG_SEC_LIMITS,		/* struct krg_img_limits */
	KRG_SEC_SIGNALS,	/* struct krg_img_signals */
	KRG_SEC_MM,		/* struct krg_img_mm, then the exe path */
	KRG_SEC_VMA,		/* struct krg_img_vma, then the file path (a
				 * memfd's: its name, "memfd:NAME") */
	KRG_SEC_PAGES,		/* struct krg_img_pages, checksums, pages */
	KRG_SEC_FILE,		/* struct krg_img_file, then the path (as
				 * KRG_SEC_VMA's) */
	KRG_SEC_REGS,		/* struct krg_img_regs */
	KRG_SEC_FPU,		/* struct krg_img_fpu, then the state */
	KRG_SEC_PIPE_DATA,	/* struct krg_img_pipe_data, then the bytes */
	KRG_SEC_FILE_STATE,	/* the state of an eventfd, timerfd... */
	KRG_SEC_SIGPENDING,	/* struct krg_img_sigpending[] */
	KRG_SEC_FILE_DATA,	/* struct krg_img_file_data, then the bytes */
	KRG_SEC_ITIMERS,	/* struct krg_img_itimers */
	KRG_SEC_POSIX_TIMERS,	/* struct krg_img_posix_timer[] */
	KRG_SEC_UNIX_PAIR,	/* struct krg_img_unix_pair, lengths, bytes */
	KRG_SEC_SYSCALL,	/* struct krg_img_syscall */
	KRG_SEC_LOCKS,		/* struct krg_img_lock[] */
	KRG_SEC_SCHED,		/* struct krg_img_sched */
	KRG_SEC_SECCOMP,	/* struct krg_img_seccomp */
	KRG_SEC_SECCOMP_FILTER,	/* struct krg_img_seccomp_filter, then len insns */
	KRG_SEC_NR
};

#define KRG_IMG_RELEASE_LEN	65
#define KRG_IMG_COMM_LEN	16

struct krg_img_header {
	__u64 magic;		/* KRG_IMAGE_MAGIC */
	__u32 version;		/* KRG_IMAGE_VERSION */
	__u32 ntasks;
	__u32 node;		/* where it was taken */
	__u32 arch;		/* KRG_IMG_ARCH_X86_64 */
	__u64 time_ns;		/* CLOCK_REALTIME at the checkpoint */
	char release[KRG_IMG_RELEASE_LEN];	/* uname -r, informative */
} __attribute__((packed));

#define KRG_IMG_ARCH_X86_64	62	/* EM_X86_64 */

struct krg_img_tree_task {
	__s32 pid;		/* cluster PIDs, all of them; TIDs for threads */
	__s32 tgid;		/* its process: threads follow their leader */
	__s32 ppid;		/* the parent; outside the tree for the root */
	__s32 pgid;
	__s32 sid;
	__s32 exit_signal;
	__u32 flags;		/* KRG_IMG_TREE_* */
	__s32 exit_code;	/* a zombie's, as wait() reports it */
} __attribute__((packed));

/* A process that exited and waits for its parent to reap it: no file. */
#define KRG_IMG_TREE_ZOMBIE		1
/* A process that shares its parent's fd table (clone(CLONE_FILES)). */
#define KRG_IMG_TREE_SHARES_FILES	2

struct krg_img_task {
	__s32 pid;
	__u32 personality;
	char comm[KRG_IMG_COMM_LEN];
	__u64 clear_child_tid;
	__u64 robust_list;
	__u64 robust_list_len;
	__u64 sas_ss_sp;
	__u64 sas_ss_size;
	__u32 sas_ss_flags;
	__u32 krg_cap[4];	/* effective, permitted, inh. effective, inh. permitted */
	__u64 blocked;		/* signal mask (per thread) */
	__u64 rseq;		/* the rseq() area registered, or 0 */
	__u32 rseq_len;
	__u32 rseq_sig;
	__u32 flags;		/* KRG_IMG_TASK_* */
	__u64 saved_blocked;	/* with KRG_IMG_TASK_RESTORE_SIGMASK */
	__s32 pdeath_signal;	/* prctl(PR_SET_PDEATHSIG), 0: none */
	/* Of its process, in the leader's section: */
	__s32 oom_score_adj;	/* -1000..1000 */
	__u32 proc_flags;	/* KRG_IMG_PROC_* */
	__u32 ha_app;		/* its HA application (krg/ha.h), 0: none */
} __attribute__((packed));

/* prctl(PR_SET_CHILD_SUBREAPER), and whether an ancestor did it. */
#define KRG_IMG_PROC_CHILD_SUBREAPER	1
#define KRG_IMG_PROC_HAS_SUBREAPER	2

/* A thread's scheduling: nice value, policy and real-time priority. */
struct krg_img_sched {
	__s32 nice;		/* -20..19 */
	__u32 policy;		/* SCHED_OTHER, _FIFO, _RR, _BATCH, _IDLE */
	__u32 rt_priority;	/* 1..99 for _FIFO and _RR, else 0 */
	__u32 reset_on_fork;	/* SCHED_RESET_ON_FORK */
} __attribute__((packed));

/*
 * A thread's seccomp mode, then, in filter mode, a SECCOMP_FILTER section
 * per filter, the oldest first: each is a classic BPF program (struct
 * sock_filter, 8 bytes each).
 */
struct krg_img_seccomp {
	__u32 mode;		/* SECCOMP_MODE_DISABLED, _STRICT, _FILTER */
	__u32 nfilters;		/* 1..KRG_IMG_MAX_SECCOMP_FILTERS in _FILTER */
} __attribute__((packed));

struct krg_img_seccomp_filter {
	__u32 flags;		/* SECCOMP_FILTER_FLAG_LOG, or 0 */
	__u32 len;		/* instructions: 1..4096 (BPF_MAXINSNS) */
} __attribute__((packed));

#define KRG_IMG_MAX_SECCOMP_FILTERS	1024

#define KRG_IMG_TASK_STOPPED	1	/* its process was stopped (SIGSTOP) */
/*
 * In sigsuspend(), ppoll(), pselect(), epoll_pwait(): blocked is the mask
 * of the call, saved_blocked the thread's own, which comes back when the
 * call ends (or around a handler), as the kernel does.
 */
#define KRG_IMG_TASK_RESTORE_SIGMASK	2
/* Its memory was not dumpable (prctl, or a setuid exec): nor is it after. */
#define KRG_IMG_TASK_UNDUMPABLE	4

struct krg_img_creds {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_inheritable, cap_permitted, cap_effective, cap_bset,
	      cap_ambient;
	__u32 securebits;
	__u32 ngroups;		/* at most KRG_IMG_MAX_GROUPS */
	__u32 groups[];
} __attribute__((packed));

#define KRG_IMG_MAX_GROUPS	1024

struct krg_img_fs {
	__u32 umask;
	__u32 cwd_len;		/* bytes of cwd, then root_len bytes of root */
	__u32 root_len;
} __attribute__((packed));

#define KRG_IMG_NLIMITS		16	/* RLIM_NLIMITS of x86_64 */

struct krg_img_limits {
	struct {
		__u64 cur, max;
	} rlim[KRG_IMG_NLIMITS];
} __attribute__((packed));

#define KRG_IMG_NSIG		64

struct krg_img_sigaction {
	__u64 handler;
	__u64 flags;
	__u64 restorer;
	__u64 mask;
} __attribute__((packed));

struct krg_img_signals {
	struct krg_img_sigaction action[KRG_IMG_NSIG];
} __attribute__((packed));

/* ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF: time left and period. */
struct krg_img_itimers {
	struct {
		__u64 value_ns, interval_ns;
	} timer[3];
} __attribute__((packed));

/* A timer_create() timer: its id, how it notifies, time left and period. */
struct krg_img_posix_timer {
	__s32 id;
	__s32 clock;		/* CLOCK_* */
	__s32 notify;		/* SIGEV_*, SIGEV_THREAD_ID with its thread */
	__s32 signo;
	__s32 tid;
	__s32 overrun;		/* timer_getoverrun() */
	__u64 value;		/* sigev_value */
	__u64 value_ns, interval_ns;
} __attribute__((packed));

/* A file lock of the process, and an fd that reaches its file. */
enum krg_img_lock_kind {
	KRG_LOCK_FLOCK = 1,	/* flock(): the whole file */
	KRG_LOCK_POSIX,		/* fcntl(F_SETLK), lockf() */
	KRG_LOCK_OFD,		/* fcntl(F_OFD_SETLK) */
};

struct krg_img_lock {
	__u32 fd;
	__u32 kind;
	__u32 write;		/* 1: exclusive (write) lock, 0: shared */
	__u32 pad;
	__s64 start, end;	/* bytes, end included; flock: 0, OFFSET_MAX */
} __attribute__((packed));

/*
 * The system call a thread was interrupted in, when it goes on with the
 * time it had left (a restart block) rather than from the start.
 */
enum krg_img_syscall_kind {
	KRG_SYSCALL_NONE,	/* none, or made again from the start */
	KRG_SYSCALL_NANOSLEEP,	/* nanosleep(), relative clock_nanosleep() */
	KRG_SYSCALL_POLL,	/* poll() */
	KRG_SYSCALL_FUTEX,	/* a futex wait with a timeout */
};

struct krg_img_syscall {
	__u32 kind;
	__s32 clock;		/* CLOCK_* of the timeout */
	__s64 time_ns;		/* time left; CLOCK_REALTIME: the deadline */
	__u32 timeout;		/* 0: poll() without a timeout */
	__u32 nfds;		/* poll() */
	__u64 addr;		/* nanosleep()'s rmtp, poll()'s fds, futex */
	__u32 val, bitset, flags;	/* futex: as futex_wait() has them */
	__u32 pad;
} __attribute__((packed));

/* A pending signal: of the thread, or of the whole process (shared). */
struct krg_img_sigpending {
	__u32 sig;
	__u32 shared;
	__u8 info[48];		/* the kernel's siginfo, as queued */
} __attribute__((packed));

struct krg_img_mm {
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack;
	__u64 arg_start, arg_end, env_start, env_end;
	__u64 vdso;		/* vDSO text, 0 if none */
	__u64 auxv[64];		/* mm->saved_auxv, zero padded */
	__u32 nvmas;
	__u32 exe_len;		/* bytes of exe path that follow */
} __attribute__((packed));

enum krg_img_vma_kind {
	KRG_VMA_ANON = 1,	/* private anonymous (heap, stack, ...) */
	KRG_VMA_SHARED_ANON,	/* MAP_SHARED|MAP_ANONYMOUS: content saved */
	KRG_VMA_FILE_PRIVATE,	/* file mapped private: its dirty pages saved */
	KRG_VMA_FILE_SHARED,	/* file mapped shared: the file holds it */
	KRG_VMA_VDSO,		/* vvar + vDSO, remapped at the same place */
};

struct krg_img_vma {
	__u64 start, end;
	__u64 pgoff;		/* in pages */
	__u64 vm_flags;		/* VM_* as the kernel had them */
	__u32 kind;
	__u32 path_len;
	__u32 obj;		/* KRG_VMA_SHARED_ANON: the shared object */
	__u64 obj_size;		/* and its size in bytes */
} __attribute__((packed));

/*
 * A run of pages of the VMA just before, at most KRG_IMG_MAX_RUN: this
 * header, the checksum of each page (__le32, as a section's), @pad bytes
 * (zero, ignored) that put the first page at a multiple of 4096 bytes
 * from the start of the file, then the pages. The section's checksum
 * covers the header and the page checksums only: each page is checked
 * on its own, when it is loaded (restart may leave pages in the image
 * until they are first touched).
 * A shared object's pages come once, with the first task that maps it.
 */
struct krg_img_pages {
	__u64 addr;
	__u32 npages;
	__u32 pad;
} __attribute__((packed));

#define KRG_IMG_MAX_RUN		4096	/* 16 MiB */

enum krg_img_file_kind {
	KRG_FILE_PATH = 1,	/* reopened by path: regular file, /dev/null... */
	KRG_FILE_SUBSTITUTE,	/* unsupported, replaced by /dev/null */
	KRG_FILE_PIPE,		/* an end of a pipe whose ends are all in the tree */
	KRG_FILE_EVENTFD,	/* these four: a FILE_STATE section follows */
	KRG_FILE_TIMERFD,
	KRG_FILE_SIGNALFD,
	KRG_FILE_EPOLL,
	KRG_FILE_DELETED,	/* a regular file deleted while open, or a
				 * memfd: FILE_DATA */
	KRG_FILE_UNIX,		/* an end of a unix socket pair in the tree,
				 * FILE_STATE follows */
	KRG_FILE_FIFO,		/* a FIFO whose opens are all in the tree */
	KRG_FILE_INOTIFY,	/* an inotify instance: FILE_STATE follows */
};

/*
 * An open fd. Every open file is an object of the image (obj): fds that
 * shared a file (dup(), fork()) share it again after restart.
 */
struct krg_img_file {
	__u32 fd;
	__u32 kind;
	__u32 flags;		/* O_* of the open file */
	__u32 cloexec;
	__s64 pos;
	__u32 obj;		/* the open file */
	__u32 shared;		/* KRG_FILE_PIPE, _FIFO, _UNIX, _DELETED: what
				 * its opens share, an object too: the pipe,
				 * the pair or the deleted file; else 0 */
	__u32 path_len;
	/* Who gets its SIGIO (F_SETOWN, F_SETOWN_EX, F_SETSIG; O_ASYNC): */
	__s32 owner;		/* a cluster PID or group, 0: none */
	__u32 owner_type;	/* F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP */
	__s32 signum;		/* 0: SIGIO */
	/* KRG_FILE_DELETED: the file's mode, owner and size, else 0. */
	__u32 mode;
	__u32 uid, gid;
	__s64 size;
	__u32 seals;		/* a memfd's F_GET_SEALS, else 0 */
} __attribute__((packed));

/*
 * Content of a file deleted while open, in pieces of at most 1 MiB, after
 * the first fd of it in the tree.
 */
struct krg_img_file_data {
	__u32 obj;
	__u32 pad;
	__u64 offset;
} __attribute__((packed));

/* What a pipe holds; after the first fd of the pipe in the tree. */
struct krg_img_pipe_data {
	__u32 pipe;
	__u32 size;		/* its capacity in bytes */
} __attribute__((packed));

/*
 * A unix socket pair (socketpair()) whose two ends are in the tree: after
 * the first fd of it (and its FILE_STATE). Then the length of each message
 * queued to end 0, then to end 1, then their bytes in the same order. A
 * message is what one send() queued: stream sockets keep boundaries too.
 */
struct krg_img_unix_end {
	__u32 shutdown;		/* RCV_SHUTDOWN 1 | SEND_SHUTDOWN 2 */
	__u32 passcred;		/* SO_PASSCRED */
	__u32 sndbuf, rcvbuf;	/* set by SO_SNDBUF, SO_RCVBUF; else 0 */
	__u32 nmsg;		/* messages queued to it, to be read */
	__u32 bytes;		/* in them */
	/* SO_PEERCRED: the process that made the pair, a PID of the tree */
	__s32 peer_pid;
	__u32 peer_uid, peer_gid;
} __attribute__((packed));

struct krg_img_unix_pair {
	__u32 pair;
	__u32 type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	struct krg_img_unix_end end[2];
} __attribute__((packed));

/* FILE_STATE of a KRG_FILE_UNIX fd: which end of which kind of pair. */
struct krg_img_unix_file {
	__u32 type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	__u32 end;		/* 0 or 1 */
} __attribute__((packed));

/* FILE_STATE of each kind: it follows every fd of such a file. */
struct krg_img_eventfd {
	__u64 count;
	__u32 semaphore;
} __attribute__((packed));

struct krg_img_timerfd {
	__s32 clockid;
	__u32 pad;
	__u64 ticks;		/* expirations not read yet */
	__u64 value_ns;		/* time to the next expiration, 0: disarmed */
	__u64 interval_ns;
} __attribute__((packed));

struct krg_img_signalfd {
	__u64 mask;
} __attribute__((packed));

/*
 * An inotify instance: where its next watch descriptor is sought, then
 * each watch, by the path of the watched file or directory.
 */
struct krg_img_inotify {
	__s32 cursor;
	__u32 nwatches;		/* at most 8192, in at most 1 MiB */
} __attribute__((packed));

struct krg_img_inotify_watch {
	__s32 wd;		/* its watch descriptor, > 0 */
	__u32 mask;		/* IN_* events and IN_ONESHOT, IN_EXCL_UNLINK */
	__u32 path_len;		/* then the absolute path, no NUL */
} __attribute__((packed));

/*
 * An epoll instance: its watches, as many as fit the section. A watch is
 * of an open file (obj), added through fd, which may be closed since: the
 * file is watched through another fd of it (after a dup()).
 */
struct krg_img_epoll_watch {
	__s32 fd;		/* in the process that restores the epoll fd */
	__u32 events;
	__u64 data;
	__u32 obj;		/* the watched open file */
	__u32 pad;
} __attribute__((packed));

/*
 * A thread's registers as its last system call left them: in a call that
 * a signal interrupted, ax is the call's -ERESTART* code and orig_ax its
 * number (else -1); the way back to user space restarts it, or not, as
 * after any signal.
 */
struct krg_img_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	__u64 ax, cx, dx, si, di, ip, flags, sp;
	__u64 fs_base, gs_base;
	__s64 orig_ax;
} __attribute__((packed));

struct krg_img_fpu {
	__u32 format;		/* 1: FXSAVE area, 2: XSAVE standard format */
	__u32 size;		/* bytes of state that follow */
} __attribute__((packed));

#endif /* _UAPI_LINUX_KRG_IMAGE_H */
