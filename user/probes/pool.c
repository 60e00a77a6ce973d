/* The syscall hooks' counter pool (bpf/slots.bpf.h, bpf/fp_sys.h): a slot
 * per process, a row of cells per slot, a cell per CPU per (process, syscall
 * or size histogram).  The three arrays are mapped and read in place: no
 * syscall per entry, unlike a walk of a hash. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "probes/pool.h"
#include "fp_io.h"
#include "syscalls.skel.h"

_Static_assert(FP_IO_FAMILIES * FP_FD_KINDS <= FP_ROW_IO_HISTS, "io histograms fit the row");

struct fp_pool {
	volatile __u64 *slot_tgid;	/* FP_MAX_SLOTS */
	volatile struct fp_row *rows;	/* FP_MAX_SLOTS */
	struct fp_sys_val *cells;	/* ncpus * ncells */
	size_t len_tgid, len_rows, len_cells;
	__u32 ncells;
	int ncpus;
	int fd_slots, fd_free_slots, fd_free_cells;
	__u32 *dead;			/* slots being reaped (pool__collect_dead) */
	size_t ndead;
};

/* Pool cells: FP_MAX_CELLS, or fewer so that the pool stays within 64 MiB
 * on machines with many CPUs (each cell is 1.3 KiB per CPU). */
#define POOL_BUDGET (64ULL << 20)
#define POOL_MIN_CELLS 1024

__u32 pool__cells_for(int ncpus)
{
	unsigned long long n = POOL_BUDGET / (sizeof(struct fp_sys_val) * (unsigned)ncpus);

	if (n > FP_MAX_CELLS)
		n = FP_MAX_CELLS;
	return n < POOL_MIN_CELLS ? POOL_MIN_CELLS : n;
}

static void *map_of(struct bpf_map *m, size_t *len)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	*len = ((size_t)bpf_map__max_entries(m) * bpf_map__value_size(m) + page - 1) / page * page;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
	return p == MAP_FAILED ? NULL : p;
}

int pool__open(struct fp_pool **out, struct syscalls_bpf *skel)
{
	struct fp_pool *pl = calloc(1, sizeof(*pl));
	int err = -ENOMEM;

	if (!pl)
		return -ENOMEM;
	pl->ncells = skel->rodata->fp_ncells;
	pl->ncpus = skel->rodata->fp_ncpus;
	pl->fd_slots = bpf_map__fd(skel->maps.fp_slots);
	pl->fd_free_slots = bpf_map__fd(skel->maps.fp_free_slots);
	pl->fd_free_cells = bpf_map__fd(skel->maps.fp_free_cells);
	pl->slot_tgid = map_of(skel->maps.fp_slot_tgid, &pl->len_tgid);
	pl->rows = map_of(skel->maps.fp_rows, &pl->len_rows);
	pl->cells = map_of(skel->maps.fp_cells, &pl->len_cells);
	if (!pl->slot_tgid || !pl->rows || !pl->cells) {
		err = -errno;
		pool__close(pl);
		return err;
	}
	*out = pl;
	return 0;
}

void pool__close(struct fp_pool *pl)
{
	if (!pl)
		return;
	if (pl->slot_tgid)
		munmap((void *)pl->slot_tgid, pl->len_tgid);
	if (pl->rows)
		munmap((void *)pl->rows, pl->len_rows);
	if (pl->cells)
		munmap(pl->cells, pl->len_cells);
	free(pl->dead);
	free(pl);
}

/* Sum of one cell over the CPUs, with the minimum (of the non-zero ones)
 * and maximum kept apart: they must not be summed. */
static void cell_sum(const struct fp_pool *pl, __u32 cell, struct fp_sys_val *sum)
{
	const size_t words = sizeof(*sum) / sizeof(__u64);

	memset(sum, 0, sizeof(*sum));
	for (int c = 0; c < pl->ncpus; c++) {
		const struct fp_sys_val *v = &pl->cells[(size_t)c * pl->ncells + cell - 1];
		const __u64 *in = (const __u64 *)v;
		__u64 *o = (__u64 *)sum;
		__u64 mn = sum->min_ns, mx = sum->max_ns;

		for (size_t w = 0; w < words; w++)
			o[w] += in[w];
		sum->min_ns = v->min_ns && (!mn || v->min_ns < mn) ? v->min_ns : mn;
		sum->max_ns = v->max_ns > mx ? v->max_ns : mx;
	}
}

static int each_slot(struct fp_pool *pl, __u32 slot, __u32 lo, __u32 hi, fp_pool_fn fn, void *ctx)
{
	__u32 tgid = (__u32)pl->slot_tgid[slot] & ~FP_SLOT_DEAD;
	struct fp_sys_val sum;
	int err;

	if (!tgid)
		return 0;
	for (__u32 col = lo; col < hi; col++) {
		__u32 cell = pl->rows[slot].cell[col];

		if (!cell || cell > pl->ncells)
			continue;
		cell_sum(pl, cell, &sum);
		err = fn(tgid, col, &sum, ctx);
		if (err)
			return err;
	}
	return 0;
}

int pool__each(struct fp_pool *pl, __u32 lo, __u32 hi, fp_pool_fn fn, void *ctx)
{
	int err = 0;

	for (__u32 s = 0; !err && s < FP_MAX_SLOTS; s++)
		err = each_slot(pl, s, lo, hi, fn, ctx);
	return err;
}

int pool__collect_dead(struct fp_pool *pl)
{
	pl->ndead = 0;
	for (__u32 s = 0; s < FP_MAX_SLOTS; s++) {
		if (!(pl->slot_tgid[s] & FP_SLOT_DEAD))
			continue;
		if (!pl->dead) {
			pl->dead = calloc(FP_MAX_SLOTS, sizeof(*pl->dead));
			if (!pl->dead)
				return -ENOMEM;
		}
		pl->dead[pl->ndead++] = s;
	}
	return 0;
}

int pool__each_dead(struct fp_pool *pl, __u32 lo, __u32 hi, fp_pool_fn fn, void *ctx)
{
	int err = 0;

	for (size_t i = 0; !err && i < pl->ndead; i++)
		err = each_slot(pl, pl->dead[i], lo, hi, fn, ctx);
	return err;
}

size_t pool__ndead(const struct fp_pool *pl)
{
	return pl->ndead;
}

bool pool__dead_tgid(const struct fp_pool *pl, __u32 tgid)
{
	for (size_t i = 0; i < pl->ndead; i++)
		if (((__u32)pl->slot_tgid[pl->dead[i]] & ~FP_SLOT_DEAD) == tgid)
			return true;
	return false;
}

/* Nothing runs for a dead slot any more (its process has exited and a new
 * process with its pid gets another slot): zero its cells, clear its row,
 * and give both back to the BPF side's free queues. */
int pool__release_dead(struct fp_pool *pl)
{
	for (size_t i = 0; i < pl->ndead; i++) {
		__u32 s = pl->dead[i];
		volatile __u32 *row = pl->rows[s].cell;

		for (__u32 col = 0; col < FP_ROW_WIDTH; col++) {
			__u32 cell = row[col], n;

			if (!cell || cell > pl->ncells)
				continue;
			row[col] = 0;
			for (int c = 0; c < pl->ncpus; c++)
				memset(&pl->cells[(size_t)c * pl->ncells + cell - 1], 0,
				       sizeof(struct fp_sys_val));
			n = cell - 1;
			if (bpf_map_update_elem(pl->fd_free_cells, NULL, &n, BPF_ANY))
				return -errno;
		}
		pl->slot_tgid[s] = 0;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (bpf_map_update_elem(pl->fd_free_slots, NULL, &s, BPF_ANY))
			return -errno;
	}
	pl->ndead = 0;
	return 0;
}
