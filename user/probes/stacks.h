/* Internal to probes/: turning the stack ids of a BPF stack-trace map into
 * symbolized frames, for every family that records stacks by id (the CPU
 * profile, the off-CPU stacks of --waits).
 *
 * A stack's user addresses mean something only with the maps of the
 * process they came from, and a process may be gone by the time its stacks
 * are read (record -- CMD reads after CMD exited).  So a family's program
 * tells user space when a process records its first stacks (a ring buffer
 * event with the tgid) and the family calls stacks__note(): the maps are
 * saved then, and again at most once a second (new stacks come in bursts;
 * an exec or dlopen shows in the next copy). */
#ifndef FP_PROBES_STACKS_H
#define FP_PROBES_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fp_stacks;
struct fp_symbolizer;
struct fp_addrspace;

int stacks__new(struct fp_stacks **out);
void stacks__free(struct fp_stacks *S);
/* Save pid's /proc/PID/maps (at most once a second unless force, or
 * unless it exec'd since).  Thread-safe against the calls below. */
void stacks__note(struct fp_stacks *S, int pid, bool force);
/* The same, with the kernel's count of the process's mappings when its
 * event was sent: a different count than at the last save (ld.so mapped
 * the libraries, a dlopen) saves again whatever the throttle says. */
void stacks__note_mm(struct fp_stacks *S, int pid, long map_count);
/* The address space of pid from its last saved maps (saved now if it is
 * still running), NULL if never seen.  Valid until the next call for pid
 * from the same thread (only the reading thread calls it). */
struct fp_addrspace *stacks__addrspace(struct fp_stacks *S, int pid);
struct fp_symbolizer *stacks__symbolizer(struct fp_stacks *S);

/* The frames of one stack pair, leaf first: the kernel's (kstack) then the
 * process's (ustack), from the stack-trace map fd whose values are depth
 * u64 addresses; a negative id (what bpf_get_stackid returned: no stack)
 * is skipped.  Without a user stack, ip (when not 0) stands for it.  Every
 * frames[i] is strdup'd (NULL when out of memory); at least one frame
 * ("[no stack]", "[unknown]") when max > 0. */
size_t stacks__frames(struct fp_stacks *S, struct fp_addrspace *as, int fd, unsigned int depth, int ustack,
		      int kstack, uint64_t ip, char **frames, size_t max, size_t *nkernel);

#endif
