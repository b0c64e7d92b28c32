// SPDX-License-Identifier: BSD-2-Clause
/* The pcapng writer (pcapng.h). */
#include <errno.h>
#include <string.h>
#include "pcapng.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define LINKTYPE_ETHERNET 1
#define OPT_END 0
#define OPT_COMMENT 1
#define SHB_USERAPPL 4

static uint32_t pad4(uint32_t n)
{
	return (n + 3) & ~3u;
}

static int put(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : -EIO;
}

static int put32(FILE *f, uint32_t v)
{
	return put(f, &v, 4); /* the section is in host order (x86: LE) */
}

/* One option: code, length, value padded to 4 bytes. */
static int put_opt(FILE *f, uint16_t code, const char *s)
{
	static const char zeros[4];
	uint16_t h[2] = { code, (uint16_t)strlen(s) };

	return put(f, h, 4)	       ?:
		       put(f, s, h[1]) ?:
					 put(f, zeros, pad4(h[1]) - h[1]);
}

static uint32_t opt_len(const char *s)
{
	return s ? 4 + pad4((uint32_t)strlen(s)) : 0;
}

int pcapng_begin(FILE *f, uint32_t snaplen, const char *app)
{
	/* SHB: type, length, magic, version 1.0, section length unknown */
	uint32_t len = 28 + opt_len(app) + (app ? 4 : 0);
	uint16_t ver[2] = { 1, 0 };
	uint64_t sec_len = UINT64_MAX;
	uint16_t link[2] = { LINKTYPE_ETHERNET, 0 };
	int err;

	if (app && strlen(app) > 0xffff)
		return -EINVAL;
	err = put32(f, BT_SHB)			 ?:
		      put32(f, len)		 ?:
		      put32(f, BYTE_ORDER_MAGIC) ?:
		      put(f, ver, 4)		 ?:
						   put(f, &sec_len, 8);
	if (!err && app)
		err = put_opt(f, SHB_USERAPPL, app) ?: put32(f, OPT_END);
	err = err ?: put32(f, len);
	/* IDB: Ethernet, the snap length, no options */
	return err			 ?:
		       put32(f, BT_IDB)	 ?:
		       put32(f, 20)	 ?:
		       put(f, link, 4)	 ?:
		       put32(f, snaplen) ?:
					   put32(f, 20);
}

int pcapng_frame(FILE *f, uint64_t ts_us, const void *data, uint32_t cap,
		 uint32_t orig, const char *comment)
{
	static const char zeros[4];
	uint32_t len = 32 + pad4(cap) + opt_len(comment) + (comment ? 4 : 0);
	int err;

	if (comment && strlen(comment) > 0xffff)
		return -EINVAL;
	err = put32(f, BT_EPB)				?:
		      put32(f, len)			?:
		      put32(f, 0)			?:
		      put32(f, (uint32_t)(ts_us >> 32)) ?:
		      put32(f, (uint32_t)ts_us)		?:
		      put32(f, cap)			?:
		      put32(f, orig)			?:
		      put(f, data, cap)			?:
		      put(f, zeros, pad4(cap) - cap);
	if (!err && comment)
		err = put_opt(f, OPT_COMMENT, comment) ?: put32(f, OPT_END);
	return err ?: put32(f, len);
}
