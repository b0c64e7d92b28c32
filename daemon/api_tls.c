// SPDX-License-Identifier: BSD-2-Clause
/*
 * The TLS certificate and key of the tcp: listeners, read at start.  What
 * can be told here is told here, naming the config key and the path: a
 * file missing, unreadable, empty, too large, or without the PEM block it
 * should hold.  Whether the key is the certificate's is GnuTLS's to say
 * when libmicrohttpd starts the listener (api_start(), which names both).
 * Certificates are read once: a renewed one takes a restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "api_tls.h"
#include "config.h"

static int read_pem(const char *key, const char *path, const char *want,
		    char **out, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	char *buf;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: '%s': %s", key, path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		snprintf(err, errlen, "%s: '%s': %s", key, path, strerror(-rc));
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s: '%s' is not a regular file", key,
			 path);
		goto err_close;
	}
	if (st.st_size > API_TLS_FILE_MAX) {
		rc = -EFBIG;
		snprintf(err, errlen, "%s: '%s' is larger than %d bytes", key,
			 path, API_TLS_FILE_MAX);
		goto err_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", key);
		goto err_close;
	}
	n = read(fd, buf, (size_t)st.st_size);
	if (n < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: '%s': %s", key, path, strerror(-rc));
		goto err_free;
	}
	buf[n] = '\0';
	/* "-----BEGIN CERTIFICATE-----", "-----BEGIN [EC ]PRIVATE KEY-----" */
	if (!strstr(buf, "-----BEGIN ") || !strstr(buf, want) ||
	    strlen(buf) != (size_t)n) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s: '%s' holds no PEM %s", key, path,
			 !strcmp(want, "CERTIFICATE-----") ? "certificate" :
							     "private key");
		goto err_free;
	}
	close(fd);
	*out = buf;
	return 0;
err_free:
	free(buf);
err_close:
	close(fd);
	return rc;
}

int api_tls_load(const struct sluiced_config *cfg, struct api_tls *tls,
		 char *err, size_t errlen)
{
	int rc;

	memset(tls, 0, sizeof(*tls));
	if (!cfg->api_tls_cert && !cfg->api_tls_key)
		return 0;
	if (!cfg->api_tls_cert || !cfg->api_tls_key) {
		snprintf(err, errlen, "%s: set without %s",
			 cfg->api_tls_cert ? "api_tls_cert" : "api_tls_key",
			 cfg->api_tls_cert ? "api_tls_key" : "api_tls_cert");
		return -EINVAL;
	}
	rc = read_pem("api_tls_cert", cfg->api_tls_cert, "CERTIFICATE-----",
		      &tls->cert, err, errlen);
	if (!rc)
		rc = read_pem("api_tls_key", cfg->api_tls_key,
			      "PRIVATE KEY-----", &tls->key, err, errlen);
	if (rc) {
		api_tls_free(tls);
		return rc;
	}
	tls->cert_path = cfg->api_tls_cert;
	tls->key_path = cfg->api_tls_key;
	return 0;
}

void api_tls_free(struct api_tls *tls)
{
	free(tls->cert);
	/* the key does not linger in freed memory */
	if (tls->key)
		explicit_bzero(tls->key, strlen(tls->key));
	free(tls->key);
	memset(tls, 0, sizeof(*tls));
}
