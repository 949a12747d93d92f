// SPDX-License-Identifier: GPL-2.0
/*
 * A task's ghost: its parts in order, each exported and imported by its
 * own file. To add a part: give it a section type (a new image version),
 * write its export and import in a file of its own, and add a line here.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sched.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

static const struct ghost_part ghost_parts[] = {
	{ "task", true, false, ghost_export_misc, ghost_import_misc },
	{ "credentials", true, false, ghost_export_creds, ghost_import_creds },
	{ "fs", false, false, ghost_export_fs, ghost_import_fs },
	{ "limits", false, false, ghost_export_limits, ghost_import_limits },
	{ "scheduling", true, false, ghost_export_sched, ghost_import_sched },
	{ "signals", false, false, ghost_export_signals, ghost_import_signals },
	{ "pending signals", true, false, ghost_export_sigpending,
	  ghost_import_sigpending },
	{ "timers", false, false, ghost_export_timers, ghost_import_timers },
	{ "memory", false, false, ghost_export_mm, ghost_import_mm },
	{ "files", false, true, ghost_export_files, ghost_import_files },
	{ "file locks", false, true, ghost_export_locks, ghost_import_locks },
	{ "interrupted call", true, false, ghost_export_syscall,
	  ghost_import_syscall },
	/* Last of what a thread does itself: it may forbid system calls. */
	{ "seccomp filters", true, false, ghost_export_seccomp,
	  ghost_import_seccomp },
	{ "registers", true, false, ghost_export_regs, ghost_import_regs },
	{ "fpu", true, false, ghost_export_fpu, ghost_import_fpu },
};

/* A thread has only its own parts; a CLONE_FILES child no fd table. */
static bool skipped(const struct ghost_part *p, bool thread, bool shares_files)
{
	return (thread && !p->per_thread) || (shares_files && p->fd_table);
}

/* The largest section: a run of pages, its checksums and padding. */
#define SECTION_MAX	(sizeof(struct krg_img_pages) + \
			 KRG_IMG_MAX_RUN * (sizeof(__le32) + PAGE_SIZE) + PAGE_SIZE)

static int vfail(char *msg, int err, bool pid, const char *fmt,
		 va_list args)
{
	int n = 0;

	err = ghost_user_errno(err);

	if (msg[0])		/* keep the first reason */
		return err;
	if (pid)
		n = scnprintf(msg, GHOST_MSG_LEN, "pid %d: ",
			      task_pid_vnr(current));
	vscnprintf(msg + n, GHOST_MSG_LEN - n, fmt, args);
	pr_warn("%s (%pe)\n", msg, ERR_PTR(err));
	return err;
}

int ghost_fail(char *msg, int err, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	err = vfail(msg, err, true, fmt, args);
	va_end(args);
	return err;
}

int krg_cr_fail(char *msg, int err, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	err = vfail(msg, err, false, fmt, args);
	va_end(args);
	return err;
}

/* A NUL-terminated copy of the absolute path of @len bytes at @s, or NULL. */
char *ghost_path_dup(const char *s, u32 len)
{
	if (!len || len >= PATH_MAX || memchr(s, '\0', len) || s[0] != '/')
		return NULL;
	return kmemdup_nul(s, len, GFP_KERNEL);
}

/* Export current to x->g. Return: 0 or -errno, with x->msg set. */
int ghost_export_task(struct ghost_export *x)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ghost_parts); i++) {
		if (skipped(&ghost_parts[i], x->thread, x->shares_files))
			continue;
		err = ghost_parts[i].export(x);
		if (!err)
			err = x->g->err;
		if (err)
			return ghost_fail(x->msg, err, "cannot save its %s",
					  ghost_parts[i].name);
	}
	ghost_section_write(x->g, KRG_SEC_END, NULL, 0);
	err = ghost_file_sync(x->g);
	return err ? ghost_fail(x->msg, err, "cannot write its image") : 0;
}

/* The next section's type; its header is read ahead and checked. */
int ghost_import_peek(struct ghost_import *m, u16 *type)
{
	if (!m->have) {
		int err = ghost_section_head(m->g, &m->hdr);

		if (err)
			return err;
		m->have = true;
	}
	*type = le16_to_cpu(m->hdr.type);
	return 0;
}

/* The next section must be of @type and @min..@max bytes long. */
static int expect(struct ghost_import *m, u16 type, u32 min, u32 max)
{
	u16 t;
	int err = ghost_import_peek(m, &t);
	u32 len = le32_to_cpu(m->hdr.len);

	if (err)
		return err;
	if (len > SECTION_MAX)
		return m->g->err = -EMSGSIZE;
	if (t != type)
		return ghost_fail(m->msg, -EPROTO,
				  "section type %u where %u belongs", t, type);
	if (len < min || len > max)
		return ghost_fail(m->msg, -EINVAL,
				  "section %u is %u bytes long", t, len);
	m->have = false;
	return 0;
}

/*
 * Consume the next section, which must be of @type and @min..@max bytes:
 * -EPROTO for another type (unknown or out of order), -EINVAL for a wrong
 * length, -EBADMSG for a wrong checksum. Its payload stays in m->data
 * until the next section is taken.
 */
int ghost_import_take(struct ghost_import *m, u16 type, u32 min, u32 max)
{
	int err = expect(m, type, min, max);

	if (err)
		return err;
	kvfree(m->data);
	err = ghost_section_body(m->g, &m->hdr, &m->data);
	m->len = err ? 0 : le32_to_cpu(m->hdr.len);
	return err;
}

/*
 * Consume the next section, an array of at most @max elements of @size
 * bytes (none: empty); *@n gets their count.
 */
int ghost_import_take_array(struct ghost_import *m, u16 type, u32 size,
			    u32 max, u32 *n)
{
	int err = ghost_import_take(m, type, 0, max * size);

	if (err)
		return err;
	if (m->len % size)
		return ghost_fail(m->msg, -EINVAL, "section %u is %u bytes long",
				  type, m->len);
	*n = m->len / size;
	return 0;
}

/*
 * Consume the first @head_len bytes of the next section (of @type, with
 * at most @max_rest more): the caller reads the @rest itself, and checks
 * the whole payload against @check before trusting it.
 */
int ghost_import_take_head(struct ghost_import *m, u16 type, void *head,
			   u32 head_len, u32 max_rest, u32 *rest, u32 *check)
{
	int err = expect(m, type, head_len, head_len + max_rest);

	if (err)
		return err;
	*rest = le32_to_cpu(m->hdr.len) - head_len;
	*check = le32_to_cpu(m->hdr.crc);
	return ghost_read(m->g, head, head_len);
}

/* Import current from m->g; nothing returns to user space on failure. */
int ghost_import_task(struct ghost_import *m)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ghost_parts); i++) {
		if (skipped(&ghost_parts[i], m->thread, m->shares_files))
			continue;
		err = ghost_parts[i].import(m);
		if (err)
			return ghost_fail(m->msg, err, "bad or refused %s",
					  ghost_parts[i].name);
	}
	return ghost_import_take(m, KRG_SEC_END, 0, 0);
}

void ghost_import_release(struct ghost_import *m)
{
	kvfree(m->data);
	m->data = NULL;
	m->have = false;
}
