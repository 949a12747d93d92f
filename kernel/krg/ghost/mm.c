// SPDX-License-Identifier: GPL-2.0
/*
 * The memory part of a ghost: the mm fields behind /proc/PID/{cmdline,
 * environ,auxv,exe}, then every VMA, each followed by the runs of its
 * pages that hold data: all present pages of anonymous memory, the
 * copied-on-write pages of private file mappings. Shared file mappings
 * are in their files; the vDSO is remapped at the same address.
 *
 * On import the task's old mappings go and each VMA is mapped again at
 * its address (MAP_FIXED_NOREPLACE: VMAs must not overlap), then filled:
 * shared memory at once, private pages of an image file when they are
 * first touched (ghost/lazy.c), unless restart is asked to load all.
 *
 * A mapping of a file deleted since (a temporary file mapped to share
 * memory, say) or of a memfd saves the file's content as an fd of it
 * would (ghost/deleted.c), right after its VMA, and maps the unnamed file
 * restart makes of it, shared where it was.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pagewalk.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/shmem_fs.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xxhash.h>
#include <linux/swapops.h>
#include <krg/ghost.h>
#include <krg/ghost_deleted.h>
#include <krg/ghost_lazy.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_task.h>
#include <krg/ghost_what.h>

#define RUN_BYTES	(KRG_IMG_MAX_RUN * PAGE_SIZE)

struct vma_desc {
	struct krg_img_vma img;
	struct file *file;
	bool first;		/* of a shared object: its pages are ours */
};

/*
 * MAP_SHARED|MAP_ANONYMOUS memory, as restart maps it too: shmem's
 * "dev/zero" file, not SysV shared memory nor a memfd, which have the
 * same mapping (vma_is_anon_shmem() says yes to a memfd too) but more to
 * them.
 */
static bool shared_anon(struct vm_area_struct *vma)
{
	return vma->vm_file && shmem_file(vma->vm_file) &&
	       (vma->vm_flags & VM_SHARED) &&
	       (vma->vm_file->f_path.mnt->mnt_flags & MNT_INTERNAL) &&
	       !strcmp(vma->vm_file->f_path.dentry->d_name.name, "dev/zero");
}

static int vma_kind(struct vm_area_struct *vma, unsigned long vdso_start,
		    unsigned long vdso_end)
{
	if (vma->vm_start >= vdso_start && vma->vm_end <= vdso_end)
		return KRG_VMA_VDSO;
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP | VM_HUGETLB))
		return -EBUSY;
	if (shared_anon(vma))
		return KRG_VMA_SHARED_ANON;
	/* SysV shared memory, an aio ring...: no path to map it again by. */
	if (vma->vm_file &&
	    (vma->vm_file->f_path.mnt->mnt_flags & MNT_INTERNAL) &&
	    !ghost_deleted_file(vma->vm_file))
		return -EBUSY;
	if (!vma->vm_file)
		return vma->vm_flags & VM_SHARED ? -EBUSY : KRG_VMA_ANON;
	/* VM_MAYSHARE: a MAP_SHARED mapping of a file opened read-only too. */
	return vma->vm_flags & VM_MAYSHARE ? KRG_VMA_FILE_SHARED :
					     KRG_VMA_FILE_PRIVATE;
}

/* The VMAs of current, with a reference on their files; one vDSO entry. */
static int list_vmas(struct ghost_export *x, struct vma_desc **out, int *n)
{
	VMA_ITERATOR(vmi, current->mm, 0);
	struct mm_struct *mm = current->mm;
	unsigned long vs = 0, ve = 0, text = 0;
	struct vm_area_struct *vma;
	struct vma_desc *d;
	int i = 0, kind;

	mmap_read_lock(mm);
	ghost_arch_vdso(mm, &vs, &ve, &text);
	d = kvcalloc(mm->map_count, sizeof(*d), GFP_KERNEL);
	if (!d) {
		mmap_read_unlock(mm);
		return -ENOMEM;
	}
	for_each_vma(vmi, vma) {
		kind = vma_kind(vma, vs, ve);
		if (kind < 0) {
			mmap_read_unlock(mm);
			*out = d, *n = i;
			return ghost_fail(x->msg, kind,
					  "mapping %lx-%lx: %s cannot be saved",
					  vma->vm_start, vma->vm_end,
					  vma->vm_flags & VM_HUGETLB ?
					  "huge-page memory" :
					  vma->vm_file ? ghost_what(vma->vm_file) :
					  "a device mapping");
		}
		if (kind == KRG_VMA_VDSO && vma->vm_start != text)
			continue;	/* vvar comes with the vDSO text */
		d[i].img = (struct krg_img_vma) {
			.start = vma->vm_start, .end = vma->vm_end,
			.pgoff = vma->vm_pgoff, .vm_flags = vma->vm_flags,
			.kind = kind,
		};
		if (vma->vm_file && kind != KRG_VMA_VDSO)
			d[i].file = get_file(vma->vm_file);
		if (kind == KRG_VMA_SHARED_ANON ||
		    (d[i].file && ghost_deleted_file(d[i].file))) {
			struct inode *inode = file_inode(vma->vm_file);
			int id = ghost_objs_id(x->objs, inode, &d[i].first);

			if (id < 0) {
				mmap_read_unlock(mm);
				*out = d, *n = i;
				return id;
			}
			d[i].img.obj = id;
			d[i].img.obj_size = i_size_read(inode);
		}
		i++;
	}
	mmap_read_unlock(mm);
	*out = d;
	*n = i;
	return 0;
}

static void put_vmas(struct vma_desc *d, int n)
{
	while (n--)
		if (d[n].file)
			fput(d[n].file);
	kvfree(d);
}

struct page_walk {
	unsigned long *present;	/* a bit per page of the VMA */
	unsigned long start;
	bool anon_only;
};

static int pte_present_entry(pte_t *ptep, unsigned long addr,
			     unsigned long next, struct mm_walk *walk)
{
	struct page_walk *pw = walk->private;
	pte_t pte = ptep_get(ptep);
	struct page *page;

	if (!pte_present(pte)) {
		/* Still in the image it was restarted from: saved all the same */
		if (is_swap_pte(pte) && is_krg_lazy_entry(pte_to_swp_entry(pte)))
			__set_bit((addr - pw->start) >> PAGE_SHIFT, pw->present);
		return 0;
	}
	if (pw->anon_only) {
		page = vm_normal_page(walk->vma, addr, pte);
		if (!page || !PageAnon(page))
			return 0;
	}
	__set_bit((addr - pw->start) >> PAGE_SHIFT, pw->present);
	return 0;
}

static const struct mm_walk_ops present_ops = {
	.pte_entry = pte_present_entry,
	.walk_lock = PGWALK_RDLOCK,
};

/* Copy @len bytes of current's memory at @addr, readable or not. */
static int read_user(unsigned long addr, void *buf, size_t len)
{
	if (!copy_from_user(buf, (void __user *)addr, len))
		return 0;
	if (access_remote_vm(current->mm, addr, buf, len, FOLL_FORCE) == len)
		return 0;
	return -EFAULT;
}

/*
 * The checksum of each of @npages of current's memory at @addr, read in
 * place. -EFAULT if a page cannot be had that way (not readable): the
 * caller then copies instead.
 */
static int page_checks(unsigned long addr, unsigned long npages,
		       __le32 *checks)
{
	struct page *pages[32];
	int i, n, chunk;

	while (npages) {
		chunk = min_t(unsigned long, npages, ARRAY_SIZE(pages));
		n = get_user_pages_fast(addr, chunk, 0, pages);
		for (i = 0; i < n; i++) {
			void *k = kmap_local_page(pages[i]);

			*checks++ = cpu_to_le32(ghost_checksum(k, PAGE_SIZE));
			kunmap_local(k);
			put_page(pages[i]);
		}
		if (n != chunk)
			return -EFAULT;
		addr += chunk << PAGE_SHIFT;
		npages -= chunk;
	}
	return 0;
}

static void buf_checks(const u8 *data, unsigned long npages, __le32 *checks)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		checks[i] = cpu_to_le32(ghost_checksum(data + i * PAGE_SIZE,
						       PAGE_SIZE));
}

/* A PAGES section's head: run, page checksums, then padding. */
struct run_head {
	struct krg_img_pages run;
	__le32 checks[KRG_IMG_MAX_RUN];
	u8 pad[PAGE_SIZE];
} __packed;

static size_t checked_len(u32 npages)
{
	return sizeof(struct krg_img_pages) + npages * sizeof(__le32);
}

/*
 * One run of pages: from memory in place, or copied if it must be. The
 * pages start on a page boundary of the image, where restart can leave
 * them for later.
 */
static int write_run(struct ghost_export *x, u64 addr, u32 npages,
		     struct run_head *h)
{
	size_t len = (size_t)npages << PAGE_SHIFT, head_len;
	u8 *buf = NULL;
	int err;

	if (page_checks(addr, npages, h->checks)) {
		buf = kvmalloc(len, GFP_KERNEL);
		err = buf ? read_user(addr, buf, len) : -ENOMEM;
		if (err) {
			kvfree(buf);
			return err;
		}
		buf_checks(buf, npages, h->checks);
	}
	head_len = checked_len(npages);
	h->run = (struct krg_img_pages) {
		.addr = addr, .npages = npages,
		.pad = -(x->g->pos + sizeof(struct ghost_section_hdr) +
			 head_len) & (PAGE_SIZE - 1),
	};
	memset((u8 *)h + head_len, 0, h->run.pad);
	ghost_section_start(x->g, KRG_SEC_PAGES, head_len + h->run.pad + len,
			    ghost_checksum(h, head_len));
	ghost_write(x->g, h, head_len + h->run.pad);
	if (!buf)
		return ghost_write_user(x->g, (void __user *)addr, len);
	err = ghost_write(x->g, buf, len);
	kvfree(buf);
	return err;
}

static int walk_pages(const struct krg_img_vma *v, struct page_walk *pw)
{
	int err;

	mmap_read_lock(current->mm);
	err = walk_page_range(current->mm, v->start, v->end, &present_ops, pw);
	mmap_read_unlock(current->mm);
	return err;
}

/* The pages a shared object holds, whoever of the tree touched them. */
static void object_pages(struct file *file, u64 pgoff, unsigned long npages,
			 unsigned long *present)
{
	struct folio *folio;
	unsigned long i;

	for (i = 0; i < npages; i++) {
		folio = filemap_get_folio(file->f_mapping, pgoff + i);
		if (IS_ERR(folio))
			continue;
		__set_bit(i, present);
		folio_put(folio);
	}
}

/* The pages of @v worth saving; for a shared object, @file is its file. */
static int write_runs(struct ghost_export *x, const struct krg_img_vma *v,
		      struct file *file, u8 *buf)
{
	unsigned long npages = (v->end - v->start) >> PAGE_SHIFT;
	struct page_walk pw = {
		.start = v->start,
		.anon_only = v->kind == KRG_VMA_FILE_PRIVATE,
	};
	unsigned long i = 0, j;
	int err = 0;

	pw.present = kvcalloc(BITS_TO_LONGS(npages), sizeof(long), GFP_KERNEL);
	if (!pw.present)
		return -ENOMEM;
	if (file)
		object_pages(file, v->pgoff, npages, pw.present);
	else
		err = walk_pages(v, &pw);
	while (!err) {
		i = find_next_bit(pw.present, npages, i);
		if (i >= npages)
			break;
		j = find_next_zero_bit(pw.present, min(npages, i + KRG_IMG_MAX_RUN), i);
		err = write_run(x, v->start + (i << PAGE_SHIFT), j - i,
				(struct run_head *)buf);
		i = j;
	}
	kvfree(pw.present);
	return err;
}

/*
 * A section of @img and the path of @file (if any) after it: the path it
 * had if it is deleted and @deleted allows it.
 */
static int write_with_path(struct ghost *g, u16 type, const void *img,
			   size_t len, u32 *path_len, struct file *file,
			   bool deleted, char *buf)
{
	const char *p = NULL;
	char *dpath;

	*path_len = 0;
	if (file) {
		dpath = d_path(&file->f_path, buf + len, PATH_MAX);
		if (IS_ERR(dpath) ||
		    (d_unlinked(file->f_path.dentry) && !deleted))
			return -EBUSY;
		p = deleted ? ghost_deleted_path(file, dpath) : dpath;
		*path_len = strlen(p);
	}
	memcpy(buf, img, len);
	memmove(buf + len, p, *path_len);
	return ghost_section_write(g, type, buf, len + *path_len);
}

int ghost_export_mm(struct ghost_export *x)
{
	struct mm_struct *mm = current->mm;
	struct krg_img_mm img = {};
	struct file *exe;
	struct vma_desc *d = NULL;
	int n = 0, i, err;
	u8 *buf;

	static_assert(sizeof(img.auxv) >= sizeof(mm->saved_auxv));
	buf = kvmalloc(max(sizeof(struct run_head),
			   sizeof(struct krg_img_mm) + PATH_MAX), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = list_vmas(x, &d, &n);
	if (err)
		goto out;

	spin_lock(&mm->arg_lock);
	img = (struct krg_img_mm) {
		.start_code = mm->start_code, .end_code = mm->end_code,
		.start_data = mm->start_data, .end_data = mm->end_data,
		.start_brk = mm->start_brk, .brk = mm->brk,
		.start_stack = mm->start_stack,
		.arg_start = mm->arg_start, .arg_end = mm->arg_end,
		.env_start = mm->env_start, .env_end = mm->env_end,
		.nvmas = n,
	};
	spin_unlock(&mm->arg_lock);
	memcpy(img.auxv, mm->saved_auxv, sizeof(mm->saved_auxv));
	for (i = 0; i < n; i++)
		if (d[i].img.kind == KRG_VMA_VDSO)
			img.vdso = d[i].img.start;
	exe = get_mm_exe_file(mm);
	err = write_with_path(x->g, KRG_SEC_MM, &img, sizeof(img),
			      &img.exe_len, exe, false, buf);
	if (exe)
		fput(exe);
	if (err) {
		err = ghost_fail(x->msg, err, "its executable is deleted");
		goto out;
	}
	for (i = 0; i < n && !err; i++) {
		struct krg_img_vma *v = &d[i].img;
		bool named = v->kind == KRG_VMA_FILE_PRIVATE ||
			     v->kind == KRG_VMA_FILE_SHARED;

		err = write_with_path(x->g, KRG_SEC_VMA, v, sizeof(*v),
				      &v->path_len, named ? d[i].file : NULL,
				      named && v->obj, buf);
		if (err == -EBUSY)
			err = ghost_fail(x->msg, err,
					 "mapping %llx-%llx: its file has no path",
					 v->start, v->end);
		if (!err && named && v->obj && d[i].first) {
			snprintf(buf, 64, "mapping %llx-%llx", v->start, v->end);
			err = ghost_deleted_export(x, buf, d[i].file, v->obj);
		}
		if (err || v->kind == KRG_VMA_FILE_SHARED ||
		    v->kind == KRG_VMA_VDSO)
			continue;
		if (v->kind != KRG_VMA_SHARED_ANON)
			err = write_runs(x, v, NULL, buf);
		else if (d[i].first)
			err = write_runs(x, v, d[i].file, buf);
	}
out:
	put_vmas(d, n);
	kvfree(buf);
	return err;
}

static bool bad_mm(const struct krg_img_mm *img)
{
	const u64 *f = &img->start_code;
	int i;

	for (i = 0; i < 11; i++)	/* start_code .. env_end */
		if (f[i] >= TASK_SIZE)
			return true;
	return img->start_code > img->end_code ||
	       img->start_data > img->end_data ||
	       img->start_brk > img->brk || img->arg_start > img->arg_end ||
	       img->env_start > img->env_end ||
	       img->nvmas > sysctl_max_map_count;
}

static unsigned long prot_of(u64 vm_flags)
{
	return (vm_flags & VM_READ ? PROT_READ : 0) |
	       (vm_flags & VM_WRITE ? PROT_WRITE : 0) |
	       (vm_flags & VM_EXEC ? PROT_EXEC : 0);
}

/* For ghost_objs_get(): the shared memory object of a VMA section. */
static int make_shared(void *arg, struct file **files)
{
	const struct krg_img_vma *v = arg;

	files[0] = shmem_file_setup("dev/zero", v->obj_size, VM_NORESERVE);
	if (IS_ERR(files[0])) {
		int err = PTR_ERR(files[0]);

		files[0] = NULL;
		return err;
	}
	return 0;
}

static int map_one(struct ghost_import *m, const struct krg_img_vma *v,
		   const char *path)
{
	unsigned long len = v->end - v->start, flags, addr;
	bool shared = v->kind == KRG_VMA_SHARED_ANON ||
		      v->kind == KRG_VMA_FILE_SHARED;
	struct file *file = NULL;

	if (v->kind == KRG_VMA_VDSO)
		return ghost_arch_map_vdso(v->start);
	flags = MAP_FIXED_NOREPLACE | (shared ? MAP_SHARED : MAP_PRIVATE) |
		(v->vm_flags & VM_GROWSDOWN ? MAP_GROWSDOWN : 0) |
		(v->vm_flags & VM_NORESERVE ? MAP_NORESERVE : 0);
	if (v->kind == KRG_VMA_SHARED_ANON) {
		struct file *files[2];
		int err = ghost_objs_get(m->objs, v->obj, GHOST_OBJ_SHM,
					 make_shared, (void *)v, files);

		if (err)
			return ghost_fail(m->msg, err, "cannot make shared memory");
		file = files[0];
	} else if (path && v->obj) {
		/* A deleted file: the unnamed one that stands for it, ours. */
		struct krg_img_file attrs = {
			.mode = 0600, .size = v->obj_size,
			.uid = from_kuid_munged(&init_user_ns, current_fsuid()),
			.gid = from_kgid_munged(&init_user_ns, current_fsgid()),
		};
		int err = ghost_deleted_object(m->objs, v->obj, path, &attrs,
					       &file);

		if (err)
			return ghost_fail(m->msg, err,
					  "cannot make the deleted file of %llx-%llx",
					  v->start, v->end);
		/* Shared, never writable: through a read-only open, as it was. */
		if (shared && !(v->vm_flags & VM_MAYWRITE)) {
			struct file *rw = file;

			file = dentry_open(&rw->f_path, O_RDONLY | O_LARGEFILE,
					   current_cred());
			fput(rw);
			if (IS_ERR(file))
				return ghost_fail(m->msg, PTR_ERR(file),
						  "cannot open the deleted file of %llx-%llx",
						  v->start, v->end);
		}
	} else if (path) {
		file = filp_open(path, shared && (v->vm_flags & VM_MAYWRITE) ?
				 O_RDWR : O_RDONLY, 0);
		if (IS_ERR(file))
			return ghost_fail(m->msg, PTR_ERR(file),
					  "cannot open mapped file %s", path);
	} else {
		flags |= MAP_ANONYMOUS;
	}
	addr = vm_mmap(file, v->start, len, prot_of(v->vm_flags), flags,
		       v->pgoff << PAGE_SHIFT);
	if (file)
		fput(file);
	if (IS_ERR_VALUE(addr))
		return ghost_fail(m->msg, (long)addr,
				  "cannot map %llx-%llx", v->start, v->end);
	return 0;
}

/* Pages of a shared object go to the object, whatever the protection. */
static int fill_shared(struct ghost_import *m, const struct krg_img_vma *v,
		       u64 addr, const void *data, unsigned long len)
{
	loff_t pos = (v->pgoff << PAGE_SHIFT) + (addr - v->start);
	struct file *files[2];
	ssize_t n;
	int err;

	err = ghost_objs_get(m->objs, v->obj, GHOST_OBJ_SHM, make_shared,
			     (void *)v, files);
	if (err)
		return err;
	n = kernel_write(files[0], data, len, &pos);
	fput(files[0]);
	return n == len ? 0 : ghost_fail(m->msg, n < 0 ? n : -ENOSPC,
					  "cannot fill shared memory");
}

/* Do the @npages at @data match their @checks? */
static bool pages_match(const __le32 *checks, unsigned long npages,
			const u8 *data, unsigned long addr)
{
	__le32 got[32];
	unsigned long i, n;

	for (i = 0; i < npages; i += n) {
		n = min_t(unsigned long, npages - i, ARRAY_SIZE(got));
		if (data)
			buf_checks(data + i * PAGE_SIZE, n, got);
		else if (page_checks(addr + i * PAGE_SIZE, n, got))
			return false;
		if (memcmp(got, checks + i, n * sizeof(*got)))
			return false;
	}
	return true;
}

/*
 * One run of pages into its place, now. Writable private memory is read
 * from the image straight into place, then checked there; the rest goes
 * through a buffer (read-only pages with FOLL_FORCE, shared memory
 * through its object).
 */
static int fill_run(struct ghost_import *m, const struct krg_img_vma *v,
		    const struct run_head *h)
{
	unsigned long len = (unsigned long)h->run.npages << PAGE_SHIFT;
	u64 addr = h->run.addr;
	void *buf;
	int err;

	if ((v->vm_flags & VM_WRITE) && v->kind != KRG_VMA_SHARED_ANON) {
		err = ghost_read_user(m->g, (void __user *)addr, len);
		if (!err && !pages_match(h->checks, h->run.npages, NULL, addr))
			err = m->g->err = -EBADMSG;
		return err;
	}
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = ghost_read(m->g, buf, len);
	if (!err && !pages_match(h->checks, h->run.npages, buf, 0))
		err = m->g->err = -EBADMSG;
	if (!err && v->kind == KRG_VMA_SHARED_ANON)
		err = fill_shared(m, v, addr, buf, len);
	else if (!err && access_remote_vm(current->mm, addr, buf, len,
					  FOLL_WRITE | FOLL_FORCE) != len)
		err = ghost_fail(m->msg, -EFAULT, "cannot fill %llx", addr);
	kvfree(buf);
	return err;
}

/*
 * One run of private pages left in the image, if it is a file on a page
 * boundary: each is loaded at its first access (ghost/lazy.c).
 */
static int leave_run(struct ghost_import *m, const struct run_head *h)
{
	unsigned long len = (unsigned long)h->run.npages << PAGE_SHIFT;
	int err;

	err = ghost_lazy_add(m->lazy, h->run.addr, h->run.npages, m->g->pos,
			     h->checks);
	if (err)
		return ghost_fail(m->msg, err, "cannot leave pages %llx+%u",
				  h->run.addr, h->run.npages);
	return ghost_skip(m->g, len);
}

/* Fill the VMA @v from the page runs that follow its section. */
static int fill_one(struct ghost_import *m, const struct krg_img_vma *v,
		    struct run_head *h)
{
	struct krg_img_pages *run = &h->run;
	unsigned long len;
	u32 rest, check;
	u16 type;
	int err;

	while (!(err = ghost_import_peek(m, &type)) && type == KRG_SEC_PAGES) {
		err = ghost_import_take_head(m, KRG_SEC_PAGES, run, sizeof(*run),
					     sizeof(*h) - sizeof(*run) + RUN_BYTES,
					     &rest, &check);
		if (err)
			return err;
		len = (unsigned long)run->npages << PAGE_SHIFT;
		if (!run->npages || run->npages > KRG_IMG_MAX_RUN ||
		    run->pad >= PAGE_SIZE ||
		    rest != checked_len(run->npages) - sizeof(*run) + run->pad + len ||
		    !PAGE_ALIGNED(run->addr) ||
		    run->addr < v->start || run->addr > v->end ||
		    len > v->end - run->addr ||
		    v->kind == KRG_VMA_FILE_SHARED || v->kind == KRG_VMA_VDSO)
			return ghost_fail(m->msg, -EINVAL,
					  "page run %llx+%u outside its mapping",
					  run->addr, run->npages);
		err = ghost_read(m->g, h->checks,
				 run->npages * sizeof(__le32));
		if (!err && ghost_checksum(h, checked_len(run->npages)) != check)
			err = m->g->err = -EBADMSG;
		if (!err)
			err = ghost_skip(m->g, run->pad);
		if (err)
			return err;
		if (m->lazy && v->kind != KRG_VMA_SHARED_ANON &&
		    PAGE_ALIGNED(m->g->pos))
			err = leave_run(m, h);
		else
			err = fill_run(m, v, h);
		if (err)
			return err;
	}
	return err;
}

/* The content of a deleted file a mapping is the first to meet. */
static int deleted_content(struct ghost_import *m)
{
	u16 type;
	int err;

	while (!(err = ghost_import_peek(m, &type)) &&
	       type == KRG_SEC_FILE_DATA) {
		err = ghost_import_take(m, KRG_SEC_FILE_DATA,
					sizeof(struct krg_img_file_data),
					U32_MAX);
		if (!err)
			err = ghost_deleted_import_data(m);
		if (err)
			return err;
	}
	return err;
}

static int import_vmas(struct ghost_import *m, u32 nvmas, struct run_head *h)
{
	struct krg_img_vma vma, *v = &vma;	/* m->data goes with the pages */
	unsigned long prev_end = 0;
	bool vdso = false;
	char *path;
	u32 i;
	int err;

	for (i = 0; i < nvmas; i++) {
		err = ghost_import_take(m, KRG_SEC_VMA, sizeof(*v),
					sizeof(*v) + PATH_MAX);
		if (err)
			return err;
		memcpy(v, m->data, sizeof(*v));
		path = NULL;
		if (v->kind == KRG_VMA_FILE_PRIVATE ||
		    v->kind == KRG_VMA_FILE_SHARED) {
			/* The length first: the path is read from the section. */
			if (m->len != sizeof(*v) + v->path_len)
				path = NULL;
			else if (v->obj)
				path = ghost_deleted_path_dup(m->data + sizeof(*v),
							      v->path_len);
			else
				path = ghost_path_dup(m->data + sizeof(*v),
						      v->path_len);
			if (!path || v->obj_size > DELETED_MAX ||
			    (!v->obj && v->obj_size)) {
				kfree(path);
				return ghost_fail(m->msg, -EINVAL,
						  "bad path of mapping %u", i);
			}
		} else if (v->path_len || m->len != sizeof(*v) ||
			   (v->kind == KRG_VMA_SHARED_ANON) != !!v->obj ||
			   v->obj_size > TASK_SIZE ||
			   (v->kind == KRG_VMA_SHARED_ANON &&
			    ((v->pgoff << PAGE_SHIFT) + v->end - v->start >
			     v->obj_size || v->pgoff > (TASK_SIZE >> PAGE_SHIFT))) ||
			   v->kind < KRG_VMA_ANON || v->kind > KRG_VMA_VDSO ||
			   (v->kind == KRG_VMA_VDSO && vdso)) {
			return ghost_fail(m->msg, -EINVAL, "bad mapping %u", i);
		}
		if (!PAGE_ALIGNED(v->start) || !PAGE_ALIGNED(v->end) ||
		    v->start >= v->end || v->end > TASK_SIZE ||
		    v->start < max_t(unsigned long, prev_end, mmap_min_addr) ||
		    v->pgoff > (ULONG_MAX >> PAGE_SHIFT)) {
			kfree(path);
			return ghost_fail(m->msg, -EINVAL,
					  "mapping %llx-%llx overlaps or is out of range",
					  v->start, v->end);
		}
		vdso |= v->kind == KRG_VMA_VDSO;
		prev_end = v->end;
		err = map_one(m, v, path);
		kfree(path);
		if (!err && v->path_len && v->obj)
			err = deleted_content(m);
		if (!err)
			err = fill_one(m, v, h);
		if (err)
			return err;
	}
	return 0;
}

int ghost_import_mm(struct ghost_import *m)
{
	struct mm_struct *mm = current->mm;
	struct file *exe, *image;
	struct krg_img_mm img;
	struct run_head *h;
	char *path;
	int err;

	err = ghost_import_take(m, KRG_SEC_MM, sizeof(img),
				sizeof(img) + PATH_MAX);
	if (err)
		return err;
	memcpy(&img, m->data, sizeof(img));
	path = m->len == sizeof(img) + img.exe_len ?
	       ghost_path_dup(m->data + sizeof(img), img.exe_len) : NULL;
	if (bad_mm(&img) || !path) {
		kfree(path);
		return ghost_fail(m->msg, -EINVAL, "bad memory section");
	}
	/* As exec opens it: a regular file current may execute. */
	exe = open_exec(path);
	if (IS_ERR(exe)) {
		err = ghost_fail(m->msg, PTR_ERR(exe),
				 "cannot execute its executable %s", path);
		kfree(path);
		return err;
	}
	kfree(path);

	h = kvmalloc(sizeof(*h), GFP_KERNEL);
	image = ghost_file_of(m->g);
	if (image && !m->eager)
		m->lazy = ghost_lazy_new(image);
	/* What the restarting task had (a copy of its caller's) goes. */
	err = h ? vm_munmap(0, TASK_SIZE) : -ENOMEM;
	if (!err)
		err = import_vmas(m, img.nvmas, h);
	if (!err)
		err = replace_mm_exe_file(mm, exe);
	ghost_lazy_seal(m->lazy);
	m->lazy = NULL;
	kvfree(h);
	exe_file_allow_write_access(exe);	/* open_exec()'s: mm has its own */
	fput(exe);
	if (err)
		return err;

	mmap_write_lock(mm);
	spin_lock(&mm->arg_lock);
	mm->start_code = img.start_code;
	mm->end_code = img.end_code;
	mm->start_data = img.start_data;
	mm->end_data = img.end_data;
	mm->start_brk = img.start_brk;
	mm->brk = img.brk;
	mm->start_stack = img.start_stack;
	mm->arg_start = img.arg_start;
	mm->arg_end = img.arg_end;
	mm->env_start = img.env_start;
	mm->env_end = img.env_end;
	spin_unlock(&mm->arg_lock);
	memcpy(mm->saved_auxv, img.auxv, sizeof(mm->saved_auxv));
	mmap_write_unlock(mm);
	return 0;
}
