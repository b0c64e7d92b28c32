#!/usr/bin/env bash
# deploy/kubernetes against the Kubernetes schema, offline (validate.js with
# the npm package kubernetes-models, installed here by scripts/deps.sh), and
# broken copies of the DaemonSet that must fail: a test that cannot fail
# would prove nothing.  TAP on stdout.
set -uo pipefail
cd "$(dirname "$0")/../.."
k8s=deploy/kubernetes
if [ ! -d tests/k8s/node_modules/kubernetes-models ]; then
	echo "not ok 1 - tests/k8s/node_modules missing: run scripts/deps.sh" \
		"(npm ci --prefix tests/k8s)"
	exit 1
fi
export NODE_PATH=$PWD/tests/k8s/node_modules
tmp=$(mktemp -d /tmp/sluice-k8s.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; shift; [ $# -gt 0 ] && echo "# $*"; }

# every manifest matches the schema
out=$(node tests/k8s/validate.js "$k8s"/*.yaml)
rc=$?
echo "$out" | grep -E '^(not ok|#)' | sed 's/^/# /'
if [ $rc -eq 0 ]; then
	ok "deploy/kubernetes: $(echo "$out" | grep -c '^ok') objects match the schema"
else
	not_ok "deploy/kubernetes does not match the schema"
fi

# break DESC SED_EXPR EXPECT: the DaemonSet changed by SED_EXPR fails, and
# the message holds EXPECT
break_ds() {
	local desc=$1 expr=$2 expect=$3 f="$tmp/ds.yaml" res
	sed "$expr" "$k8s/daemonset.yaml" >"$f"
	if cmp -s "$f" "$k8s/daemonset.yaml"; then
		not_ok "broken copy ($desc): the edit changed nothing"
		return
	fi
	res=$(node tests/k8s/validate.js "$f")
	if [ $? -ne 0 ] && [[ $res == *"$expect"* ]]; then
		ok "broken copy fails: $desc"
	else
		not_ok "broken copy passes or says the wrong thing: $desc" "$res"
	fi
}
break_ds "a misspelled field" 's/readOnlyRootFilesystem/readOnlyRootFileSystem/' \
	"securityContext.readOnlyRootFileSystem: not a field"
break_ds "a wrong type" 's/hostNetwork: true/hostNetwork: "yes"/' \
	"hostNetwork must be boolean"
break_ds "a required field gone" 's/^  selector:/  selectr:/' \
	"must have required property selector"
break_ds "a probe misspelled" 's/^          livenessProbe:/          livenesProbe:/' \
	"livenesProbe: not a field"
break_ds "a capability not a string" 's/add: \["BPF"/add: [7/' \
	"capabilities/add/0 must be string"

# the ConfigMap carries the same config as the image's default
cm=$(python3 -c '
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    print(d["data"]["sluiced.json"], end="")' "$k8s/configmap.yaml")
if [ "$cm" = "$(cat "$k8s/sluiced.json")" ]; then
	ok "configmap.yaml holds deploy/kubernetes/sluiced.json"
else
	not_ok "configmap.yaml and deploy/kubernetes/sluiced.json differ"
fi
# and sluiced takes it, with a token as the DaemonSet passes it on its
# command line, and refuses secret.yaml's public placeholder
sluiced=${SLUICED:-build/sluiced}
if [ -x "$sluiced" ]; then
	tok=$(head -c 24 /dev/urandom | base64)
	if res=$("$sluiced" --check-config --config "$k8s/sluiced.json" --api-token "$tok" 2>&1); then
		ok "sluiced --check-config accepts deploy/kubernetes/sluiced.json"
	else
		not_ok "sluiced --check-config refuses deploy/kubernetes/sluiced.json" "$res"
	fi
	tok=$(python3 -c '
import sys, yaml
print(yaml.safe_load(open(sys.argv[1]))["stringData"]["token"])' "$k8s/secret.yaml")
	if res=$("$sluiced" --check-config --config "$k8s/sluiced.json" --api-token "$tok" 2>&1); then
		not_ok "sluiced accepts secret.yaml's placeholder token"
	elif grep -q "is the placeholder of the examples" <<<"$res"; then
		ok "sluiced refuses secret.yaml's placeholder token, saying so"
	else
		not_ok "sluiced refuses secret.yaml's placeholder token, saying so" "$res"
	fi
else
	not_ok "no sluiced at $sluiced to check the config with (SLUICED)"
fi
echo "1..$n"
[ "$fail" -eq 0 ]
