/* Unit tests: container identity from real-world cgroup v2 paths (as
 * /proc/PID/cgroup shows them on docker, containerd/Kubernetes, podman,
 * CRI-O and systemd hosts). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "model/cgroup.h"

#define ID "4c5b1d3b2a7e9f0d8c6b5a4e3f2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect(const char *path, bool container, const char *runtime, const char *id)
{
	struct fp_container c;

	assert_int_equal(cgroup__parse(path, &c), container);
	assert_string_equal(c.runtime, runtime);
	assert_string_equal(c.id, id);
}

static void test_docker(void **state)
{
	expect("/system.slice/docker-" ID ".scope", true, "docker", ID);
	expect("/docker/" ID, true, "docker", ID);			/* cgroupfs driver */
	expect("/sys/fs/cgroup/fastpath-test-1/docker-" ID ".scope", true, "docker", ID);
	/* a container's own sub-cgroup (systemd or cgroupns inside) */
	expect("/system.slice/docker-" ID ".scope/init.scope", true, "docker", ID);
}

static void test_kubernetes(void **state)
{
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice/cri-containerd-" ID ".scope",
	       true, "containerd", ID);
	expect("/kubepods/besteffort/pod1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901/" ID, true, "kubepods", ID);
	expect("/kubepods.slice/kubepods-pod42.slice/crio-" ID ".scope", true, "crio", ID);
	expect("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podx.slice/docker-" ID ".scope",
	       true, "docker", ID);
}

static void test_podman(void **state)
{
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope", true, "podman", ID);
	expect("/machine.slice/libpod-" ID ".scope/container", true, "podman", ID);
	expect("/libpod_parent/libpod-" ID, true, "podman", ID);
	/* conmon, the monitor, is not the container */
	expect("/machine.slice/libpod-conmon-" ID ".scope", false, "systemd", "libpod-conmon-" ID ".scope");
}

static void test_nested_innermost(void **state)
{
	expect("/system.slice/docker-" ID ".scope/docker/" ID2, true, "docker", ID2);
}

static void test_systemd(void **state)
{
	expect("/system.slice/nginx.service", false, "systemd", "nginx.service");
	expect("/user.slice/user-1000.slice/session-3.scope", false, "systemd", "session-3.scope");
	expect("/user.slice/user-1000.slice", false, "systemd", "user-1000.slice");
	expect("/system.slice/docker.service", false, "systemd", "docker.service");
}

static void test_not_a_container(void **state)
{
	expect("/", false, "", "");
	expect("", false, "", "");
	expect(NULL, false, "", "");
	expect("/fastpath-test", false, "", "");
	/* one digit short, upper case, not hex: no container id */
	expect("/docker/" "4c5b1d3b2a7e9f0d8c6b5a4e3f2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4", false, "", "");
	expect("/system.slice/docker-" "4C5B1D3B2A7E9F0D8C6B5A4E3F2D1C0B9A8F7E6D5C4B3A2F1E0D9C8B7A6F5E4D" ".scope",
	       false, "systemd", "docker-4C5B1D3B2A7E9F0D8C6B5A4E3F2D1C0B9A8F7E6D5C4B3A2F1E0D9C8B7A6F5E4D.scope");
	expect("/" ID, false, "", "");	/* bare hex: no engine said so */
}

static void test_hostile_names(void **state)
{
	struct fp_container c;
	char path[600];

	/* a name longer than the id buffer is cut, never overflows */
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	memcpy(path + sizeof(path) - 8, ".scope", 7);
	cgroup__parse(path, &c);
	assert_int_equal(strlen(c.id), sizeof(c.id) - 1);
	expect("/a\x1b[2J.service", false, "systemd", "a\x1b[2J.service");
}

static void test_matches(void **state)
{
	const char *p = "/system.slice/docker-" ID ".scope";

	assert_true(cgroup__matches(p, "4c5b1d3b2a7e"));	/* a short id */
	assert_true(cgroup__matches(p, ID));
	assert_true(cgroup__matches(p, "docker-4c5b"));		/* a name prefix */
	assert_false(cgroup__matches(p, "4c5b1d3b2a7f"));
	assert_false(cgroup__matches(p, "system"));		/* only the last component */
	assert_false(cgroup__matches(p, ""));
	assert_true(cgroup__matches("/system.slice/nginx.service", "nginx"));
	assert_false(cgroup__matches(NULL, "x"));
}

static void test_level(void **state)
{
	assert_int_equal(cgroup__level("/"), 0);
	assert_int_equal(cgroup__level(""), 0);
	assert_int_equal(cgroup__level(NULL), 0);
	assert_int_equal(cgroup__level("/system.slice"), 1);
	assert_int_equal(cgroup__level("/system.slice/docker-" ID ".scope"), 2);
	assert_int_equal(cgroup__level("//a//b/"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_kubernetes),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_nested_innermost),
		cmocka_unit_test(test_systemd),
		cmocka_unit_test(test_not_a_container),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
