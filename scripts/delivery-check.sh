#!/usr/bin/env bash
# Lints what each golden project ships for delivery: hadolint on the Dockerfile, actionlint
# on the GitHub workflow, the compose file and Kubernetes manifests parsed with their
# required keys, and the GitLab pipeline that `gen ci --provider gitlab` writes.
#
#   scripts/delivery-check.sh [PROJECT...]      (default: every generated/* project)
#
# Needs hadolint and actionlint (../shared/tools/oracles-setup.sh installs both into
# ~/.cache/specgen-oracles) and a built `target/debug/gen`.
set -euo pipefail
cd "$(dirname "$0")/.."
oracles=${ORACLES_DIR:-$HOME/.cache/specgen-oracles}
[ -f "$oracles/env.sh" ] && source "$oracles/env.sh"
python=$oracles/venv/bin/python
[ -x "$python" ] || python=python3
command -v hadolint >/dev/null || { echo "hadolint not found; run ../shared/tools/oracles-setup.sh"; exit 1; }
command -v actionlint >/dev/null || { echo "actionlint not found; run ../shared/tools/oracles-setup.sh"; exit 1; }
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(generated/*/)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for project in "${projects[@]}"; do
  project=${project%/}
  echo "--- $project"
  hadolint "$project/Dockerfile"
  echo "hadolint: ok"
  actionlint "$project/.github/workflows/ci.yml"
  echo "actionlint: ok"
  "$python" - "$project" <<'PY'
import sys, pathlib, yaml
root = pathlib.Path(sys.argv[1])

def need(condition, what):
    if not condition:
        sys.exit(f"{root}: {what}")

compose = yaml.safe_load((root / "docker-compose.yml").read_text())
services = compose["services"]
need({"app", "postgres", "redis"} <= services.keys(), "compose needs app, postgres and redis")
for name in ("postgres", "redis", "app"):
    need("healthcheck" in services[name], f"compose: {name} has no healthcheck")
for dependency in ("postgres", "redis"):
    need(services["app"]["depends_on"][dependency]["condition"] == "service_healthy",
         f"compose: app must wait for a healthy {dependency}")

kinds = {}
for path in sorted((root / "deploy/k8s").glob("*.yaml")):
    for document in yaml.safe_load_all(path.read_text()):
        need(isinstance(document, dict) and "kind" in document, f"{path.name}: no kind")
        kinds[document["kind"]] = document
need({"Deployment", "Service", "HorizontalPodAutoscaler", "ConfigMap", "Secret", "Kustomization",
      "PodDisruptionBudget", "NetworkPolicy"} <= kinds.keys(),
     f"k8s manifests missing: {sorted(kinds)}")
pod = kinds["Deployment"]["spec"]["template"]["spec"]
need(pod.get("automountServiceAccountToken") is False, "the pod must not mount a service account token")
pod_labels = kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
for kind, key in (("PodDisruptionBudget", "selector"), ("NetworkPolicy", "podSelector")):
    need(kinds[kind]["spec"][key]["matchLabels"].items() <= pod_labels.items(),
         f"the {kind} must select the pods")
need(set(kinds["Kustomization"]["resources"]) >= {p.name for p in (root / "deploy/k8s").glob("*.yaml")} - {"kustomization.yaml"},
     "the kustomization must list every manifest")
container = pod["containers"][0]
need(container["livenessProbe"]["httpGet"]["path"] == "/healthz", "liveness probe must hit /healthz")
need(container["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness probe must hit /readyz")
need("requests" in container["resources"], "the container needs resource requests")
selector = kinds["Deployment"]["spec"]["selector"]["matchLabels"]
labels = kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
need(selector.items() <= labels.items(), "the Deployment's selector must match its pod labels")
need(kinds["Service"]["spec"]["selector"].items() <= labels.items(), "the Service must select the pods")
need(kinds["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"] == kinds["Deployment"]["metadata"]["name"],
     "the autoscaler must scale the Deployment")
print(f"compose and k8s: ok ({len(kinds)} kinds)")
PY
  copy=$work/$(basename "$project")
  cp -r "$project" "$copy"
  ./target/debug/gen ci "$copy" --provider gitlab
  [ ! -e "$copy/.github/workflows/ci.yml" ] || { echo "gen ci left the GitHub workflow behind"; exit 1; }
  grep -q '^ci = "gitlab"' "$copy/gen.toml" || { echo "gen ci did not record the provider"; exit 1; }
  "$python" - "$copy/.gitlab-ci.yml" <<'PY'
import sys, yaml
pipeline = yaml.safe_load(open(sys.argv[1]))
stages = pipeline["stages"]
jobs = {name: job for name, job in pipeline.items() if isinstance(job, dict) and "script" in job}
for name, job in jobs.items():
    if job.get("stage", "test") not in stages:
        sys.exit(f".gitlab-ci.yml: job {name} has unknown stage {job.get('stage')}")
scripts = "\n".join("\n".join(job["script"]) for job in jobs.values())
for needed in ("cargo fmt --check", "cargo clippy", "cargo test", "cargo audit", "docker build", "docker push", "TEST_DATABASE_URL"):
    if needed not in scripts:
        sys.exit(f".gitlab-ci.yml: no job runs `{needed}`")
if not any(service.get("name", "").startswith("postgres") for job in jobs.values() for service in job.get("services", []) if isinstance(service, dict)):
    sys.exit(".gitlab-ci.yml: the tests need a PostgreSQL service")
print(f"gitlab pipeline: ok ({len(jobs)} jobs)")
PY
done
echo "delivery files: ok"
