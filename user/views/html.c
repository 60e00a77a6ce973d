/* HTML escaping, shared by the HTML report and its allocator section: the
 * display form of util/escape.h, then HTML's entities. */
#include <stdio.h>
#include "views/report.h"
#include "util/escape.h"

void html__puts(FILE *f, const char *s)
{
	esc__fput_html(f, s);
}
