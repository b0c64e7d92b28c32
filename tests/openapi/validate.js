// docs/openapi.yaml against the OpenAPI 3 schema (offline: the npm package
// @apidevtools/swagger-parser, installed here by scripts/deps.sh), then its
// operations against the route table sluiced prints (--api-routes, read
// from the file given).  TAP lines on stdout, exit 1 on a failure.
//   node tests/openapi/validate.js OPENAPI.yaml ROUTES.txt
"use strict";
const fs = require("fs");
const yaml = require("js-yaml");
const SwaggerParser = require("@apidevtools/swagger-parser");

const [docPath, routesPath] = process.argv.slice(2);
let n = 0;
let failed = 0;
const ok = (msg) => console.log(`ok ${++n} - ${msg}`);
const notOk = (msg, why) => {
	failed++;
	console.log(`not ok ${++n} - ${msg}`);
	if (why)
		for (const l of String(why).split("\n")) console.log(`# ${l}`);
};

// "/v1/vips/{vip}/backends/{addr}" and "{name}" alike: only where a
// placeholder stands counts, not its name (OpenAPI wants names unique in
// one path, routes[] reuses {name})
const shape = (p) => p.replace(/\{[^}]*\}/g, "{}");

async function main() {
	let doc;
	try {
		doc = yaml.load(fs.readFileSync(docPath, "utf8"));
	} catch (e) {
		notOk(`${docPath} is YAML`, e.message);
		return;
	}
	try {
		// validate() dereferences the document it is given: a copy
		await SwaggerParser.validate(JSON.parse(JSON.stringify(doc)));
		ok(`${docPath} is a valid OpenAPI ${doc.openapi} document`);
	} catch (e) {
		notOk(`${docPath} is not a valid OpenAPI 3 document`, e.message);
	}

	const rows = fs.readFileSync(routesPath, "utf8").split("\n")
		.filter((l) => l.trim()).map((l) => {
			const [m, p] = l.trim().split(/\s+/);
			return `${m.toUpperCase()} ${shape(p)}`;
		});
	if (rows.length < 10) {
		notOk(`the route table has ${rows.length} rows (${routesPath})`);
		return;
	}
	const methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
	const ops = [];
	for (const [p, item] of Object.entries(doc.paths || {}))
		for (const m of methods)
			if (item && item[m]) ops.push(`${m.toUpperCase()} ${shape(p)}`);
	const inDoc = new Set(ops);
	const inTable = new Set(rows);
	const undocumented = rows.filter((r) => !inDoc.has(r));
	const unknown = ops.filter((o) => !inTable.has(o));
	if (undocumented.length)
		notOk(`every route of the table is in ${docPath}`,
			`missing: ${undocumented.join(", ")}`);
	else
		ok(`every route of the table (${rows.length}) is in ${docPath}`);
	if (unknown.length)
		notOk(`every operation of ${docPath} is a route of the table`,
			`not in the table: ${unknown.join(", ")}`);
	else
		ok(`every operation of ${docPath} (${ops.length}) is a route of the table`);
	// the query parameters: a row's third word names them ("family,prefix",
	// sluiced refuses any other), the document declares them (in: query)
	const tableQuery = new Map();
	for (const l of fs.readFileSync(routesPath, "utf8").split("\n")) {
		const [m, p, qs] = l.trim().split(/\s+/);
		if (m && p)
			tableQuery.set(`${m.toUpperCase()} ${shape(p)}`,
				(qs || "").split(",").filter((s) => s).sort().join(", "));
	}
	const resolve = (prm) => {
		if (!prm || !prm.$ref) return prm;
		const name = prm.$ref.split("/").pop();
		return ((doc.components || {}).parameters || {})[name];
	};
	const queryDiffs = [];
	for (const [p, item] of Object.entries(doc.paths || {}))
		for (const m of methods) {
			const op = item && item[m];
			const key = `${m.toUpperCase()} ${shape(p)}`;
			if (!op || !tableQuery.has(key)) continue;
			const declared = [...(item.parameters || []), ...(op.parameters || [])]
				.map(resolve).filter((q) => q && q.in === "query")
				.map((q) => q.name).sort().join(", ");
			if (declared !== tableQuery.get(key))
				queryDiffs.push(`${key}: the document declares [${declared}], ` +
					`sluiced takes [${tableQuery.get(key)}]`);
		}
	if (queryDiffs.length)
		notOk("every operation's query parameters are the ones sluiced takes",
			`query parameters differ: ${queryDiffs.join("; ")}`);
	else
		ok("every operation's query parameters are the ones sluiced takes");
	// every operation but /healthz says what a missing token gets, and
	// every one that takes a body what a too large one gets
	const noAuth = [], no413 = [];
	for (const [p, item] of Object.entries(doc.paths || {}))
		for (const m of methods) {
			const op = item && item[m];
			if (!op) continue;
			const pub = Array.isArray(op.security) && op.security.length === 0;
			if (!pub && !(op.responses || {})["401"]) noAuth.push(`${m} ${p}`);
			if (op.requestBody && !(op.responses || {})["413"]) no413.push(`${m} ${p}`);
		}
	if (noAuth.length)
		notOk("every operation that needs the token documents 401", noAuth.join(", "));
	else
		ok("every operation that needs the token documents 401");
	if (no413.length)
		notOk("every operation with a body documents 413", no413.join(", "));
	else
		ok("every operation with a body documents 413");
}

main().then(() => {
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
}, (e) => {
	notOk("validate.js", e.stack);
	console.log(`1..${n}`);
	process.exit(1);
});
