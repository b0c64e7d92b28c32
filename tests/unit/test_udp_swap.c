// SPDX-License-Identifier: BSD-2-Clause
/* sluice-echo's turn-around (examples/udp_swap.h): exact bytes for IPv4
 * and IPv6, the checksums still valid, and every frame it must leave
 * alone (other port, fragment, TCP, ARP, VLAN, short). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "udp_swap.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* eth + IPv4 + UDP 1000 -> @dport, payload "hello", checksums right */
static size_t v4_frame(uint8_t *f, uint16_t dport, uint16_t frag)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint32_t pseudo;
	uint16_t c;

	memset(f, 0, 64);
	memcpy(f, mac_b, 6);
	memcpy(f + 6, mac_a, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 20 + 8 + 5;
	ip[6] = (uint8_t)(frag >> 8);
	ip[7] = (uint8_t)frag;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (uint8_t[]){ 198, 18, 0, 1 }, 4);
	memcpy(ip + 16, (uint8_t[]){ 198, 18, 0, 2 }, 4);
	c = csum(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[0] = 1000 >> 8;
	udp[1] = 1000 & 0xff;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[5] = 8 + 5;
	memcpy(udp + 8, "hello", 5);
	pseudo = (198 << 8 | 18) * 2 + 1 + 2 + 17 + 13;
	c = csum(udp, 13, pseudo);
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
	return 14 + 20 + 13;
}

static void test_v4_turned_around(void **state)
{
	uint8_t f[64], orig[64];
	size_t len = v4_frame(f, 7, 0);
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint32_t pseudo = (198 << 8 | 18) * 2 + 1 + 2 + 17 + 13;

	(void)state;
	memcpy(orig, f, sizeof(f));
	assert_true(udp_swap(f, (uint32_t)len, 7));
	assert_memory_equal(f, mac_a, 6);
	assert_memory_equal(f + 6, mac_b, 6);
	assert_memory_equal(ip + 12, orig + 14 + 16, 4);
	assert_memory_equal(ip + 16, orig + 14 + 12, 4);
	assert_int_equal(udp[0] << 8 | udp[1], 7);
	assert_int_equal(udp[2] << 8 | udp[3], 1000);
	assert_memory_equal(udp + 8, "hello", 5);
	/* both checksums verify (sum to zero) untouched */
	assert_int_equal(csum(ip, 20, 0), 0);
	assert_int_equal(csum(udp, 13, pseudo), 0);
	/* and back again: the original bytes */
	assert_true(udp_swap(f, (uint32_t)len, 1000));
	assert_memory_equal(f, orig, len);
}

static void test_v6_turned_around(void **state)
{
	uint8_t f[14 + 40 + 8 + 2] = { 0 };
	uint8_t *ip = f + 14, *udp = ip + 40;

	(void)state;
	memcpy(f, mac_b, 6);
	memcpy(f + 6, mac_a, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[5] = 10;
	ip[6] = 17;
	ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
	ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 2;
	udp[1] = 9;  /* sport 9 */
	udp[3] = 53; /* dport 53 */
	udp[5] = 10;
	udp[8] = 'h';
	udp[9] = 'i';
	assert_true(udp_swap(f, sizeof(f), 53));
	assert_int_equal(ip[23], 2);
	assert_int_equal(ip[39], 1);
	assert_int_equal(udp[1], 53);
	assert_int_equal(udp[3], 9);
	assert_memory_equal(f, mac_a, 6);
}

static void test_left_alone(void **state)
{
	uint8_t f[64], orig[64];
	size_t len;

	(void)state;
	len = v4_frame(f, 7, 0);
	memcpy(orig, f, sizeof(f));
	assert_false(udp_swap(f, (uint32_t)len, 8)); /* another port */
	assert_memory_equal(f, orig, sizeof(f));
	len = v4_frame(f, 7, 0x2000); /* more fragments */
	assert_false(udp_swap(f, (uint32_t)len, 7));
	len = v4_frame(f, 7, 0x0001); /* a later fragment */
	assert_false(udp_swap(f, (uint32_t)len, 0));
	len = v4_frame(f, 7, 0);
	f[14 + 9] = 6; /* TCP */
	assert_false(udp_swap(f, (uint32_t)len, 0));
	len = v4_frame(f, 7, 0);
	f[12] = 0x08, f[13] = 0x06; /* ARP */
	assert_false(udp_swap(f, (uint32_t)len, 0));
	len = v4_frame(f, 7, 0);
	f[12] = 0x81, f[13] = 0x00; /* VLAN: not handled, not mangled */
	assert_false(udp_swap(f, (uint32_t)len, 0));
	len = v4_frame(f, 7, 0);
	assert_false(udp_swap(f, 14 + 20 + 7, 0)); /* UDP header cut */
	assert_false(udp_swap(f, 13, 0));
	f[14] = 0x4f; /* IHL 60: the header runs past the frame */
	assert_false(udp_swap(f, (uint32_t)len, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_turned_around),
		cmocka_unit_test(test_v6_turned_around),
		cmocka_unit_test(test_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
