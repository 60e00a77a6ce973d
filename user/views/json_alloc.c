/* JSON of the "alloc" section of a process. */
#include <errno.h>
#include <stdlib.h>
#include "views/json.h"
#include "model/alloc.h"

json_t *json_alloc__from(const struct fp_alloc_stats *s, double window_s)
{
	return json_pack("{s:I}", "calls", (json_int_t)s->calls);
}

int json_alloc__parse(json_t *j, struct fp_alloc_stats **out, char *err, size_t errlen)
{
	struct fp_alloc_stats *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->calls = json_integer_value(json_object_get(j, "calls"));
	*out = s;
	return 0;
}
