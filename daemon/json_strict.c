// SPDX-License-Identifier: BSD-2-Clause
/*
 * A validating walk over RFC 8259 JSON, run before json-c builds the
 * document: it refuses what json-c lets through (see json_strict.h) and
 * finds duplicate keys, which json-c drops without a trace (the last one
 * wins), so that {"port": 80, "port": 8080} cannot mean something other
 * than what its author read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "json_strict.h"

struct js {
	const char *s;
	size_t len;
	size_t pos;
	int depth;
	char *err;
	size_t errlen;
};

void json_text_position(const char *text, size_t len, size_t off, int *line,
			int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int js_fail(struct js *j, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int js_fail(struct js *j, size_t at, const char *fmt, ...)
{
	char msg[200];
	int line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_text_position(j->s, j->len, at, &line, &col);
	snprintf(j->err, j->errlen, "invalid JSON at line %d column %d: %s",
		 line, col, msg);
	return -EINVAL;
}

/* The next byte, or -1 at the end. */
static int js_peek(const struct js *j)
{
	return j->pos < j->len ? (unsigned char)j->s[j->pos] : -1;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_word(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

static void js_ws(struct js *j)
{
	for (int c = js_peek(j);
	     c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = js_peek(j))
		j->pos++;
}

/* Something that cannot come here: say what it is and what could. */
static int js_unexpected(struct js *j, const char *wanted)
{
	int c = js_peek(j);
	size_t n = 0;

	if (c < 0)
		return js_fail(j, j->pos,
			       "unexpected end of input (%s expected)", wanted);
	if (c == '/')
		return js_fail(j, j->pos, "comments are not allowed");
	if (c == '\'')
		return js_fail(j, j->pos,
			       "strings take double quotes, not single");
	if (is_word(c)) { /* NaN, Infinity, True, nul... */
		while (j->pos + n < j->len && n < 24 &&
		       is_word(j->s[j->pos + n]))
			n++;
		return js_fail(j, j->pos, "unexpected '%.*s' (%s expected)",
			       (int)n, j->s + j->pos, wanted);
	}
	if (c > 0x20 && c < 0x7f)
		return js_fail(j, j->pos, "unexpected '%c' (%s expected)", c,
			       wanted);
	return js_fail(j, j->pos, "unexpected byte 0x%02x (%s expected)", c,
		       wanted);
}

/* The length of the well-formed UTF-8 sequence at @s (@n bytes left), 0 if
 * it is not one: no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int hex4(const char *s, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* "\uXXXX" at j->pos, or a surrogate pair of them: the code point. */
static int js_unicode_escape(struct js *j, uint32_t *cp)
{
	size_t at = j->pos;
	uint32_t lo;

	if (j->len - j->pos < 6 || hex4(j->s + j->pos + 2, cp))
		return js_fail(j, at, "'\\u' takes four hex digits");
	j->pos += 6;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return js_fail(j, at,
			       "'\\u%04x' is the second half of a "
			       "surrogate pair, without the first",
			       *cp);
	if (*cp >= 0xd800 && *cp <= 0xdbff) {
		if (j->len - j->pos < 6 || j->s[j->pos] != '\\' ||
		    j->s[j->pos + 1] != 'u' || hex4(j->s + j->pos + 2, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return js_fail(j, at,
				       "'\\u%04x' is the first half of a "
				       "surrogate pair, without the second",
				       *cp);
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
		j->pos += 6;
	}
	if (!*cp)
		return js_fail(j, at,
			       "'\\u0000' (NUL) is not allowed in a string");
	return 0;
}

/* The string whose opening quote is at j->pos.  @out, when not NULL,
 * receives it decoded and NUL-terminated: the decoded form is never longer
 * than the text between the quotes, so that length + 1 bytes will do. */
static int js_string(struct js *j, char *out)
{
	static const char esc_in[] = "\"\\/bfnrt",
			  esc_out[] = "\"\\/\b\f\n\r\t";
	size_t start = j->pos, o = 0;
	int rc;

	j->pos++;
	for (;;) {
		int c = js_peek(j);
		uint32_t cp;
		size_t n;

		if (c < 0)
			return js_fail(j, start, "string not terminated");
		if (c == '"')
			break;
		if (c < 0x20)
			return js_fail(j, j->pos,
				       "control character 0x%02x in a "
				       "string (write it as an escape)",
				       c);
		if (c == '\\') {
			c = j->pos + 1 < j->len ?
				    (unsigned char)j->s[j->pos + 1] :
				    -1;
			if (c > 0 && strchr(esc_in, c)) {
				if (out)
					out[o++] = esc_out[strchr(esc_in, c) -
							   esc_in];
				j->pos += 2;
				continue;
			}
			if (c != 'u')
				return c > 0x20 && c < 0x7f ?
					       js_fail(j, j->pos,
						       "invalid escape "
						       "'\\%c' in a string",
						       c) :
					       js_fail(j, j->pos,
						       "invalid escape "
						       "in a string");
			rc = js_unicode_escape(j, &cp);
			if (rc)
				return rc;
			if (out)
				o += put_utf8(out + o, cp);
			continue;
		}
		n = utf8_len((const unsigned char *)j->s + j->pos,
			     j->len - j->pos);
		if (!n)
			return js_fail(j, j->pos, "invalid UTF-8 in a string");
		if (out)
			memcpy(out + o, j->s + j->pos, n);
		o += n;
		j->pos += n;
	}
	j->pos++;
	if (out)
		out[o] = '\0';
	return 0;
}

/* An integer json-c cannot hold: it keeps the nearest 64-bit value, so
 * 99999999999999999999 would be checked, and named in an error, as
 * 18446744073709551615 or 9223372036854775807, never as written.  No field
 * of ours takes more than 63 bits, so what int64 cannot hold is refused
 * here, as the user wrote it. */
static bool beyond_int64(const char *digits, size_t n, bool negative)
{
	static const char max[] = "9223372036854775807";
	static const char min[] = "9223372036854775808"; /* its magnitude */
	const char *limit = negative ? min : max;

	if (n != sizeof(max) - 1)
		return n > sizeof(max) - 1;
	return memcmp(digits, limit, n) > 0;
}

static int js_number(struct js *j)
{
	size_t start = j->pos, digits;
	bool negative = false;

	if (js_peek(j) == '-') {
		negative = true;
		j->pos++;
	}
	digits = j->pos;
	if (js_peek(j) == '0') {
		j->pos++;
		if (is_digit(js_peek(j)))
			return js_fail(j, start, "leading zero in a number");
	} else if (is_digit(js_peek(j))) {
		while (is_digit(js_peek(j)))
			j->pos++;
	} else {
		return js_unexpected(j, "a digit");
	}
	if (js_peek(j) != '.' && js_peek(j) != 'e' && js_peek(j) != 'E' &&
	    beyond_int64(j->s + digits, j->pos - digits, negative)) {
		size_t n = j->pos - start;

		return js_fail(j, start,
			       "the integer %.*s%s is beyond 64 bits "
			       "(-2^63..2^63-1)",
			       (int)(n > 40 ? 40 : n), j->s + start,
			       n > 40 ? "..." : "");
	}
	if (js_peek(j) == '.') {
		j->pos++;
		if (!is_digit(js_peek(j)))
			return js_unexpected(j, "a digit after '.'");
		while (is_digit(js_peek(j)))
			j->pos++;
	}
	if (js_peek(j) == 'e' || js_peek(j) == 'E') {
		j->pos++;
		if (js_peek(j) == '+' || js_peek(j) == '-')
			j->pos++;
		if (!is_digit(js_peek(j)))
			return js_unexpected(j, "a digit in the exponent");
		while (is_digit(js_peek(j)))
			j->pos++;
	}
	return 0;
}

static int js_literal(struct js *j, const char *word)
{
	size_t n = strlen(word);

	if (j->len - j->pos < n || memcmp(j->s + j->pos, word, n) ||
	    (j->pos + n < j->len && is_word(j->s[j->pos + n])))
		return js_unexpected(j, "a value");
	j->pos += n;
	return 0;
}

static int js_value(struct js *j);

static int js_object(struct js *j)
{
	struct json_object *seen; /* the keys so far, as a set */
	size_t comma = 0;	  /* where the last ',' was */
	int rc;

	if (++j->depth > JSON_STRICT_MAX_DEPTH) {
		rc = js_fail(j, j->pos,
			     "nested deeper than %d objects and "
			     "arrays",
			     JSON_STRICT_MAX_DEPTH);
		goto out;
	}
	seen = json_object_new_object();
	if (!seen) {
		rc = -ENOMEM;
		goto out;
	}
	j->pos++;
	js_ws(j);
	if (js_peek(j) == '}') {
		j->pos++;
		rc = 0;
		goto out_seen;
	}
	for (;;) {
		size_t key_at = j->pos, key_end;
		char *key;

		if (js_peek(j) != '"') {
			rc = comma && js_peek(j) == '}' ?
				     js_fail(j, comma,
					     "trailing comma before '}'") :
				     js_unexpected(j, "a key in double quotes");
			goto out_seen;
		}
		/* once to find its end, once to decode it */
		rc = js_string(j, NULL);
		if (rc)
			goto out_seen;
		key_end = j->pos;
		key = malloc(key_end - key_at);
		if (!key) {
			rc = -ENOMEM;
			goto out_seen;
		}
		j->pos = key_at;
		(void)js_string(j, key);
		if (json_object_object_get_ex(seen, key, NULL)) {
			int n = (int)(key_end - key_at - 2);

			free(key);
			/* as written, not decoded: an escape stays legible */
			rc = js_fail(j, key_at, "duplicate key '%.*s%s'",
				     n > 64 ? 64 : n, j->s + key_at + 1,
				     n > 64 ? "..." : "");
			goto out_seen;
		}
		rc = json_object_object_add(seen, key, NULL) ? -ENOMEM : 0;
		free(key);
		if (rc)
			goto out_seen;
		js_ws(j);
		if (js_peek(j) != ':') {
			rc = js_unexpected(j, "':'");
			goto out_seen;
		}
		j->pos++;
		js_ws(j);
		rc = js_value(j);
		if (rc)
			goto out_seen;
		js_ws(j);
		if (js_peek(j) == ',') {
			comma = j->pos++;
			js_ws(j);
			continue;
		}
		if (js_peek(j) == '}') {
			j->pos++;
			break;
		}
		rc = js_unexpected(j, "',' or '}'");
		goto out_seen;
	}
out_seen:
	json_object_put(seen);
out:
	j->depth--;
	return rc;
}

static int js_array(struct js *j)
{
	size_t comma = 0;
	int rc;

	if (++j->depth > JSON_STRICT_MAX_DEPTH) {
		rc = js_fail(j, j->pos,
			     "nested deeper than %d objects and "
			     "arrays",
			     JSON_STRICT_MAX_DEPTH);
		goto out;
	}
	j->pos++;
	js_ws(j);
	if (js_peek(j) == ']') {
		j->pos++;
		rc = 0;
		goto out;
	}
	for (;;) {
		if (comma && js_peek(j) == ']') {
			rc = js_fail(j, comma, "trailing comma before ']'");
			goto out;
		}
		rc = js_value(j);
		if (rc)
			goto out;
		js_ws(j);
		if (js_peek(j) == ',') {
			comma = j->pos++;
			js_ws(j);
			continue;
		}
		if (js_peek(j) == ']') {
			j->pos++;
			break;
		}
		rc = js_unexpected(j, "',' or ']'");
		goto out;
	}
out:
	j->depth--;
	return rc;
}

static int js_value(struct js *j)
{
	int c = js_peek(j);

	switch (c) {
	case '{': return js_object(j);
	case '[': return js_array(j);
	case '"': return js_string(j, NULL);
	case 't': return js_literal(j, "true");
	case 'f': return js_literal(j, "false");
	case 'n': return js_literal(j, "null");
	default:
		if (c == '-' || is_digit(c))
			return js_number(j);
		return js_unexpected(j, "a value");
	}
}

int json_strict_check(const char *text, size_t len, char *err, size_t errlen)
{
	struct js j = { .s = text, .len = len, .err = err, .errlen = errlen };
	int rc;

	js_ws(&j);
	rc = js_value(&j);
	if (rc)
		goto out;
	js_ws(&j);
	if (j.pos < j.len)
		rc = js_peek(&j) == '/' ?
			     js_fail(&j, j.pos, "comments are not allowed") :
			     js_fail(&j, j.pos,
				     "unexpected data after the document");
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "invalid JSON: out of memory");
	return rc;
}
