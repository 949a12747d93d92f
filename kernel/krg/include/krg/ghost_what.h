/* SPDX-License-Identifier: GPL-2.0 */
/* What a file is, in words, for refusals (ghost/what.c). */
#ifndef _KRG_GHOST_WHAT_H
#define _KRG_GHOST_WHAT_H

struct file;

const char *ghost_what(struct file *file);

#endif /* _KRG_GHOST_WHAT_H */
