/* File operations through struct fws_fs_ops, so that crash tests can stop
 * the world at any single write, fsync, rename or unlink. Internal. */
#ifndef FWSEAL_DEVICE_FS_OPS_H
#define FWSEAL_DEVICE_FS_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/device.h"

int fws_fs_open(const struct fws_fs_ops *fs, const char *path, int flags, unsigned mode);
int fws_fs_write_all(const struct fws_fs_ops *fs, int fd, const void *buf, size_t len);
int fws_fs_fsync(const struct fws_fs_ops *fs, int fd);
int fws_fs_rename(const struct fws_fs_ops *fs, const char *from, const char *to);
int fws_fs_unlink(const struct fws_fs_ops *fs, const char *path);
/* fsync of a directory (after a rename into it). */
int fws_fs_fsync_dir(const struct fws_fs_ops *fs, const char *dir);
/* DIR/NAME replaced atomically: DIR/NAME.tmp written, fsynced, renamed,
 * DIR fsynced. After a crash DIR/NAME is the old or the new content. */
int fws_fs_replace(const struct fws_fs_ops *fs, const char *dir, const char *name,
		   const void *buf, size_t len, unsigned mode);
/* Reads DIR/NAME (regular file, no symlink) of at most cap bytes. */
int fws_fs_read(const char *dir, const char *name, uint8_t *buf, size_t cap, size_t *len);
/* DIR/NAME into out (PATH_MAX bytes); FWS_ELIMIT if too long. */
int fws_fs_path(char *out, const char *dir, const char *name);

#endif
