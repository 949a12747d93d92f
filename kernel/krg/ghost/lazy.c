// SPDX-License-Identifier: GPL-2.0
/*
 * Lazy restore of private memory: restart does not copy a page, it leaves
 * in the page's pte a krg marker (PTE_MARKER_KRG_LAZY, <linux/swapops.h>)
 * that names the image and the page in it. The first access faults on the
 * marker: krg_lazy_fault() reads the page from the image into a new page,
 * checks it against its checksum and maps it, as a fault of anonymous
 * memory would map a new page. A restart then costs a pte per page, not
 * a copy of it, and a page never touched is never read.
 *
 * Each marker holds a reference on its image. Restart takes it when it
 * sets the marker, fork when it copies one (krg_lazy_dup()); a fault that
 * maps the page, or munmap, madvise(MADV_DONTNEED) and exit, which zap
 * it (krg_lazy_drop()), give it back. mremap moves markers and their
 * references. The last one closes the image file.
 *
 * Pages come from the image's page cache, read ahead in large windows as
 * for a file read in order (the next window is read while the process
 * goes through this one), and a fault loads the page touched and the next
 * ones of the same image that follow it in its page table, up to
 * LAZY_AROUND: a process that goes through its memory takes a fault per
 * LAZY_AROUND pages, not per page.
 *
 * A marker carries a slot (which image) and the page's index in the file.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/oom.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/rwsem.h>
#include <linux/shmem_fs.h>
#include <linux/sched/signal.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/workqueue.h>
#include <krg/ghost.h>
#include <krg/ghost_lazy.h>

#define SLOT_BITS	16
#define PAGE_BITS	31	/* with the slot: 47 bits of a swap offset */
#define LAZY_AROUND	64	/* pages a fault loads: the touched one on */
#define LAZY_RA_SCALE	4	/* read-ahead windows, against the file's */

struct ghost_lazy {
	atomic_long_t refs;	/* markers, faults in flight, restart */
	struct file *image;
	struct rw_semaphore grow;	/* restart adds, faults read */
	__le32 *checks;		/* by page index in the file */
	unsigned long size;
	struct file_ra_state ra;	/* faults read ahead (racy as f_ra) */
	int slot;
	struct work_struct free;
	struct rcu_head rcu;
};

static DEFINE_IDR(lazy_slots);
static DEFINE_SPINLOCK(lazy_lock);

atomic_t ghost_lazy_live = ATOMIC_INIT(0);
atomic_long_t ghost_lazy_pending = ATOMIC_LONG_INIT(0);

static void lazy_free(struct work_struct *work)
{
	struct ghost_lazy *l = container_of(work, struct ghost_lazy, free);

	spin_lock(&lazy_lock);
	idr_remove(&lazy_slots, l->slot);
	spin_unlock(&lazy_lock);
	fput(l->image);
	kvfree(l->checks);
	kfree_rcu(l, rcu);
	atomic_dec(&ghost_lazy_live);
}

/* Zap and fault drop references under page table locks: free later. */
static void lazy_put(struct ghost_lazy *l)
{
	if (atomic_long_dec_and_test(&l->refs))
		schedule_work(&l->free);
}

/* The image of a marker, with a reference, and the page's number in it. */
static struct ghost_lazy *lazy_get(swp_entry_t entry, unsigned long *nr)
{
	unsigned long data = swp_offset(entry) >> PTE_MARKER_SHIFT;
	struct ghost_lazy *l;

	*nr = data >> SLOT_BITS;
	rcu_read_lock();
	l = idr_find(&lazy_slots, data & (BIT(SLOT_BITS) - 1));
	if (l && !atomic_long_inc_not_zero(&l->refs))
		l = NULL;
	rcu_read_unlock();
	return l;
}

/**
 * ghost_lazy_new - an image that pages will be loaded from
 * @image: the open image file; pages are read through its page cache
 *
 * Return: the image, holding one reference until ghost_lazy_seal(); NULL
 * if the file cannot serve pages that way or no slot is free: restart
 * then loads the pages at once.
 */
struct ghost_lazy *ghost_lazy_new(struct file *image)
{
	struct address_space *mapping = image->f_mapping;
	struct ghost_lazy *l;

	if (!mapping->a_ops->read_folio && !shmem_mapping(mapping))
		return NULL;
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return NULL;
	idr_preload(GFP_KERNEL);
	spin_lock(&lazy_lock);
	l->slot = idr_alloc(&lazy_slots, NULL, 0, BIT(SLOT_BITS), GFP_NOWAIT);
	spin_unlock(&lazy_lock);
	idr_preload_end();
	if (l->slot < 0) {
		kfree(l);
		return NULL;
	}
	atomic_long_set(&l->refs, 1);
	l->image = get_file(image);
	file_ra_state_init(&l->ra, mapping);
	l->ra.ra_pages *= LAZY_RA_SCALE;
	init_rwsem(&l->grow);
	INIT_WORK(&l->free, lazy_free);
	atomic_inc(&ghost_lazy_live);
	spin_lock(&lazy_lock);
	idr_replace(&lazy_slots, l, l->slot);
	spin_unlock(&lazy_lock);
	return l;
}

/* Restart is done adding pages: the markers alone keep @l now. */
void ghost_lazy_seal(struct ghost_lazy *l)
{
	if (l)
		lazy_put(l);
}

/* The checksums of pages @index .. @index + @npages - 1 of the file. */
static int add_checks(struct ghost_lazy *l, unsigned long index,
		      unsigned long npages, const __le32 *checks)
{
	unsigned long end = index + npages, size = l->size;
	__le32 *c = l->checks;

	if (end > BIT(PAGE_BITS))
		return -E2BIG;
	down_write(&l->grow);	/* kvrealloc() frees what faults read */
	if (end > size) {
		size = max(2 * size, end);
		c = kvrealloc(c, size * sizeof(*c), GFP_KERNEL);
		if (!c) {
			up_write(&l->grow);
			return -ENOMEM;
		}
		memset(c + l->size, 0, (size - l->size) * sizeof(*c));
		l->checks = c;
		l->size = size;
	}
	memcpy(c + index, checks, npages * sizeof(*c));
	up_write(&l->grow);
	return 0;
}

static pte_t marker(struct ghost_lazy *l, unsigned long nr)
{
	return make_pte_marker(PTE_MARKER_KRG_LAZY |
			       ((l->slot | nr << SLOT_BITS) << PTE_MARKER_SHIFT));
}

/* A marker in each pte of [addr, addr + npages pages), all empty. */
static int set_markers(struct ghost_lazy *l, unsigned long addr,
		       unsigned long npages, unsigned long nr)
{
	unsigned long end = addr + (npages << PAGE_SHIFT);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	pte_t *start, *pte;
	unsigned long n;
	spinlock_t *ptl;
	int err = 0;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma || end > vma->vm_end || (vma->vm_flags & VM_SHARED))
		err = -EINVAL;
	else if (anon_vma_prepare(vma))	/* fork copies markers with it */
		err = -ENOMEM;
	while (!err && addr < end) {
		start = pte = get_locked_pte(mm, addr, &ptl);
		if (!pte) {
			err = -ENOMEM;
			break;
		}
		n = 0;
		do {
			if (!pte_none(ptep_get(pte))) {
				err = -EEXIST;
				break;
			}
			set_pte_at(mm, addr, pte, marker(l, nr + n++));
			addr += PAGE_SIZE;
			pte++;
		} while (addr < end && (addr & ~PMD_MASK));
		/* No fault can see them before the lock goes. */
		atomic_long_add(n, &l->refs);
		atomic_long_add(n, &ghost_lazy_pending);
		nr += n;
		pte_unmap_unlock(start, ptl);
	}
	mmap_read_unlock(mm);
	return err;
}

/**
 * ghost_lazy_add - leave a run of pages of current in the image
 * @addr: where they belong, in one private mapping of current
 * @npages: how many
 * @pos: where the first is in the image file (page aligned)
 * @checks: the checksum of each
 *
 * Return: 0; -EINVAL if they are not all in one private mapping, -EEXIST
 * if one of them is there already (a run given twice), -ENOMEM.
 */
int ghost_lazy_add(struct ghost_lazy *l, unsigned long addr,
		   unsigned long npages, loff_t pos, const __le32 *checks)
{
	int err = add_checks(l, pos >> PAGE_SHIFT, npages, checks);

	return err ?: set_markers(l, addr, npages, pos >> PAGE_SHIFT);
}

/* What a fault loads: a run of pages, and where their markers were. */
struct lazy_run {
	struct folio *folios[LAZY_AROUND];
	pte_t orig[LAZY_AROUND];
};

/*
 * Page @index of the image file, from its page cache. A miss reads the
 * file ahead, and pages touched in order keep it ahead, as a read() would:
 * a process that goes through its memory costs a read per window, not
 * a round trip per page.
 */
static struct folio *image_folio(struct ghost_lazy *l, pgoff_t index)
{
	struct address_space *mapping = l->image->f_mapping;
	struct folio *folio;

	if (!mapping->a_ops->read_folio)
		return shmem_read_folio(mapping, index);
	folio = filemap_get_folio(mapping, index);
	if (IS_ERR(folio)) {
		page_cache_sync_readahead(mapping, &l->ra, l->image, index,
					  LAZY_AROUND);
	} else {
		if (folio_test_readahead(folio))
			page_cache_async_readahead(mapping, &l->ra, l->image,
						   folio, LAZY_AROUND);
		if (folio_test_uptodate(folio))
			return folio;
		folio_put(folio);
	}
	return read_cache_folio(mapping, index, NULL, l->image);
}

/* Page @nr of the image file into @folio, checked. */
static int load_page(struct ghost_lazy *l, unsigned long nr,
		     struct folio *folio)
{
	struct folio *src;
	u32 check = 0;
	bool ok;
	void *k;

	down_read(&l->grow);
	ok = nr < l->size;
	if (ok)
		check = le32_to_cpu(l->checks[nr]);
	up_read(&l->grow);
	if (!ok)
		return -EINVAL;
	src = image_folio(l, nr);
	if (IS_ERR(src))
		return PTR_ERR(src);
	copy_highpage(folio_page(folio, 0), folio_file_page(src, nr));
	folio_put(src);
	k = kmap_local_folio(folio, 0);
	ok = ghost_checksum(k, PAGE_SIZE) == check;
	kunmap_local(k);
	return ok ? 0 : -EBADMSG;
}

/*
 * Pages @nr .. @nr + @n - 1 of the image into @run's folios. Returns how
 * many are loaded and sound from the first on; *@err says why the next
 * one is not.
 */
static unsigned int load(struct ghost_lazy *l, unsigned long nr,
			 struct lazy_run *run, unsigned int n, int *err)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		*err = load_page(l, nr + i, run->folios[i]);
		if (*err)
			break;
	}
	return i;
}

/*
 * The markers after the one at @vmf that name the next pages of @l, in
 * the same page table and mapping: their ptes into @orig[1..], up to @max
 * in all (@orig[0] is the fault's). Returns how many, the fault's one too.
 */
static unsigned int run_of_markers(struct vm_fault *vmf, struct ghost_lazy *l,
				   unsigned long nr, pte_t *orig,
				   unsigned int max)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned long end = min(vma->vm_end, pmd_addr_end(addr, vma->vm_end));
	unsigned int n = 1;
	spinlock_t *ptl;
	pte_t *pte;

	orig[0] = vmf->orig_pte;
	max = min_t(unsigned long, max, (end - addr) >> PAGE_SHIFT);
	if (max < 2)
		return 1;
	pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, addr, &ptl);
	if (!pte)
		return 1;
	for (; n < max; n++) {
		orig[n] = ptep_get(pte + n);
		if (!pte_same(orig[n], marker(l, nr + n)))
			break;
	}
	pte_unmap_unlock(pte, ptl);
	return n;
}

/* New folios for @n pages from the fault's address: how many were had. */
static unsigned int alloc_run(struct vm_fault *vmf, struct lazy_run *run,
			      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		run->folios[i] = vma_alloc_folio(GFP_HIGHUSER_MOVABLE, 0,
						 vmf->vma,
						 (vmf->address & PAGE_MASK) +
						 i * PAGE_SIZE, false);
		if (!run->folios[i])
			break;
	}
	return i;
}

static void put_run(struct lazy_run *run, unsigned int from, unsigned int to)
{
	while (from < to)
		folio_put(run->folios[from++]);
}

/* Charged to the memory cgroup, from the first: how many were. */
static unsigned int charge_run(struct vm_fault *vmf, struct lazy_run *run,
			       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (mem_cgroup_charge(run->folios[i], vmf->vma->vm_mm,
				      GFP_KERNEL))
			break;
		__folio_mark_uptodate(run->folios[i]);
	}
	put_run(run, i, n);
	return i;
}

/*
 * Map @folios[i] where marker @orig[i] was, from the fault's address on,
 * unless the pte changed meanwhile (loaded or zapped). Returns how many
 * were mapped; the others are put.
 */
static unsigned int map(struct vm_fault *vmf, struct folio **folios,
			const pte_t *orig, unsigned int n)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned int i, mapped = 0;
	pte_t pte;

	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, addr, &vmf->ptl);
	for (i = 0; i < n; i++, addr += PAGE_SIZE) {
		if (!vmf->pte || !pte_same(ptep_get(vmf->pte + i), orig[i]) ||
		    check_stable_address_space(vma->vm_mm)) {
			folio_put(folios[i]);
			continue;
		}
		pte = pte_sw_mkyoung(mk_pte(folio_page(folios[i], 0),
					    vma->vm_page_prot));
		if (vma->vm_flags & VM_WRITE)
			pte = pte_mkwrite(pte_mkdirty(pte), vma);
		inc_mm_counter(vma->vm_mm, MM_ANONPAGES);
		folio_add_new_anon_rmap(folios[i], vma, addr, RMAP_EXCLUSIVE);
		folio_add_lru_vma(folios[i], vma);
		set_pte_at(vma->vm_mm, addr, vmf->pte + i, pte);
		update_mmu_cache_range(vmf, vma, addr, vmf->pte + i, 1);
		mapped++;
	}
	if (vmf->pte)
		pte_unmap_unlock(vmf->pte, vmf->ptl);
	return mapped;
}

/* Why the touched page cannot be had, in one line. */
static vm_fault_t fault_error(struct vm_fault *vmf, int err)
{
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	if (err == -EBADMSG)
		pr_warn_ratelimited("pid %d: page %lx is damaged in its image\n",
				    task_pid_vnr(current), vmf->address);
	else if (!fatal_signal_pending(current))
		pr_warn_ratelimited("pid %d: page %lx cannot be read from its image (%pe)\n",
				    task_pid_vnr(current), vmf->address,
				    ERR_PTR(err));
	return VM_FAULT_SIGBUS;
}

/*
 * The fault on a marker (handle_pte_marker()): load its page and the next
 * ones of the run, or SIGBUS. A page after the touched one that cannot
 * be loaded only ends the run: its own fault will tell.
 */
vm_fault_t krg_lazy_fault(struct vm_fault *vmf)
{
	struct lazy_run *run = NULL;
	unsigned int n, had;
	struct ghost_lazy *l;
	unsigned long nr;
	vm_fault_t ret;
	int err;

	l = lazy_get(pte_to_swp_entry(vmf->orig_pte), &nr);
	if (!l || !vmf->vma->anon_vma) {
		pr_warn_ratelimited("pid %d: page %lx lost its image\n",
				    task_pid_vnr(current), vmf->address);
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	ret = VM_FAULT_OOM;
	run = kmalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		goto out;
	n = run_of_markers(vmf, l, nr, run->orig, LAZY_AROUND);
	had = alloc_run(vmf, run, n);
	if (!had)
		goto out;
	n = load(l, nr, run, had, &err);
	put_run(run, n, had);
	if (!n) {
		ret = fault_error(vmf, err);
		goto out;
	}
	n = charge_run(vmf, run, n);
	if (!n)
		goto out;
	n = map(vmf, run->folios, run->orig, n);
	atomic_long_sub(n, &ghost_lazy_pending);
	while (n--)
		lazy_put(l);	/* the markers' */
	ret = 0;
out:
	kfree(run);
	if (l)
		lazy_put(l);
	return ret;
}

/* fork() copies a marker: the copy holds the image too. */
pte_marker krg_lazy_dup(swp_entry_t entry)
{
	unsigned long nr;

	if (WARN_ON_ONCE(!lazy_get(entry, &nr)))
		return 0;
	atomic_long_inc(&ghost_lazy_pending);
	return swp_offset(entry);
}

/* A marker zapped: munmap, madvise(MADV_DONTNEED), exit. */
void krg_lazy_drop(swp_entry_t entry)
{
	struct ghost_lazy *l;
	unsigned long nr;

	l = lazy_get(entry, &nr);
	if (WARN_ON_ONCE(!l))
		return;
	atomic_long_dec(&ghost_lazy_pending);
	lazy_put(l);		/* lazy_get()'s */
	lazy_put(l);		/* the marker's */
}
