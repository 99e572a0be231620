// Validates Kubernetes objects (multi-document YAML: files given, or stdin) against the schemas kubernetes-models
// ships: the Kubernetes OpenAPI schemas of its release, and KEDA's and the Prometheus operator's CRD schemas.
// Offline (no API server). One line per object; exit 1 if any object is invalid, 2 if a kind has no schema here
// (unless it is listed with --skip KIND,...). Used by tests/DocFlow.IntegrationTests/Deploy/KubernetesSchemaTests.cs.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const args = process.argv.slice(2);
const skip = new Set();
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--skip") for (const kind of (args[++i] ?? "").split(",")) { if (kind) skip.add(kind); }
  else files.push(args[i]);
}

// apiVersion → the package folder holding its models.
function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "") return `kubernetes-models/${version}/${kind}`;
  if (group.endsWith("keda.sh")) return `@kubernetes-models/keda/${group}/${version}/${kind}`;
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  return `kubernetes-models/${group}/${version}/${kind}`;
}

const text = files.length ? files.map((f) => readFileSync(f, "utf8")).join("\n---\n") : readFileSync(0, "utf8");
let invalid = 0, unknown = 0, valid = 0, skipped = 0;
for (const doc of parseAllDocuments(text)) {
  if (doc.errors.length) { console.log(`YAML error: ${doc.errors[0].message}`); invalid++; continue; }
  const o = doc.toJS();
  if (!o) continue;
  const name = `${o.kind}/${o.metadata?.name ?? "?"} (${o.apiVersion})`;
  if (skip.has(o.kind)) { console.log(`skipped ${name}: no schema here`); skipped++; continue; }
  let Model;
  try {
    const module = await import(modulePath(o.apiVersion ?? "", o.kind ?? ""));
    Model = module[o.kind];
  } catch {
    Model = undefined;
  }
  if (!Model) { console.log(`NO SCHEMA ${name}`); unknown++; continue; }
  try {
    new Model(o).validate();
    console.log(`valid ${name}`);
    valid++;
  } catch (e) {
    const details = (e.errors ?? []).map((x) => `${x.instancePath || "/"} ${x.message}${x.params ? " " + JSON.stringify(x.params) : ""}`);
    console.log(`INVALID ${name}: ${details.length ? details.join("; ") : e.message}`);
    invalid++;
  }
}
console.log(`${valid} valid, ${invalid} invalid, ${unknown} without a schema, ${skipped} skipped`);
process.exit(invalid ? 1 : unknown ? 2 : 0);
