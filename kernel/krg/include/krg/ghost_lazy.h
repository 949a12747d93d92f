/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lazy restore of private memory (ghost/lazy.c): restart leaves pages in
 * their image, and each is loaded at its first access.
 */
#ifndef _KRG_GHOST_LAZY_H
#define _KRG_GHOST_LAZY_H

#include <linux/atomic.h>
#include <linux/types.h>

struct file;
struct ghost_lazy;

/* Images that processes still load pages from, and pages not loaded yet. */
extern atomic_t ghost_lazy_live;
extern atomic_long_t ghost_lazy_pending;

struct ghost_lazy *ghost_lazy_new(struct file *image);
int ghost_lazy_add(struct ghost_lazy *l, unsigned long addr,
		   unsigned long npages, loff_t pos, const __le32 *checks);
void ghost_lazy_seal(struct ghost_lazy *l);

#endif /* _KRG_GHOST_LAZY_H */
