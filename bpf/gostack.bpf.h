/* Go's stack-check branch as a probe point (util/prologue.c puts entry
 * uprobes on it, an instruction the kernel emulates): when the jcc is taken
 * the function goes to morestack and restarts from its entry, so that hit
 * is not a call.  Shared by the allocator and park families. */
#ifndef FP_GOSTACK_BPF_H
#define FP_GOSTACK_BPF_H

/* Would the jcc with condition code cc jump, given the flags at the probe? */
static __always_inline bool jcc_taken(__u64 fl, unsigned int cc)
{
	bool cf = fl & 1, pf = fl >> 2 & 1, zf = fl >> 6 & 1, sf = fl >> 7 & 1, of = fl >> 11 & 1;
	bool t;

	switch (cc >> 1) {
	case 0: t = of; break;
	case 1: t = cf; break;
	case 2: t = zf; break;
	case 3: t = cf || zf; break;
	case 4: t = sf; break;
	case 5: t = pf; break;
	case 6: t = sf != of; break;
	default: t = zf || sf != of; break;
	}
	return (cc & 1) ? !t : t;
}

#endif
