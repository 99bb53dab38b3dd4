/* SPDX-License-Identifier: Apache-2.0 */
/* A token's private-key object checked against what its user wants
 * (key_check.h). */
#include <stdio.h>

#include "device/p11/key_check.h"
#include "fwseal/error.h"

int fws_p11_key_check(struct fws_p11_token *t, CK_OBJECT_HANDLE priv, const char *shown,
		      const struct fws_p11_key_want *want, enum fws_p11_key_fault *fault,
		      CK_KEY_TYPE *found_type)
{
	char call[64];
	uint8_t params[64];
	CK_BBOOL flag = CK_FALSE;
	CK_ULONG len = 0;
	CK_RV rv;

	*found_type = 0;
	*fault = FWS_P11_KEY_FITS;
	rv = fws_p11_get_attr(t, priv, CKA_KEY_TYPE, found_type, sizeof *found_type, &len);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_GetAttributeValue(CKA_KEY_TYPE)", shown);
	if (*found_type != want->type) {
		*fault = FWS_P11_KEY_WRONG_TYPE;
		return 0;
	}
	/* Unreadable or too long for any curve fwseal knows: left to the
	 * public half's check, as a missing curve is. */
	rv = fws_p11_get_attr(t, priv, CKA_EC_PARAMS, params, sizeof params, &len);
	if (rv == CKR_OK && !want->curve_is(params, len)) {
		*fault = FWS_P11_KEY_WRONG_CURVE;
		return 0;
	}
	rv = fws_p11_get_attr(t, priv, want->usage, &flag, sizeof flag, &len);
	if (rv != CKR_OK) {
		snprintf(call, sizeof call, "C_GetAttributeValue(%s)", want->usage_name);
		return fws_p11_fail(rv, call, shown);
	}
	if (flag != CK_TRUE) {
		*fault = FWS_P11_KEY_USE_FORBIDDEN;
		return 0;
	}
	flag = CK_FALSE;
	rv = fws_p11_get_attr(t, priv, CKA_ALWAYS_AUTHENTICATE, &flag, sizeof flag, &len);
	if (rv == CKR_OK && flag == CK_TRUE)
		*fault = FWS_P11_KEY_PIN_EVERY_USE;
	return 0;
}
