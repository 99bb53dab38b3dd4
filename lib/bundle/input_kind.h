/* SPDX-License-Identifier: Apache-2.0 */
/* What a file that failed to be the input it was given as looks like
 * instead: a bundle given as a root, a release description or a root
 * given as a bundle. Only words for the refusal: it is called after the
 * input was refused, and a guess never accepts anything. */
#ifndef FWSEAL_BUNDLE_INPUT_KIND_H
#define FWSEAL_BUNDLE_INPUT_KIND_H

#include <stddef.h>
#include <stdint.h>

/* "a bundle (a tar archive)", "a gzip-compressed bundle", "a release
 * description (the JSON fwseal pack reads)", "a signed envelope (JSON)",
 * "JSON", or NULL when the first bytes say nothing. */
const char *fws_input_kind(const uint8_t *head, size_t n);

#endif
