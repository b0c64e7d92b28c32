// Validates Kubernetes manifests offline against the API's schema, with the
// validators of the npm package kubernetes-models (generated from the
// Kubernetes OpenAPI spec), plus what they let through: a field the schema
// does not know (a misspelling such as "readOnlyRootFileSystem" would be
// dropped silently by an API server that is not strict).
//   node tests/k8s/validate.js FILE.yaml...
// Prints TAP, one line per object; exits 1 on any failure.
"use strict";
const fs = require("fs");
const path = require("path");
const yaml = require("js-yaml");

const kinds = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "apps/v1/DaemonSet": "kubernetes-models/apps/v1/DaemonSet",
  "kustomize.config.k8s.io/v1beta1/Kustomization": null, // not an API object
};

// The generated validators read every property they know (data.x) and
// enumerate the keys of free-form maps (labels, annotations, data).  A
// proxy records both; an own key that was never read is not in the schema.
function watch(v, seen) {
  if (v === null || typeof v !== "object") return v;
  const rec = { read: new Set(), all: false };
  seen.set(v, rec);
  const kids = Array.isArray(v) ? v.map((x) => watch(x, seen)) : null;
  return new Proxy(v, {
    get(t, k) {
      if (typeof k === "string") rec.read.add(k);
      const x = Array.isArray(t) && /^\d+$/.test(k) ? kids[k] : t[k];
      if (!Array.isArray(t) && x !== null && typeof x === "object")
        return watch(x, seen);
      return x;
    },
    has(t, k) {
      if (typeof k === "string") rec.read.add(k);
      return k in t;
    },
    ownKeys(t) {
      rec.all = true;
      return Reflect.ownKeys(t);
    },
  });
}

function unknown(v, seen, path, out) {
  if (v === null || typeof v !== "object") return;
  const rec = seen.get(v);
  if (Array.isArray(v)) {
    v.forEach((x, i) => unknown(x, seen, `${path}[${i}]`, out));
    return;
  }
  for (const k of Object.keys(v)) {
    if (rec && !rec.all && !rec.read.has(k))
      out.push(`${path}.${k}: not a field of the schema`);
    unknown(v[k], seen, `${path}.${k}`, out);
  }
}

let n = 0;
let failed = 0;
const ok = (msg) => console.log(`ok ${++n} - ${msg}`);
const notOk = (msg, why) => {
  failed++;
  console.log(`not ok ${++n} - ${msg}`);
  for (const l of why) console.log(`#   ${l}`);
};

for (const file of process.argv.slice(2)) {
  let docs;
  try {
    docs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter((d) => d);
  } catch (e) {
    notOk(`${file}: YAML`, [e.message]);
    continue;
  }
  for (const doc of docs) {
    const name = doc.metadata && doc.metadata.name;
    const id = `${file}: ${doc.kind}` + (name ? `/${name}` : "");
    const key = `${doc.apiVersion}/${doc.kind}`;
    if (!(key in kinds)) {
      notOk(id, [`apiVersion/kind '${key}' is not one this test knows`]);
      continue;
    }
    if (kinds[key] === null) {
      if (!Array.isArray(doc.resources) || !doc.resources.length)
        notOk(id, ["resources: a list of files is required"]);
      else {
        const missing = doc.resources.filter(
          (r) => !fs.existsSync(path.join(path.dirname(file), r))
        );
        if (missing.length) notOk(id, missing.map((r) => `resources: '${r}' does not exist`));
        else ok(`${id} lists existing files`);
      }
      continue;
    }
    const Model = Object.values(require(kinds[key]))[0];
    const why = [];
    const plain = JSON.parse(JSON.stringify(doc));
    const seen = new Map();
    try {
      // the package's own validate(), on the watched object
      Model.prototype.validate.call(watch(plain, seen));
    } catch (e) {
      why.push(...String(e.message).split("\n"));
    }
    if (!why.length) unknown(plain, seen, "", why);
    if (why.length) notOk(id, why);
    else ok(`${id} matches the schema`);
  }
}
console.log(`1..${n}`);
process.exit(failed || n === 0 ? 1 : 0);
