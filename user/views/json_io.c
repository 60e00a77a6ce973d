/* JSON of the "io" section of a process. */
#include <errno.h>
#include <stdlib.h>
#include "views/json.h"
#include "model/io.h"

json_t *json_io__from(const struct fp_io_stats *s, double window_s)
{
	return json_pack("{s:I}", "calls", (json_int_t)s->calls);
}

int json_io__parse(json_t *j, struct fp_io_stats **out, char *err, size_t errlen)
{
	struct fp_io_stats *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->calls = json_integer_value(json_object_get(j, "calls"));
	*out = s;
	return 0;
}
