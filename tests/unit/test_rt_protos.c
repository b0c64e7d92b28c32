// SPDX-License-Identifier: BSD-2-Clause
/* Route protocol names as iproute2 prints them: the kernel's, then each
 * directory's rt_protos and rt_protos.d/NAME.conf, the later winning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "rt_protos.h"

static char root[64];

static void write_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char path[256];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_rt_protos.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "%s/usr", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/rt_protos.d", root);
	mkdir(path, 0755);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) ? -1 : 0;
}

static const char *name(unsigned int p)
{
	static char buf[8];

	return rt_proto_name((uint8_t)p, buf, sizeof(buf));
}

static void load(void)
{
	char usr[128], etc[128];
	const char *dirs[] = { usr, etc, NULL };

	snprintf(usr, sizeof(usr), "%s/usr", root);
	snprintf(etc, sizeof(etc), "%s/etc", root);
	rt_protos_load(dirs);
}

static void test_kernel_names_without_files(void **state)
{
	(void)state;
	load();
	assert_string_equal(name(2), "kernel");
	assert_string_equal(name(4), "static");
	assert_string_equal(name(12), "bird");
	assert_string_equal(name(186), "bgp");
	assert_string_equal(name(188), "ospf");
	assert_string_equal(name(196), "196");
	assert_string_equal(name(255), "255");
}

static void test_frr_conf(void **state)
{
	(void)state;
	/* as FRR's package installs it */
	write_file("etc/rt_protos.d/frr.conf",
		   "# Additional protocol strings defined by frr\n"
		   "\n"
		   "186  bgp\n"
		   "190  ripng\n"
		   "196  static\n"
		   "197  openfabric\n");
	write_file("etc/rt_protos.d/README", "200 not-a-conf-file\n");
	load();
	assert_string_equal(name(196), "static");
	assert_string_equal(name(190), "ripng");
	assert_string_equal(name(197), "openfabric");
	assert_string_equal(name(186), "bgp");
	assert_string_equal(name(200), "200"); /* only *.conf is read */
	assert_string_equal(name(4), "static");
}

static void test_later_wins_and_bad_lines(void **state)
{
	(void)state;
	write_file("usr/rt_protos", "250 vendor\n251 old\n");
	write_file("etc/rt_protos",
		   "251 new # the administrator's\n"
		   "0x20 hexa\n"
		   "256 too-big\n"
		   "x12 not-a-number\n"
		   "77\n"
		   "78 a-name-longer-than-thirty-one-characters\n"
		   "\t  79\tindented\n");
	load();
	assert_string_equal(name(250), "vendor");
	assert_string_equal(name(251), "new");
	assert_string_equal(name(32), "hexa");
	assert_string_equal(name(0), "unspec"); /* 256 did not wrap */
	assert_string_equal(name(77), "77");
	assert_string_equal(name(78), "78");
	assert_string_equal(name(79), "indented");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_names_without_files),
		cmocka_unit_test(test_frr_conf),
		cmocka_unit_test(test_later_wins_and_bad_lines),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
