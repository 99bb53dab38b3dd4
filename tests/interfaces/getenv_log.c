/* SPDX-License-Identifier: Apache-2.0 */
/* A getenv logger for tests/cli/test_interfaces.sh: preloaded into the
 * tools, it writes the name of every variable they (and the libraries
 * they load) ask for to descriptor 9, one per line, and then answers as
 * the C library would. Descriptor 9 is the test's log; when it is not
 * open the write fails and nothing else changes. The C library's own
 * internal lookups do not pass through here (docs/interfaces.md lists
 * them as the C library's). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

static void note(const char *name)
{
	char line[256];
	size_t n = name != NULL ? strlen(name) : 0;

	if (n > sizeof line - 1)
		n = sizeof line - 1;
	if (n > 0)
		memcpy(line, name, n);
	line[n] = '\n';
	if (write(9, line, n + 1) < 0) {
		/* no log open: nothing to record */
	}
}

char *getenv(const char *name)
{
	static char *(*real)(const char *);

	if (real == NULL)
		real = (char *(*)(const char *))dlsym(RTLD_NEXT, "getenv");
	note(name);
	return real != NULL ? real(name) : NULL;
}

char *secure_getenv(const char *name)
{
	static char *(*real)(const char *);

	if (real == NULL)
		real = (char *(*)(const char *))dlsym(RTLD_NEXT, "secure_getenv");
	note(name);
	return real != NULL ? real(name) : NULL;
}
