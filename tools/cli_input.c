/* Opening the bundle a command reads: a regular file, a pipe, a character
 * device, or "-" for standard input. Directories and the like are refused
 * with the operating system's word for it. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fwseal/fwseal.h"

int cli_open_bundle(const char *path, int *fd, uint64_t *size)
{
	struct stat st;
	*size = 0;
	*fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		int err = errno;
		fprintf(stderr, "%s: %s: %s: %s\n", cli_prog, cli_esc(path),
			err == ENOENT ? fws_strerror(FWS_ENOENT) : "cannot open", strerror(err));
		return cli_status(err == ENOENT ? FWS_ENOENT : FWS_EIO);
	}
	if (fstat(*fd, &st) != 0 || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode) ||
	    S_ISSOCK(st.st_mode)) {
		int err = S_ISDIR(st.st_mode) ? EISDIR : errno ? errno : EINVAL;
		close(*fd);
		*fd = -1;
		fprintf(stderr, "%s: %s: cannot read: %s\n", cli_prog, cli_esc(path), strerror(err));
		return cli_status(FWS_EIO);
	}
	if (S_ISREG(st.st_mode))
		*size = (uint64_t)st.st_size;
	return 0;
}
