// SPDX-License-Identifier: BSD-2-Clause
/* The HTTP client: one request over libcurl, to a unix socket
 * (CURLOPT_UNIX_SOCKET_PATH) or to http://HOST:PORT (https:// with
 * --cacert, docs/api.md "TLS").  GET, or POST/PATCH/
 * DELETE with an optional JSON body. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "cli.h"

#define CONNECT_TIMEOUT_S 5L
/* A big routing table takes a while to serialise; give up only when the
 * daemon sends nothing for this long. */
#define STALL_TIMEOUT_S 60L

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_resp *resp = arg;
	size_t n = size * nmemb;
	char *body = realloc(resp->body, resp->len + n + 1);

	if (!body)
		return 0; /* curl fails the transfer: CURLE_WRITE_ERROR */
	memcpy(body + resp->len, data, n);
	resp->len += n;
	body[resp->len] = '\0';
	resp->body = body;
	return n;
}

void http_resp_free(struct http_resp *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}

static int build_url(const struct endpoint *ep, bool tls, const char *path,
		     char *url, size_t len)
{
	const char *scheme = tls ? "https" : "http";
	int n;

	if (ep->kind == EP_UNIX)
		n = snprintf(url, len, "http://localhost%s", path);
	else if (strchr(ep->host, ':'))
		n = snprintf(url, len, "%s://[%s]:%u%s", scheme, ep->host,
			     ep->port, path);
	else
		n = snprintf(url, len, "%s://%s:%u%s", scheme, ep->host,
			     ep->port, path);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int http_request_ca(const struct endpoint *ep, const char *token,
		    const char *cacert, const char *method, const char *path,
		    const char *body, struct http_resp *resp, char *err,
		    size_t errlen)
{
	long sent = 0;
	char url[CLI_PATH_MAX + 128], cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL, *h;
	char *auth = NULL;
	long oserr = 0;
	CURLcode rc;
	CURL *c;
	int ret;

	memset(resp, 0, sizeof(*resp));
	bool tls = cacert && ep->kind == EP_TCP;

	ret = build_url(ep, tls, path, url, sizeof(url));
	if (ret) {
		snprintf(err, errlen, "request URL too long");
		return ret;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return -ENOMEM;
	}
	c = curl_easy_init();
	if (!c) {
		snprintf(err, errlen, "cannot initialise libcurl");
		ret = -ENOMEM;
		goto out_global;
	}
	hdrs = curl_slist_append(NULL, "Accept: application/json");
	if (!hdrs)
		goto nomem;
	if (body) {
		/* "Expect:" off: no 100-continue round trip for big bodies */
		static const char *const body_hdrs[] = {
			"Content-Type: application/json",
			"Expect:",
		};

		for (size_t i = 0; i < 2; i++) {
			h = curl_slist_append(hdrs, body_hdrs[i]);
			if (!h)
				goto nomem;
			hdrs = h;
		}
	}
	if (token) {
		if (asprintf(&auth, "Authorization: Bearer %s", token) < 0) {
			auth = NULL;
			goto nomem;
		}
		h = curl_slist_append(hdrs, auth);
		if (!h)
			goto nomem;
		hdrs = h;
	}
	if (ep->kind == EP_UNIX)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, ep->path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	/* only the scheme asked for: never a redirect to another */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, tls ? "https" : "http");
	if (tls)
		curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "sluicectl/" SLUICE_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, STALL_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)strlen(body));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	/* POSTFIELDS makes a POST; any other method is named outright.  A
	 * GET stays a plain GET (curl's default). */
	if (strcmp(method, "GET") && (strcmp(method, "POST") || !body))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);

	rc = curl_easy_perform(c);
	/* Whether any of the request left: a change may have been made even
	 * though no answer came. */
	if (curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &sent) == CURLE_OK)
		resp->sent = sent > 0;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		ret = 0;
	} else if (rc == CURLE_COULDNT_CONNECT &&
		   curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr) ==
			   CURLE_OK &&
		   oserr > 0) {
		/* The socket's own errno says it best: "Connection refused",
		 * "No such file or directory", "Permission denied". */
		snprintf(err, errlen, "%s", strerror((int)oserr));
		ret = -(int)oserr;
	} else if (rc == CURLE_WRITE_ERROR) {
		snprintf(err, errlen, "out of memory reading the response");
		ret = -ENOMEM;
	} else {
		snprintf(err, errlen, "%s",
			 *cerr ? cerr : curl_easy_strerror(rc));
		ret = -EIO;
	}
	if (ret)
		http_resp_free(resp);
	goto out_easy;

nomem:
	snprintf(err, errlen, "out of memory");
	ret = -ENOMEM;
out_easy:
	free(auth);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
out_global:
	curl_global_cleanup();
	return ret;
}

int http_request(const struct endpoint *ep, const char *token,
		 const char *method, const char *path, const char *body,
		 struct http_resp *resp, char *err, size_t errlen)
{
	return http_request_ca(ep, token, NULL, method, path, body, resp, err,
			       errlen);
}
