/* The syscall hooks' counter pool (bpf/slots.bpf.h, bpf/fp_sys.h): a slot
 * per process, a row of cells per slot, a cell per CPU per (process, syscall
 * or size histogram).  The arrays are mapped and read in place: no syscall
 * per entry, unlike a walk of a hash.  A mapping of a BPF array is resident
 * in full from mmap (the kernel inserts every page at once), and the rows and
 * cells are 30 MiB on 2 CPUs: so only the part in use is mapped, the slots
 * and cells below the BPF side's bump counters, and the mapping grows (by
 * doubling) when a read meets a slot or cell beyond it. */
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

/* The first n of an array's max entries, mapped; unit bytes each. */
struct pool_win {
	void *p;
	size_t len, unit;
	__u32 n, max;
	int fd;
};

struct fp_pool {
	volatile __u64 *slot_tgid;	/* FP_MAX_SLOTS, mapped whole (32 KiB) */
	size_t len_tgid;
	struct pool_win rows;		/* struct fp_row each */
	struct pool_win cells;		/* ncpus struct fp_sys_val each */
	volatile __u32 *next_slot, *next_cell;	/* the BPF side's bump counters */
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

static size_t page_up(size_t n)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (n + page - 1) / page * page;
}

/* Map at least the first need entries of w (those below the bump counter
 * next, and twice as many as now, so that growing is rare). */
static int win_cover(struct pool_win *w, __u32 need, __u32 next)
{
	size_t len;
	__u32 n = need;
	void *p;

	if (need <= w->n)
		return 0;
	if (need > w->max)
		return -ERANGE;
	n = next > n ? next : n;
	n = 2 * w->n > n ? 2 * w->n : n;
	n = n > w->max ? w->max : n;
	len = page_up((size_t)n * w->unit);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (w->p)
		munmap(w->p, w->len);
	w->p = p;
	w->len = len;
	w->n = len / w->unit < w->max ? len / w->unit : w->max;
	return 0;
}

/* In *out the row of a slot in use (below the bump counter, as for cells). */
static int row_of(struct fp_pool *pl, __u32 slot, volatile struct fp_row **out)
{
	__u32 next = __atomic_load_n(pl->next_slot, __ATOMIC_ACQUIRE);
	int err = win_cover(&pl->rows, slot + 1, next);

	*out = err ? NULL : (volatile struct fp_row *)pl->rows.p + slot;
	return err;
}

/* In *out CPU 0's copy of cell (a row's column: 1-based, 0 for none), the
 * other CPUs' after it; NULL for none.  A cell seen in a row was taken
 * from the bump counter before it was stored there, so it is below the
 * counter read after it. */
static int cell_of(struct fp_pool *pl, __u32 cell, struct fp_sys_val **out)
{
	__u32 next = __atomic_load_n(pl->next_cell, __ATOMIC_ACQUIRE);
	int err;

	*out = NULL;
	if (!cell || cell > pl->ncells)
		return 0;
	err = win_cover(&pl->cells, cell, next);
	if (!err)
		*out = (struct fp_sys_val *)pl->cells.p + (size_t)(cell - 1) * pl->ncpus;
	return err;
}

int pool__open(struct fp_pool **out, struct syscalls_bpf *skel)
{
	struct fp_pool *pl = calloc(1, sizeof(*pl));
	struct bpf_map *tgid = skel->maps.fp_slot_tgid;
	int err;

	if (!pl)
		return -ENOMEM;
	pl->ncells = skel->rodata->fp_ncells;
	pl->ncpus = skel->rodata->fp_ncpus;
	pl->fd_slots = bpf_map__fd(skel->maps.fp_slots);
	pl->fd_free_slots = bpf_map__fd(skel->maps.fp_free_slots);
	pl->fd_free_cells = bpf_map__fd(skel->maps.fp_free_cells);
	pl->next_slot = &skel->bss->fp_next_slot;
	pl->next_cell = &skel->bss->fp_next_cell;
	pl->rows = (struct pool_win){ .unit = sizeof(struct fp_row), .max = FP_MAX_SLOTS,
				      .fd = bpf_map__fd(skel->maps.fp_rows) };
	pl->cells = (struct pool_win){ .unit = sizeof(struct fp_sys_val) * pl->ncpus, .max = pl->ncells,
				       .fd = bpf_map__fd(skel->maps.fp_cells) };
	pl->len_tgid = page_up((size_t)bpf_map__max_entries(tgid) * bpf_map__value_size(tgid));
	pl->slot_tgid = mmap(NULL, pl->len_tgid, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(tgid), 0);
	if (pl->slot_tgid == MAP_FAILED) {
		err = -errno;
		free(pl);
		return err;
	}
	*out = pl;
	return 0;
}

void pool__close(struct fp_pool *pl)
{
	if (!pl)
		return;
	munmap((void *)pl->slot_tgid, pl->len_tgid);
	if (pl->rows.p)
		munmap(pl->rows.p, pl->rows.len);
	if (pl->cells.p)
		munmap(pl->cells.p, pl->cells.len);
	free(pl->dead);
	free(pl);
}

/* Sum of one cell over the CPUs, with the minimum (of the non-zero ones)
 * and maximum kept apart: they must not be summed. */
static void cell_sum(const struct fp_pool *pl, const struct fp_sys_val *cpus, struct fp_sys_val *sum)
{
	const size_t words = sizeof(*sum) / sizeof(__u64);

	memset(sum, 0, sizeof(*sum));
	for (int c = 0; c < pl->ncpus; c++) {
		const struct fp_sys_val *v = &cpus[c];
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
	volatile struct fp_row *row;
	struct fp_sys_val sum;
	int err;

	if (!tgid)
		return 0;
	err = row_of(pl, slot, &row);
	if (err)
		return err;
	for (__u32 col = lo; col < hi; col++) {
		struct fp_sys_val *cpus;

		err = cell_of(pl, row->cell[col], &cpus);
		if (err)
			return err;
		if (!cpus)
			continue;
		cell_sum(pl, cpus, &sum);
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
		volatile struct fp_row *row;
		int err = row_of(pl, s, &row);

		if (err)
			return err;
		for (__u32 col = 0; col < FP_ROW_WIDTH; col++) {
			__u32 cell = row->cell[col], n;
			struct fp_sys_val *cpus;

			err = cell_of(pl, cell, &cpus);
			if (err)
				return err;
			if (!cpus)
				continue;
			row->cell[col] = 0;
			memset(cpus, 0, sizeof(*cpus) * pl->ncpus);
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
