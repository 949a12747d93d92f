// SPDX-License-Identifier: GPL-2.0
/*
 * The tree file of an image: its header (magic, version, kernel release)
 * and the tasks, parents first. Reading checks all of it before restart
 * creates anything.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>
#include <krg/epm.h>
#include <krg/ghost.h>
#include <krg/node.h>
#include <krg/pid.h>

int krg_image_write_tree(struct file *f, const struct krg_img_tree_task *t,
			 unsigned int n)
{
	struct krg_img_header h = {
		.magic = KRG_IMAGE_MAGIC,
		.version = KRG_IMAGE_VERSION,
		.ntasks = n,
		.node = krg_node_id,
		.arch = KRG_IMG_ARCH_X86_64,
		.time_ns = ktime_get_real_ns(),
	};
	struct ghost *g = ghost_file_new(f, true);
	unsigned int i;
	int err;

	if (!g)
		return -ENOMEM;
	strscpy(h.release, init_utsname()->release, sizeof(h.release));
	ghost_section_write(g, KRG_SEC_IMAGE, &h, sizeof(h));
	for (i = 0; i < n; i++)
		ghost_section_write(g, KRG_SEC_TREE_TASK, &t[i], sizeof(*t));
	ghost_section_write(g, KRG_SEC_END, NULL, 0);
	err = ghost_file_sync(g);
	ghost_close(g);
	return err;
}

static int index_of(const struct krg_img_tree_task *t, unsigned int n,
		    pid_t pid)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (t[i].pid == pid)
			return i;
	return -1;
}

/* What wait() can report: an exit status, or a signal (and core dump). */
static bool exit_code_ok(s32 code)
{
	return !(code & ~0xffff) &&
	       (!(code & 0x7f) || (!(code >> 8) && (code & 0x7f) < 0x7f &&
				   valid_signal(code & 0x7f)));
}

/*
 * Every task once; processes after their parent, threads after their
 * leader, with its parent, group and session. A zombie is a process
 * with no thread and no child; a process that shares its parent's fd
 * table is not the root.
 */
static int check_tree(const struct krg_img_tree_task *t, unsigned int n,
		      char *msg)
{
	unsigned int i, j;
	int p, l;

	for (i = 0; i < n; i++) {
		if (!krg_pid_valid(t[i].pid) || index_of(t, i, t[i].pid) >= 0 ||
		    t[i].exit_signal < 0 || !valid_signal(t[i].exit_signal) ||
		    t[i].pgid < 0 || t[i].sid < 0 ||
		    (t[i].flags & ~(KRG_IMG_TREE_ZOMBIE |
				    KRG_IMG_TREE_SHARES_FILES)) ||
		    (t[i].flags && (t[i].tgid != t[i].pid || !i)) ||
		    (t[i].flags & KRG_IMG_TREE_ZOMBIE ?
		     !exit_code_ok(t[i].exit_code) || t[i].flags != KRG_IMG_TREE_ZOMBIE :
		     t[i].exit_code))
			return krg_cr_fail(msg, -EINVAL, "bad task %d in the tree",
					   t[i].pid);
		for (j = 0; j < n && t[i].flags & KRG_IMG_TREE_ZOMBIE; j++)
			if (j != i && (t[j].ppid == t[i].pid ||
				       t[j].tgid == t[i].pid))
				return krg_cr_fail(msg, -EINVAL,
						   "zombie %d has a child or thread",
						   t[i].pid);
		if (t[i].tgid != t[i].pid) {
			l = index_of(t, i, t[i].tgid);
			if (i == 0 || l < 0 || t[l].tgid != t[l].pid ||
			    t[l].ppid != t[i].ppid || t[l].pgid != t[i].pgid ||
			    t[l].sid != t[i].sid)
				return krg_cr_fail(msg, -EINVAL,
						   "thread %d without its process",
						   t[i].pid);
			continue;
		}
		p = index_of(t, n, t[i].ppid);
		if (i == 0 ? p >= 0 : p < 0 || p >= i || t[p].tgid != t[p].pid)
			return krg_cr_fail(msg, -EINVAL,
					   "parent of %d out of order", t[i].pid);
	}
	return 0;
}

int krg_image_read_tree(struct file *f, struct krg_img_tree_task **tree,
			unsigned int *n, char *msg)
{
	struct ghost_import m = { .g = ghost_file_new(f, false) };
	const struct krg_img_header *h;
	struct krg_img_tree_task *t = NULL;
	unsigned int i;
	int err;

	if (!m.g)
		return -ENOMEM;
	err = ghost_import_take(&m, KRG_SEC_IMAGE, sizeof(*h), sizeof(*h));
	if (err == -EBADMSG && m.g->pos <= sizeof(struct ghost_section_hdr))
		err = -ENOEXEC;	/* not even a ghost section */
	if (err)
		goto out;
	h = m.data;
	if (h->magic != KRG_IMAGE_MAGIC) {
		err = -ENOEXEC;
		goto out;
	}
	if (h->version != KRG_IMAGE_VERSION || h->arch != KRG_IMG_ARCH_X86_64) {
		err = krg_cr_fail(msg, -EPROTONOSUPPORT,
				 "image version %u, this kernel reads %u",
				 h->version, KRG_IMAGE_VERSION);
		goto out;
	}
	*n = h->ntasks;
	if (!*n || *n > KRG_IMAGE_MAX_TASKS) {
		err = krg_cr_fail(msg, -EINVAL, "%u tasks in the image", *n);
		goto out;
	}
	t = kvcalloc(*n, sizeof(*t), GFP_KERNEL);
	err = -ENOMEM;
	if (!t)
		goto out;
	for (i = 0; i < *n; i++) {
		err = ghost_import_take(&m, KRG_SEC_TREE_TASK, sizeof(*t),
					sizeof(*t));
		if (err)
			goto out;
		memcpy(&t[i], m.data, sizeof(*t));
	}
	err = ghost_import_take(&m, KRG_SEC_END, 0, 0);
	if (!err)
		err = check_tree(t, *n, msg);
out:
	if (m.msg[0] && !msg[0])
		memcpy(msg, m.msg, GHOST_MSG_LEN);
	if (err && !msg[0])
		krg_cr_fail(msg, err, "not a valid image tree");
	ghost_import_release(&m);
	ghost_close(m.g);
	if (err)
		kvfree(t);
	else
		*tree = t;
	return err;
}
