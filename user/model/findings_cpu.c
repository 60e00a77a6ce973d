/* The bounds-check finding (issue 11): in a hot Go function, the
 * compare-and-branch sequences that guard a bounds panic inside a loop,
 * from the profile's annotation (model/cpu_prof.h). */
#include <stdio.h>
#include <string.h>
#include "model/cpu.h"
#include "model/findings_cpu.h"

/* Below this many samples in the process a share says little (a 90% share
 * of 30 samples is +-5.5 points); 30 is what one busy thread gives top's
 * 1 s interval at the default 49 Hz, with room to spare. */
#define MIN_SAMPLES 30
#define HOT_PCT 5	/* a hot function: >= 5% of the process's samples */

/* The innermost loop (a back edge at X to T <= off <= X) around off.  A
 * bounds check can be the back edge itself: Go often branches back to the
 * loop's head when the index is in range and falls through to the panic. */
static bool loop_of(const struct fp_cpu_annot *a, uint64_t off, uint64_t *head, uint64_t *tail)
{
	bool found = false;

	for (size_t i = 0; i < a->ninsns; i++) {
		const struct fp_cpu_insn *in = &a->insns[i];

		if (in->kind == FP_INSN_PLAIN || in->target > in->off || in->target > off || in->off < off)
			continue;
		if (!found || in->off - in->target < *tail - *head) {
			*head = in->target;
			*tail = in->off;
			found = true;
		}
	}
	return found;
}

/* The samples a check costs: the compare before the branch, the branch,
 * and the instruction after it (a sample's ip is the next instruction to
 * retire, so a slow one shows on its successor: skid). */
static uint64_t check_samples(const struct fp_cpu_annot *a, size_t i)
{
	uint64_t n = a->insns[i].count;

	if (i > 0 && (!strncmp(a->insns[i - 1].text, "cmp", 3) || !strncmp(a->insns[i - 1].text, "test", 4)))
		n += a->insns[i - 1].count;
	if (i + 1 < a->ninsns)
		n += a->insns[i + 1].count;
	return n;
}

static void add_line(char *lines, size_t len, const char *line)
{
	char buf[100];

	if (!line[0])
		return;
	snprintf(buf, sizeof(buf), "%s", line);
	if (strstr(lines, buf))
		return;
	if (lines[0])
		strncat(lines, ", ", len - strlen(lines) - 1);
	strncat(lines, buf, len - strlen(lines) - 1);
}

static int check_function(struct fp_proc *p, const struct fp_cpu_prof *prof, const struct fp_cpu_annot *a)
{
	uint64_t on_checks = 0, in_loop = 0, head = 0, tail = 0, h = 0, t = 0;
	char lines[256] = "", callee[48] = "", summary[640], detail[768];
	int nchecks = 0;

	for (size_t i = 0; i < a->ninsns; i++) {
		const struct fp_cpu_insn *in = &a->insns[i];

		if (in->kind != FP_INSN_BOUNDS || !loop_of(a, in->off, &h, &t))
			continue;
		if (!nchecks || t - h > tail - head) {
			head = h;
			tail = t;
		}
		nchecks++;
		on_checks += check_samples(a, i);
		add_line(lines, sizeof(lines), in->line);
		if (!callee[0])
			snprintf(callee, sizeof(callee), "%s", in->callee);
	}
	if (!nchecks)
		return 0;
	for (size_t i = 0; i < a->ninsns; i++)
		if (a->insns[i].off >= head && a->insns[i].off <= tail)
			in_loop += a->insns[i].count;
	snprintf(summary, sizeof(summary),
		 "%s: %d bounds check%s in its hot loop at %s (branch to %s): %.0f%% of the function's samples "
		 "on the compare-and-branch instructions, %.0f%% in the loop; the function has %.1f%% of the "
		 "process's samples (+-%.1f, %llu samples at %u Hz)",
		 a->function, nchecks, nchecks > 1 ? "s" : "", lines[0] ? lines : "an unknown line", callee,
		 a->samples ? 100.0 * on_checks / a->samples : 0.0, a->samples ? 100.0 * in_loop / a->samples : 0.0,
		 100.0 * a->samples / prof->samples, cpu_prof__share_err(a->samples, prof->samples),
		 (unsigned long long)prof->samples, prof->hz);
	snprintf(detail, sizeof(detail),
		 "Every iteration compares the index with the slice's length and branches to %s when it is out "
		 "of range. Let the compiler prove the bounds: re-slice before the loop so one length governs "
		 "every index (b = b[:len(a)], then range over a or loop to len(a)), or hoist one length check "
		 "(_ = b[n-1]) above it. `go build -gcflags=-d=ssa/check_bce` lists the checks left.",
		 callee);
	return proc__add_finding(p, "bounds-check", "warning", summary, detail);
}

int cpu__bounds_rule(struct fp_proc *p, double window_s)
{
	const struct fp_cpu_prof *prof = p->cpu ? p->cpu->prof : NULL;
	int err;

	if (!prof || prof->samples < MIN_SAMPLES)
		return 0;
	for (size_t i = 0; i < prof->nannots; i++) {
		const struct fp_cpu_annot *a = &prof->annots[i];

		if (a->samples * 100 < HOT_PCT * prof->samples)
			continue;
		if ((err = check_function(p, prof, a)))
			return err;
	}
	return 0;
}
