/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dense counter pool of the syscall hooks (see fp_sys.h): a slot per
 * traced process, a row of cell numbers per slot, and the cells, one
 * struct fp_sys_val per CPU each.  Included by syscalls.bpf.c (and used by
 * io.bpf.h for its size histograms).
 */
#ifndef FP_SLOTS_BPF_H
#define FP_SLOTS_BPF_H

#include "target.bpf.h"
#include "fp_sys.h"

/* Set by user space before load: cells in the pool (FP_MAX_CELLS, fewer
 * when many CPUs would make it too large) and possible CPUs. */
const volatile __u32 fp_ncells = FP_MAX_CELLS;
const volatile __u32 fp_ncpus = 1;

/* Bump allocators, for slots and cells never used yet; the free queues
 * hold those user space gave back. */
__u32 fp_next_slot;
__u32 fp_next_cell;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_SLOTS);
	__type(key, __u32);		/* tgid */
	__type(value, __u32);		/* slot */
} fp_slots SEC(".maps");

/* slot -> tgid (0: free), for user space to find the rows without a walk. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, FP_MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} fp_slot_tgid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, FP_MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct fp_row);
} fp_rows SEC(".maps");

/* max_entries = fp_ncells * fp_ncpus, set by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, FP_MAX_CELLS);
	__type(key, __u32);
	__type(value, struct fp_sys_val);
} fp_cells SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, FP_MAX_SLOTS);
	__type(value, __u32);
} fp_free_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, FP_MAX_CELLS);
	__type(value, __u32);
} fp_free_cells SEC(".maps");

/* A number from the free queue, else a new one below max; -1 if none.
 * The bump counter is checked first so that it cannot wrap. */
static __always_inline long pool_take(void *queue, __u32 *next, __u32 max)
{
	__u32 n;

	if (!bpf_map_pop_elem(queue, &n))
		return n;
	if (*next >= max)
		return -1;
	n = __sync_fetch_and_add(next, 1);
	return n < max ? n : -1;
}

/* The process's slot + 1, allocated at its first counted syscall (the
 * caller caches it); 0 if none is left.  A global function, checked once
 * by the verifier rather than at each of its callers' states. */
__noinline __u32 fp_slot_get(__u32 tgid)
{
	__u64 *owner;
	__u32 *v;
	long slot, err;
	__u32 s;

	v = bpf_map_lookup_elem(&fp_slots, &tgid);
	if (v)
		return *v + 1;
	slot = pool_take(&fp_free_slots, &fp_next_slot, FP_MAX_SLOTS);
	if (slot < 0) {
		fp_drop(FP_DROP_SYS_STATS);
		return 0;
	}
	s = slot;
	/* Named even if nothing else fits: listed, with the drop shown. */
	fp_proc_seen(tgid);
	err = bpf_map_update_elem(&fp_slots, &tgid, &s, BPF_NOEXIST);
	if (err) {
		/* Another thread of the process won the race: use its slot. */
		bpf_map_push_elem(&fp_free_slots, &s, 0);
		v = bpf_map_lookup_elem(&fp_slots, &tgid);
		if (v)
			return *v + 1;
		fp_drop(FP_DROP_SYS_STATS);
		return 0;
	}
	owner = bpf_map_lookup_elem(&fp_slot_tgid, &s);
	if (owner)
		*owner = tgid;
	return s + 1;
}

/* This CPU's copy of column col of the process in slot1 (slot + 1), with
 * a cell taken from the pool at first use; NULL if the pool is empty. */
static __always_inline struct fp_sys_val *fp_cell(__u32 slot1, __u32 col, __u32 drop)
{
	__u32 r, cell, old, i;
	struct fp_row *row;
	__u32 *c;
	long n;

	if (!slot1 || slot1 > FP_MAX_SLOTS || col >= FP_ROW_WIDTH)
		return NULL;
	r = slot1 - 1;
	row = bpf_map_lookup_elem(&fp_rows, &r);
	if (!row)
		return NULL;
	c = &row->cell[col];
	cell = *c;
	if (!cell) {
		n = pool_take(&fp_free_cells, &fp_next_cell, fp_ncells);
		if (n < 0) {
			fp_drop(drop);
			return NULL;
		}
		cell = n + 1;
		/* Two threads of the process may take a cell for the same
		 * column at once: one wins, the other gives its cell back. */
		old = __sync_val_compare_and_swap(c, 0, cell);
		if (old) {
			i = cell - 1;
			bpf_map_push_elem(&fp_free_cells, &i, 0);
			cell = old;
		}
	}
	/* A cell's CPUs side by side: the pool's used cells are a prefix
	 * that user space maps alone (see user/probes/pool.c). */
	i = (cell - 1) * fp_ncpus + bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&fp_cells, &i);
}

#endif /* FP_SLOTS_BPF_H */
