/* SPDX-License-Identifier: Apache-2.0 */
/* Links against libfwseal-device alone: provision a directory device and
 * install a bundle, as a device integrator's update agent would.
 *   device_only DIR ROOT.json HARDWARE-ID BUNDLE.fwb */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fwseal/device.h"
#include "fwseal/dirdevice.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/fwseal.h"

int main(int argc, char **argv)
{
	static struct fws_device dev;
	static struct fws_dir_backend b;
	static struct fws_verify_result res;
	uint8_t *root = NULL;
	size_t len;
	int fd, rc;
	if (argc != 5 || fws_init() != 0)
		return 2;
	rc = fws_file_read_all(argv[2], FWS_ENVELOPE_MAX, &root, &len);
	if (rc == 0)
		rc = fws_dir_device_open(&dev, &b, argv[1], NULL, 1);
	if (rc == 0)
		rc = fws_device_provision(&dev, root, len, argv[3], NULL, NULL);
	free(root);
	if (rc == 0) {
		fd = open(argv[4], O_RDONLY);
		rc = fd < 0 ? FWS_ENOENT : fws_device_install(&dev, fws_read_fd, &fd, NULL, &res);
		if (fd >= 0)
			close(fd);
	}
	fws_dir_device_close(&b);
	if (rc != 0) {
		fprintf(stderr, "device_only: %s\n", fws_strerror(rc));
		return 1;
	}
	printf("installed %s\n", res.manifest.version);
	return 0;
}
