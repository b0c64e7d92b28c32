#!/usr/bin/env bash
# docs/openapi.yaml: a valid OpenAPI 3 document (offline, validate.js with
# the npm package @apidevtools/swagger-parser, installed here by
# scripts/deps.sh) whose operations are exactly the rows of sluiced's route
# table (sluiced --api-routes: the table in daemon/api_dispatch.c, not a
# reading of its source); and broken copies that must fail, since a test
# that cannot fail would prove nothing.  TAP on stdout.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
doc=docs/openapi.yaml
if [ ! -d tests/openapi/node_modules/@apidevtools/swagger-parser ]; then
	echo "not ok 1 - tests/openapi/node_modules missing: run scripts/deps.sh" \
		"(npm ci --prefix tests/openapi)"
	exit 1
fi
export NODE_PATH=$PWD/tests/openapi/node_modules
sluiced=${SLUICED:-build/sluiced}
tmp=$(mktemp -d /tmp/sluice-openapi.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; shift; [ $# -gt 0 ] && echo "# $*"; }

if ! "$sluiced" --api-routes >"$tmp/routes" 2>"$tmp/err"; then
	not_ok "sluiced --api-routes ($sluiced)" "$(cat "$tmp/err")"
	echo "1..$n"
	exit 1
fi
ok "sluiced --api-routes prints $(wc -l <"$tmp/routes") routes"

# the document itself: its TAP lines, renumbered into ours
out=$(node tests/openapi/validate.js "$doc" "$tmp/routes")
rc=$?
while IFS= read -r l; do
	case $l in
	"ok "*) ok "${l#ok * - }" ;;
	"not ok "*) not_ok "${l#not ok * - }" ;;
	"#"*) echo "$l" ;;
	esac
done <<<"$out"
[ $rc -eq 0 ] || [ $fail -gt 0 ] || not_ok "validate.js exited with $rc"

# broken DESC EXPECT FILE ROUTES: validate.js fails on FILE against ROUTES,
# and says EXPECT
broken() {
	local desc=$1 expect=$2 f=$3 routes=$4 res
	if cmp -s "$f" "$doc" && cmp -s "$routes" "$tmp/routes"; then
		not_ok "broken copy ($desc): the edit changed nothing"
		return
	fi
	res=$(node tests/openapi/validate.js "$f" "$routes")
	if [ $? -ne 0 ] && [[ $res == *"$expect"* ]]; then
		ok "broken copy fails: $desc"
	else
		not_ok "broken copy passes or says the wrong thing: $desc" "$res"
	fi
}
# a route the document lacks: DELETE /v1/steer/{id} taken out
sed '/^  \/v1\/steer\/{id}:/,/^$/d' "$doc" >"$tmp/no-steer.yaml"
broken "a route left undocumented" "missing: DELETE /v1/steer/{}" \
	"$tmp/no-steer.yaml" "$tmp/routes"
# a row the table gains that the document does not have
{ cat "$tmp/routes"; echo "GET /v1/nothing"; } >"$tmp/routes-plus"
broken "a new row of the table" "missing: GET /v1/nothing" "$doc" "$tmp/routes-plus"
# an operation the table does not have
sed 's|^  /v1/fw/check:|  /v1/fw/checks:|' "$doc" >"$tmp/extra.yaml"
broken "an operation that is no route" "not in the table: GET /v1/fw/checks" \
	"$tmp/extra.yaml" "$tmp/routes"
# a query parameter the document forgets, and one sluiced does not take
awk '/^  \/v1\/neighbors:/{d=1} d && /- name: cursor/{skip=1} skip && /schema:/{skip=0; d=0; next} !skip{print}' "$doc" >"$tmp/no-cursor.yaml"
broken "a query parameter left undocumented" \
	"query parameters differ: GET /v1/neighbors: the document declares [dev, limit], sluiced takes [cursor, dev, limit]" \
	"$tmp/no-cursor.yaml" "$tmp/routes"
sed 's|^GET /v1/stats dev$|GET /v1/stats|' "$tmp/routes" >"$tmp/routes-nodev"
broken "a query parameter sluiced does not take" \
	"GET /v1/stats: the document declares [dev], sluiced takes []" \
	"$doc" "$tmp/routes-nodev"
# not OpenAPI: a schema type that does not exist, a response without its
# description
sed '0,/      type: http/s//      type: bearer/' "$doc" >"$tmp/bad-type.yaml"
broken "a security scheme of an unknown type" "not a valid OpenAPI 3 document" \
	"$tmp/bad-type.yaml" "$tmp/routes"
sed '0,/^          description: alive$/s//          descr: alive/' "$doc" >"$tmp/no-desc.yaml"
broken "a response without a description" "not a valid OpenAPI 3 document" \
	"$tmp/no-desc.yaml" "$tmp/routes"
# a protected operation that forgets 401
awk 'BEGIN{d=0} /^  \/v1\/status:/{d=1} d && /"401"/{d=0; next} {print}' "$doc" >"$tmp/no401.yaml"
broken "an operation that forgets 401" "documents 401" "$tmp/no401.yaml" "$tmp/routes"
echo "1..$n"
[ "$fail" -eq 0 ]
