/* SPDX-License-Identifier: Apache-2.0 */
/* What `fwseal pack --sbom` checks before it signs an SBOM into a bundle
 * (docs/format.md §14.3): the NTIA minimum elements FDA 524B(b)(3) asks
 * for, in SPDX 2.3 or CycloneDX 1.5/1.6 JSON. A release whose SBOM lacks a
 * supplier, an identifier or the dependency graph would pass review only to
 * fail an audit; refusing at pack time, naming the component and the field,
 * is cheaper than finding it in the field.
 *
 * The SBOM is hostile input like any other: strict JSON (duplicate keys are
 * the parser-differential attack: two tools would see two SBOMs), bounded
 * size and depth. Unknown fields are allowed: the SBOM schemas allow them
 * and the schemas themselves are the SBOM tools' business. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bundle/json_strict.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/sbom.h"
#include "io/io.h"

#define LABEL_MAX 160
#define PROP_SUPPORT "fwseal:support-level"
#define PROP_EOS "fwseal:end-of-support"

struct checker {
	const struct fws_sbom_check_opts *o;
	json_t *ids;	  /* bom-ref / SPDXID -> true once the dependency graph names it */
	json_t *pkgs;	  /* SPDX: SPDXID -> its package (borrowed) */
	json_t *elements; /* SPDX: every file, snippet and package SPDXID */
};

/* A non-empty string member, or NULL. */
static const char *text(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static int missing(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int missing(const char *where, const char *fmt, ...)
{
	char why[FWS_DIAG_WHY_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fws_diag_set(FWS_ESBOM, 0, where, "%s", why);
}

/* `components[3] "zlib"`: where a reader finds the component. */
static void label_of(char *out, const char *path, const json_t *c)
{
	char q[FWS_JSON_QUOTE_CAP];
	const char *name = text(c, "name");
	if (name != NULL)
		snprintf(out, LABEL_MAX, "%s %s", path, fws_json_quote(q, name, strlen(name)));
	else
		snprintf(out, LABEL_MAX, "%s", path);
}

/* YYYY-MM-DD, a real calendar date, or "unknown". */
static int eos_valid(const char *s)
{
	char t[32];
	int64_t v;
	if (strcmp(s, "unknown") == 0)
		return 1;
	if (strlen(s) != 10)
		return 0;
	snprintf(t, sizeof(t), "%sT00:00:00Z", s);
	return fws_time_parse(t, &v) == 0;
}

/* An FDA extra missing or malformed: a warning, or under --sbom-strict the
 * refusal. */
static int extra(struct checker *k, const char *label, const char *why)
{
	if (k->o->strict)
		return fws_diag_set(FWS_ESBOM, 0, label, "%s (--sbom-strict)", why);
	if (k->o->warn != NULL)
		k->o->warn(k->o->warn_ctx, label, why);
	return 0;
}

static int check_extras(struct checker *k, const char *label, const char *support, const char *eos,
			const char *how)
{
	char why[128];
	int rc = 0;
	if (support == NULL) {
		snprintf(why, sizeof(why), "no support level (%s" PROP_SUPPORT ")", how);
		rc = extra(k, label, why);
	}
	if (rc == 0 && (eos == NULL || !eos_valid(eos))) {
		snprintf(why, sizeof(why),
			 "%s end of support (%s" PROP_EOS ", YYYY-MM-DD or unknown)",
			 eos == NULL ? "no" : "a malformed", how);
		rc = extra(k, label, why);
	}
	return rc;
}

/* ---- CycloneDX 1.5 / 1.6 ---- */

static int cdx_extras(struct checker *k, const json_t *c, const char *label)
{
	const char *support = NULL, *eos = NULL;
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(c, "properties"), i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));
		if (name != NULL && strcmp(name, PROP_SUPPORT) == 0)
			support = text(p, "value");
		else if (name != NULL && strcmp(name, PROP_EOS) == 0)
			eos = json_string_value(json_object_get(p, "value"));
	}
	return check_extras(k, label, support, eos, "property ");
}

/* The NTIA fields of one component; its bom-ref joins the graph's names. */
static int cdx_component(struct checker *k, const json_t *c, const char *path)
{
	char label[LABEL_MAX], q[FWS_JSON_QUOTE_CAP];
	const char *ref;
	if (!json_is_object(c))
		return missing(path, "%s", "not an object");
	label_of(label, path, c);
	if (text(c, "name") == NULL)
		return missing(label, "%s", "no name");
	if (text(c, "version") == NULL)
		return missing(label, "%s", "no version");
	if (text(json_object_get(c, "supplier"), "name") == NULL)
		return missing(label, "%s", "no supplier (supplier.name)");
	if (text(c, "purl") == NULL && text(c, "cpe") == NULL)
		return missing(label, "%s", "neither purl nor cpe (a unique identifier)");
	ref = text(c, "bom-ref");
	if (ref == NULL)
		return missing(label, "%s", "no bom-ref: the dependency graph cannot name it");
	if (json_object_get(k->ids, ref) != NULL)
		return missing(label, "bom-ref %s is used twice",
			       fws_json_quote(q, ref, strlen(ref)));
	if (json_object_set_new(k->ids, ref, json_false()) != 0)
		return FWS_ENOMEM;
	return cdx_extras(k, c, label);
}

/* Every component, nested ones too, with pass 1 (fields) or pass 2 (named
 * by the dependency graph). Depth is bounded by FWS_SBOM_DEPTH_MAX. */
static int cdx_walk(struct checker *k, const json_t *arr, const char *prefix, int pass)
{
	char path[LABEL_MAX], label[LABEL_MAX];
	size_t i;
	const json_t *c;
	int rc = 0;
	if (arr != NULL && !json_is_array(arr))
		return missing(prefix, "%s", "not an array");
	json_array_foreach(arr, i, c)
	{
		snprintf(path, sizeof(path), "%s[%zu]", prefix, i);
		if (pass == 1) {
			rc = cdx_component(k, c, path);
		} else if (!json_is_true(json_object_get(k->ids, text(c, "bom-ref")))) {
			label_of(label, path, c);
			rc = missing(label, "%s", "not in the dependency graph (dependencies)");
		}
		if (rc == 0 && json_object_get(c, "components") != NULL) {
			snprintf(path + strlen(path), sizeof(path) - strlen(path), ".components");
			rc = cdx_walk(k, json_object_get(c, "components"), path, pass);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* A reference in the graph: it must name a component; it is then "in". */
static int cdx_mark(struct checker *k, const json_t *v, const char *where)
{
	char q[FWS_JSON_QUOTE_CAP];
	const char *ref = json_string_value(v);
	if (ref == NULL)
		return missing(where, "%s", "not a string");
	if (json_object_get(k->ids, ref) == NULL)
		return missing(where, "%s names no component's bom-ref",
			       fws_json_quote(q, ref, strlen(ref)));
	return json_object_set_new(k->ids, ref, json_true()) == 0 ? 0 : FWS_ENOMEM;
}

static int cdx_graph(struct checker *k, const json_t *doc)
{
	const json_t *deps = json_object_get(doc, "dependencies"), *d, *on;
	char where[LABEL_MAX];
	size_t i, j;
	int rc;
	if (!json_is_array(deps) || json_array_size(deps) == 0)
		return missing("dependencies", "%s", "missing or empty: no dependency graph");
	json_array_foreach(deps, i, d)
	{
		snprintf(where, sizeof(where), "dependencies[%zu].ref", i);
		rc = cdx_mark(k, json_object_get(d, "ref"), where);
		if (rc != 0)
			return rc;
		on = json_object_get(d, "dependsOn");
		if (on != NULL && !json_is_array(on))
			return missing(where, "%s", "dependsOn is not an array");
		json_array_foreach(on, j, d)
		{
			snprintf(where, sizeof(where), "dependencies[%zu].dependsOn[%zu]", i, j);
			rc = cdx_mark(k, d, where);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static int cdx_authors(const json_t *meta)
{
	const json_t *a = json_object_get(meta, "authors"), *t = json_object_get(meta, "tools");
	if (json_array_size(a) > 0 || json_array_size(t) > 0)
		return 1;
	/* CycloneDX 1.5 tools: {"components": [...], "services": [...]} */
	return json_array_size(json_object_get(t, "components")) > 0 ||
	       json_array_size(json_object_get(t, "services")) > 0;
}

/* The described component must be the release the manifest signs. */
static int described_is_release(const struct checker *k, const char *where, const char *name,
				const char *version)
{
	char q1[FWS_JSON_QUOTE_CAP], q2[FWS_JSON_QUOTE_CAP], q3[FWS_JSON_QUOTE_CAP],
	    q4[FWS_JSON_QUOTE_CAP];
	if (strcmp(name, k->o->product) == 0 && strcmp(version, k->o->version) == 0)
		return 0;
	return fws_diag_set(FWS_ESBOM, 0, where, "describes %s %s, but the manifest releases %s %s",
			    fws_json_quote(q1, name, strlen(name)),
			    fws_json_quote(q2, version, strlen(version)),
			    fws_json_quote(q3, k->o->product, strlen(k->o->product)),
			    fws_json_quote(q4, k->o->version, strlen(k->o->version)));
}

static int check_cdx(struct checker *k, const json_t *doc)
{
	const json_t *meta = json_object_get(doc, "metadata"), *mc;
	char label[LABEL_MAX];
	int rc;
	if (!json_is_object(meta))
		return missing("metadata", "%s",
			       "missing: author, timestamp and the described component live there");
	if (text(meta, "timestamp") == NULL)
		return missing("metadata.timestamp", "%s", "missing: when the SBOM was made");
	if (!cdx_authors(meta))
		return missing("metadata.authors", "%s",
			       "neither authors nor tools: who made the SBOM");
	mc = json_object_get(meta, "component");
	if (mc == NULL)
		return missing("metadata.component", "%s",
			       "missing: the component the SBOM describes (the release)");
	rc = cdx_component(k, mc, "metadata.component");
	if (rc == 0)
		rc = described_is_release(k, "metadata.component", text(mc, "name"),
					  text(mc, "version"));
	if (rc == 0)
		rc = cdx_walk(k, json_object_get(doc, "components"), "components", 1);
	if (rc == 0)
		rc = cdx_graph(k, doc);
	if (rc == 0 && !json_is_true(json_object_get(k->ids, text(mc, "bom-ref")))) {
		label_of(label, "metadata.component", mc);
		rc = missing(label, "%s", "not in the dependency graph (dependencies)");
	}
	if (rc == 0)
		rc = cdx_walk(k, json_object_get(doc, "components"), "components", 2);
	return rc;
}

/* ---- SPDX 2.3 ---- */

static int spdx_extras(struct checker *k, const json_t *p, const char *label)
{
	const char *support = NULL, *eos = NULL, *c;
	size_t i;
	const json_t *a;
	json_array_foreach(json_object_get(p, "annotations"), i, a)
	{
		c = json_string_value(json_object_get(a, "comment"));
		if (c != NULL && strncmp(c, PROP_SUPPORT "=", sizeof(PROP_SUPPORT)) == 0 &&
		    c[sizeof(PROP_SUPPORT)] != '\0')
			support = c + sizeof(PROP_SUPPORT);
		else if (c != NULL && strncmp(c, PROP_EOS "=", sizeof(PROP_EOS)) == 0)
			eos = c + sizeof(PROP_EOS);
	}
	return check_extras(k, label, support, eos, "annotation comment ");
}

static int spdx_identifier(const json_t *p)
{
	size_t i;
	const json_t *r;
	json_array_foreach(json_object_get(p, "externalRefs"), i, r)
	{
		const char *t = json_string_value(json_object_get(r, "referenceType"));
		if (t != NULL && text(r, "referenceLocator") != NULL &&
		    (strcmp(t, "purl") == 0 || strcmp(t, "cpe22Type") == 0 ||
		     strcmp(t, "cpe23Type") == 0))
			return 1;
	}
	return 0;
}

static int spdx_package(struct checker *k, const json_t *p, const char *path)
{
	char label[LABEL_MAX], q[FWS_JSON_QUOTE_CAP];
	const char *id, *supplier;
	if (!json_is_object(p))
		return missing(path, "%s", "not an object");
	label_of(label, path, p);
	id = text(p, "SPDXID");
	if (id == NULL)
		return missing(label, "%s", "no SPDXID: relationships cannot name it");
	if (json_object_get(k->elements, id) != NULL)
		return missing(label, "SPDXID %s is used twice", fws_json_quote(q, id, strlen(id)));
	if (text(p, "name") == NULL)
		return missing(label, "%s", "no name");
	if (text(p, "versionInfo") == NULL)
		return missing(label, "%s", "no version (versionInfo)");
	supplier = text(p, "supplier");
	if (supplier == NULL || strcmp(supplier, "NOASSERTION") == 0)
		return missing(label, "%s", "no supplier (supplier, not NOASSERTION)");
	if (!spdx_identifier(p))
		return missing(label, "%s",
			       "neither purl nor cpe (externalRefs purl, cpe22Type or cpe23Type)");
	if (json_object_set_new(k->ids, id, json_false()) != 0 ||
	    json_object_set(k->pkgs, id, (json_t *)p) != 0 ||
	    json_object_set_new(k->elements, id, json_true()) != 0)
		return FWS_ENOMEM;
	return spdx_extras(k, p, label);
}

/* Files and snippets may be ends of a CONTAINS relationship too. */
static int spdx_other_elements(struct checker *k, const json_t *doc)
{
	static const char *const lists[] = {"files", "snippets"};
	for (size_t l = 0; l < 2; l++) {
		size_t i;
		const json_t *e;
		json_array_foreach(json_object_get(doc, lists[l]), i, e)
		{
			const char *id = text(e, "SPDXID");
			if (id != NULL && json_object_set_new(k->elements, id, json_true()) != 0)
				return FWS_ENOMEM;
		}
	}
	return 0;
}

static int is_dependency(const char *type)
{
	static const char *const types[] = {
	    "DEPENDS_ON",
	    "DEPENDENCY_OF",
	    "CONTAINS",
	    "CONTAINED_BY",
	    "STATIC_LINK",
	    "DYNAMIC_LINK",
	    "RUNTIME_DEPENDENCY_OF",
	    "BUILD_DEPENDENCY_OF",
	    "PREREQUISITE_FOR",
	};
	for (size_t i = 0; type != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	return 0;
}

static int spdx_end(struct checker *k, const json_t *r, const char *key, size_t i, int related)
{
	char where[LABEL_MAX], q[FWS_JSON_QUOTE_CAP];
	const char *id = json_string_value(json_object_get(r, key));
	snprintf(where, sizeof(where), "relationships[%zu].%s", i, key);
	if (id == NULL)
		return missing(where, "%s", "missing");
	if (related && (strcmp(id, "NONE") == 0 || strcmp(id, "NOASSERTION") == 0))
		return 0;
	if (json_object_get(k->elements, id) == NULL)
		return missing(where, "%s names no package, file or snippet",
			       fws_json_quote(q, id, strlen(id)));
	if (json_object_get(k->ids, id) != NULL &&
	    json_object_set_new(k->ids, id, json_true()) != 0)
		return FWS_ENOMEM;
	return 0;
}

static int is_release(const struct checker *k, const json_t *p)
{
	return p != NULL && strcmp(text(p, "name"), k->o->product) == 0 &&
	       strcmp(text(p, "versionInfo"), k->o->version) == 0;
}

/* documentDescribes and DESCRIBES relationships from the document: one of
 * the described must be the release's package. */
static int spdx_described(struct checker *k, const json_t *doc)
{
	const json_t *v, *p, *first = NULL;
	size_t i, n = 0;
	json_array_foreach(json_object_get(doc, "documentDescribes"), i, v)
	{
		p = json_object_get(k->pkgs, json_string_value(v) ? json_string_value(v) : "");
		n++;
		if (first == NULL)
			first = p;
		if (is_release(k, p))
			return 0;
	}
	json_array_foreach(json_object_get(doc, "relationships"), i, v)
	{
		const char *from = json_string_value(json_object_get(v, "spdxElementId"));
		const char *type = json_string_value(json_object_get(v, "relationshipType"));
		const char *to = json_string_value(json_object_get(v, "relatedSpdxElement"));
		if (from == NULL || type == NULL || to == NULL ||
		    strcmp(from, "SPDXRef-DOCUMENT") != 0 || strcmp(type, "DESCRIBES") != 0)
			continue;
		p = json_object_get(k->pkgs, to);
		n++;
		if (first == NULL)
			first = p;
		if (is_release(k, p))
			return 0;
	}
	if (n == 0)
		return missing("documentDescribes", "%s",
			       "nothing described (documentDescribes or a DESCRIBES relationship): "
			       "the release must be");
	if (first != NULL)
		return described_is_release(k, "documentDescribes", text(first, "name"),
					    text(first, "versionInfo"));
	return missing("documentDescribes", "%s", "describes no package: the release must be one");
}

static int check_spdx(struct checker *k, const json_t *doc)
{
	const json_t *ci = json_object_get(doc, "creationInfo"), *v, *rels;
	char path[LABEL_MAX], label[LABEL_MAX];
	size_t i;
	int rc = 0;
	if (!json_is_object(ci))
		return missing("creationInfo", "%s", "missing: author and timestamp live there");
	if (text(ci, "created") == NULL)
		return missing("creationInfo.created", "%s", "missing: when the SBOM was made");
	const json_t *creators = json_object_get(ci, "creators");
	if (json_array_size(creators) == 0)
		return missing("creationInfo.creators", "%s",
			       "missing or empty: who made the SBOM");
	json_array_foreach(creators, i, v)
	{
		if (json_string_value(v) == NULL || json_string_value(v)[0] == '\0')
			return missing("creationInfo.creators", "%s",
				       "an entry is not a non-empty string");
	}
	v = json_object_get(doc, "packages");
	if (!json_is_array(v) || json_array_size(v) == 0)
		return missing("packages", "%s", "missing or empty: no component is listed");
	const json_t *pkgs = v;
	json_array_foreach(pkgs, i, v)
	{
		snprintf(path, sizeof(path), "packages[%zu]", i);
		rc = spdx_package(k, v, path);
		if (rc != 0)
			return rc;
	}
	rc = spdx_other_elements(k, doc);
	if (rc == 0)
		rc = spdx_described(k, doc);
	if (rc != 0)
		return rc;
	rels = json_object_get(doc, "relationships");
	json_array_foreach(rels, i, v)
	{
		const char *type = json_string_value(json_object_get(v, "relationshipType"));
		if (!is_dependency(type))
			continue;
		rc = spdx_end(k, v, "spdxElementId", i, 0);
		if (rc == 0)
			rc = spdx_end(k, v, "relatedSpdxElement", i, 1);
		if (rc != 0)
			return rc;
	}
	json_array_foreach(pkgs, i, v)
	{
		if (!json_is_true(json_object_get(k->ids, text(v, "SPDXID")))) {
			snprintf(path, sizeof(path), "packages[%zu]", i);
			label_of(label, path, v);
			return missing(label, "%s",
				       "not in the dependency graph (no DEPENDS_ON, CONTAINS or "
				       "other dependency relationship)");
		}
	}
	return 0;
}

/* ---- format ---- */

static int load(const uint8_t *json, size_t len, json_t **doc, char *format)
{
	const char *bom, *spec, *spdx;
	int rc;
	if (len > FWS_SBOM_MAX)
		return fws_diag_set(FWS_ELIMIT, 0, NULL, "%zu bytes, at most %u", len,
				    (unsigned)FWS_SBOM_MAX);
	rc = fws_json_load_depth(json, len, FWS_SBOM_MAX, FWS_SBOM_DEPTH_MAX, doc);
	if (rc == FWS_ESCHEMA)
		rc = fws_json_recode(rc, FWS_ESCHEMA, FWS_ESBOMFORMAT);
	if (rc != 0)
		return rc;
	bom = json_string_value(json_object_get(*doc, "bomFormat"));
	spec = json_string_value(json_object_get(*doc, "specVersion"));
	spdx = json_string_value(json_object_get(*doc, "spdxVersion"));
	if (bom != NULL && spdx != NULL)
		return fws_diag_set(FWS_ESBOMFORMAT, 0, NULL,
				    "both bomFormat and spdxVersion: CycloneDX or SPDX, not both");
	if (spdx != NULL && strcmp(spdx, "SPDX-2.3") == 0) {
		strcpy(format, "spdx-2.3");
		return 0;
	}
	if (bom != NULL && strcmp(bom, "CycloneDX") == 0 && spec != NULL &&
	    (strcmp(spec, "1.5") == 0 || strcmp(spec, "1.6") == 0)) {
		snprintf(format, FWS_SBOM_FORMAT_MAX + 1, "cyclonedx-%s", spec);
		return 0;
	}
	char q[FWS_JSON_QUOTE_CAP];
	if (spdx != NULL)
		return fws_diag_set(FWS_ESBOMFORMAT, 0, "spdxVersion", "%s is not SPDX-2.3",
				    fws_json_quote(q, spdx, strlen(spdx)));
	if (bom != NULL && strcmp(bom, "CycloneDX") == 0)
		return fws_diag_set(FWS_ESBOMFORMAT, 0, "specVersion", "%s is not 1.5 or 1.6",
				    spec ? fws_json_quote(q, spec, strlen(spec)) : "missing");
	return fws_diag_set(FWS_ESBOMFORMAT, 0, NULL,
			    "neither spdxVersion SPDX-2.3 nor bomFormat CycloneDX");
}

int fws_sbom_identify(const uint8_t *json, size_t len, char format[FWS_SBOM_FORMAT_MAX + 1])
{
	json_t *doc = NULL;
	if (json == NULL || format == NULL)
		return FWS_EUSAGE;
	format[0] = '\0';
	int rc = load(json, len, &doc, format);
	if (rc != 0)
		format[0] = '\0';
	json_decref(doc);
	return rc;
}

int fws_sbom_check(const uint8_t *json, size_t len, const struct fws_sbom_check_opts *o,
		   char format[FWS_SBOM_FORMAT_MAX + 1])
{
	struct checker k = {o, json_object(), json_object(), json_object()};
	json_t *doc = NULL;
	int rc = FWS_EUSAGE;
	if (json == NULL || o == NULL || o->product == NULL || o->version == NULL || format == NULL)
		goto out;
	format[0] = '\0';
	rc = FWS_ENOMEM;
	if (k.ids == NULL || k.pkgs == NULL || k.elements == NULL)
		goto out;
	rc = load(json, len, &doc, format);
	if (rc == 0)
		rc = strncmp(format, "spdx", 4) == 0 ? check_spdx(&k, doc) : check_cdx(&k, doc);
	if (rc != 0)
		format[0] = '\0';
out:
	json_decref(doc);
	json_decref(k.ids);
	json_decref(k.pkgs);
	json_decref(k.elements);
	return rc;
}
