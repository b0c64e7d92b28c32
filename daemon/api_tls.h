/* SPDX-License-Identifier: BSD-2-Clause */
/* HTTPS for the tcp: listeners: the certificate and key (api_tls_cert,
 * api_tls_key) read into memory at start, before sluiced drops its
 * capabilities, and handed to libmicrohttpd (GnuTLS, as Debian builds it). */
#ifndef SLUICED_API_TLS_H
#define SLUICED_API_TLS_H

#include <stddef.h>

struct sluiced_config;

/* The largest PEM file read: a certificate chain fits many times over. */
#define API_TLS_FILE_MAX (256 * 1024)

struct api_tls {
	char *cert; /* PEM, NUL-terminated; NULL: plain HTTP */
	char *key;
	const char *cert_path, *key_path; /* the config's, for messages */
};

/* Reads @cfg's api_tls_cert and api_tls_key when set (else 0 and @tls
 * empty): 0, or -errno with @err naming the key and the path and what is
 * wrong ("api_tls_key: '/etc/x.pem': No such file or directory",
 * "api_tls_cert: '/etc/x.pem' holds no PEM certificate"). */
int api_tls_load(const struct sluiced_config *cfg, struct api_tls *tls,
		 char *err, size_t errlen);
void api_tls_free(struct api_tls *tls);

#endif
