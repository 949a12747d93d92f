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
#include <linux/sched.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

static const struct ghost_part ghost_parts[] = {
	{ "task", ghost_export_misc, ghost_import_misc },
	{ "credentials", ghost_export_creds, ghost_import_creds },
	{ "fs", ghost_export_fs, ghost_import_fs },
	{ "limits", ghost_export_limits, ghost_import_limits },
	{ "signals", ghost_export_signals, ghost_import_signals },
	{ "memory", ghost_export_mm, ghost_import_mm },
	{ "files", ghost_export_files, ghost_import_files },
	{ "registers", ghost_export_regs, ghost_import_regs },
	{ "fpu", ghost_export_fpu, ghost_import_fpu },
};

/* The largest section: a run of pages and its header. */
#define SECTION_MAX	(sizeof(struct krg_img_pages) + \
			 KRG_IMG_MAX_RUN * PAGE_SIZE)

static int vfail(char *msg, int err, bool pid, const char *fmt,
		 va_list args)
{
	int n = 0;

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

/* Export current to x->g. Return: 0 or -errno, with x->msg set. */
int ghost_export_task(struct ghost_export *x)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ghost_parts); i++) {
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

int ghost_import_peek(struct ghost_import *m, u16 *type)
{
	if (!m->have) {
		kvfree(m->data);
		m->data = NULL;
		if (ghost_section_read(m->g, &m->type, &m->data, &m->len,
				       SECTION_MAX))
			return m->g->err;
		m->have = true;
	}
	*type = m->type;
	return 0;
}

/*
 * Consume the next section, which must be of @type and @min..@max bytes:
 * -EPROTO for another type (unknown or out of order), -EINVAL for a wrong
 * length. Its payload stays in m->data until the next read.
 */
int ghost_import_take(struct ghost_import *m, u16 type, u32 min, u32 max)
{
	u16 t;
	int err = ghost_import_peek(m, &t);

	if (err)
		return err;
	if (t != type)
		return ghost_fail(m->msg, -EPROTO,
				  "section type %u where %u belongs", t, type);
	if (m->len < min || m->len > max)
		return ghost_fail(m->msg, -EINVAL,
				  "section %u is %u bytes long", t, m->len);
	m->have = false;
	return 0;
}

/* Import current from m->g; nothing returns to user space on failure. */
int ghost_import_task(struct ghost_import *m)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ghost_parts); i++) {
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
