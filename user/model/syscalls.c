#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/syscalls.h"

const char *syscall__name(int nr)
{
	static __thread char buf[24];

	if (nr >= 0 && nr < FP_SYSCALL_TABLE_SIZE && fp_syscall_table[nr])
		return fp_syscall_table[nr];
	snprintf(buf, sizeof(buf), "syscall_%d", nr);
	return buf;
}

int syscall__nr(const char *name)
{
	char *end;
	long v;

	for (int i = 0; i < FP_SYSCALL_TABLE_SIZE; i++)
		if (fp_syscall_table[i] && !strcmp(fp_syscall_table[i], name))
			return i;
	if (!strncmp(name, "syscall_", 8)) {
		v = strtol(name + 8, &end, 10);
		if (!*end && end != name + 8 && v >= 0 && v < 100000)
			return (int)v;
	}
	return -1;
}
