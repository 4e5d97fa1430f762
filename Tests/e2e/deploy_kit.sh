#!/usr/bin/env bash
# The deployment kit in deploy/ is valid and true to the server it deploys:
#  - every Kubernetes manifest (and the ConfigMap and Secret kustomize generates) validates
#    against the Kubernetes schemas in strict mode (kubernetes-validate from PyPI, in a private
#    venv), for the oldest and newest Kubernetes the kit supports; the pieces refer to each
#    other by the right names, labels, ports and paths;
#  - the Prometheus rules pass `promtool check rules` and their unit tests (`promtool test
#    rules`), the example Prometheus config passes `promtool check config`;
#  - every metric the Grafana dashboard, the rules and the Prometheus adapter name is one the
#    real `lianyaohu serve` exposes on /metrics (started on the kit's own config.toml, with a
#    real redis-server like the fleet's), with the labels and label values they select on;
#  - the systemd unit passes `systemd-analyze verify` and `systemd-analyze security`, keeps
#    its hardening, and serve runs inside (an emulation of) its sandbox.
# Installs what it needs, and fails (never skips) when it cannot: a venv with
# kubernetes-validate and promql-parser (PyPI), promtool taken out of Debian's prometheus
# package (no server installed, none started), redis-server, systemd-analyze (Debian's systemd
# package) and python3-seccomp.
# Everything it starts listens on 127.0.0.1 only and is stopped on exit.
# Usage: Tests/e2e/deploy_kit.sh PATH-TO-lianyaohu
# The venv and promtool are downloaded into the scratch directory, so every run downloads
# them (about 200 MB on disk). To keep them between runs (later runs take under 10 s), name a
# directory of your own: DEPLOY_KIT_CACHE=~/.cache/lianyaohu-deploy-kit Tests/e2e/deploy_kit.sh ...
set -uo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
# shellcheck source=lib/api-serve.bash
source "$(dirname "$0")/lib/api-serve.bash"
cd "$repo" || exit 2
cache="${DEPLOY_KIT_CACHE:-$scratch/deploy-kit}"

# Pinned so a run checks against the same schemas and parser every time.
kubernetes_validate_version="1.37.0"
promql_parser_version="0.12.0"
# The kit needs Kubernetes 1.30 (the preStop sleep action); 1.37 is the newest schema set
# that kubernetes-validate $kubernetes_validate_version carries.
kubernetes_versions=(1.30.0 1.37.0)
redis_pid=""
stop_redis() { [ -z "$redis_pid" ] || { kill -TERM "$redis_pid"; wait "$redis_pid"; }; }
on_exit stop_redis

# --- tools ---------------------------------------------------------------------------------
{ mkdir -p "$cache" && [ -w "$cache" ]; } || { fail "FAIL the cache directory $cache cannot be written"; exit 1; }

venv="$cache/venv-kv$kubernetes_validate_version-pp$promql_parser_version"
if ! "$venv/bin/python" -c 'import kubernetes_validate, promql_parser, yaml' 2>/dev/null; then
  echo "==> python3 -m venv $venv; pip install kubernetes-validate promql-parser"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian keeps venv's pip bootstrap in python3-venv.
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv" || { fail "FAIL cannot create a Python venv"; exit 1; }
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "kubernetes-validate==$kubernetes_validate_version" "promql-parser==$promql_parser_version" \
    || { fail "FAIL cannot install kubernetes-validate and promql-parser from PyPI"; exit 1; }
fi
python="$venv/bin/python"

need_promtool "$cache" || { fail "FAIL cannot install promtool (from Debian package prometheus)"; exit 1; }
promtool="$(command -v promtool)"

need_apt redis-server redis-server || { fail "FAIL cannot install redis-server"; exit 1; }
# The systemd unit is verified by systemd-analyze, which also expands the unit's system call
# groups for the sandbox below.
need_apt systemd-analyze systemd || { fail "FAIL cannot install systemd-analyze (Debian package systemd)"; exit 1; }
# Debian's Python binding of libseccomp, for the systemd unit's sandbox below: system Python,
# which installing python3-seccomp brings when there is none.
if ! /usr/bin/python3 -c 'import seccomp' 2>/dev/null; then
  echo "==> apt-get install python3-seccomp"
  apt_install python3-seccomp
  if ! /usr/bin/python3 -c 'import seccomp'; then
    fail "FAIL cannot install python3-seccomp (Debian's seccomp module for /usr/bin/python3)"
    exit 1
  fi
fi
sandbox_python=/usr/bin/python3

echo "tools: kubernetes-validate $("$python" -c 'import importlib.metadata as m; print(m.version("kubernetes-validate"))')," \
  "promql-parser $("$python" -c 'import importlib.metadata as m; print(m.version("promql-parser"))')," \
  "$("$promtool" --version 2>&1 | head -1)," \
  "$(systemd-analyze --version | head -1)"

# --- Kubernetes ----------------------------------------------------------------------------
k8s=deploy/kubernetes
# The objects kustomize would generate, written out so they are validated like the rest.
"$python" - "$k8s" "$scratch/generated.yaml" <<'PY'
import base64, pathlib, sys, yaml
root, out = pathlib.Path(sys.argv[1]), sys.argv[2]
k = yaml.safe_load((root / "kustomization.yaml").read_text())
docs = []
for gen in k.get("configMapGenerator", []):
    data = {pathlib.Path(f).name: (root / f).read_text() for f in gen.get("files", [])}
    docs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": gen["name"]}, "data": data})
for gen in k.get("secretGenerator", []):
    data = {}
    for env in gen.get("envs", []):
        # The checked-in example stands in for the operator's secrets.env.
        for line in (root / (env + ".example")).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                key, value = line.split("=", 1)
                data[key] = base64.b64encode(value.encode()).decode()
    docs.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": gen["name"]}, "type": "Opaque", "data": data})
yaml.safe_dump_all(docs, open(out, "w"), sort_keys=False)
PY
mapfile -t manifests < <(find "$k8s" -name '*.yaml' ! -name kustomization.yaml ! -name values.yaml | sort)
for version in "${kubernetes_versions[@]}"; do
  "$venv/bin/kubernetes-validate" --strict --quiet -k "$version" "${manifests[@]}" "$scratch/generated.yaml" >"$scratch/kv.txt" 2>&1
  status=$?
  [ "$status" -eq 0 ] || cat "$scratch/kv.txt"
  check "kubernetes-validate --strict, Kubernetes $version: ${#manifests[@]} manifests and the generated ConfigMap and Secret" \
    test "$status" -eq 0
done

# How the pieces fit: names, labels, ports, paths, the HPA's custom metric and the adapter.
"$python" - "$k8s" deploy/prometheus/scrape-kubernetes.yml >"$scratch/k8s-checks.txt" <<'PY'
import pathlib, re, sys, yaml
root = pathlib.Path(sys.argv[1])
results = []
def check(name, ok):
    results.append(("ok" if ok else "FAIL") + "\t" + name)

def load(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]

def kustomize_files(directory):
    k = yaml.safe_load((directory / "kustomization.yaml").read_text())
    files = []
    for resource in k.get("resources", []):
        path = directory / resource
        files += kustomize_files(path) if path.is_dir() else [path]
    return files

k = yaml.safe_load((root / "kustomization.yaml").read_text())
files = kustomize_files(root)
check("kustomization: every resource it lists exists", all(f.exists() for f in files))
listed = {f.resolve() for f in files}
on_disk = {p.resolve() for p in root.rglob("*.yaml")
           if p.name not in ("kustomization.yaml", "values.yaml") and "prometheus-adapter" not in p.parts}
check("kustomization: every manifest in deploy/kubernetes is applied (the adapter's aside)", on_disk <= listed)
objects = {}
for f in files:
    for d in load(f):
        objects[(d["kind"], d["metadata"]["name"])] = d
gen_cm = [g["name"] for g in k.get("configMapGenerator", [])]
gen_secret = [g["name"] for g in k.get("secretGenerator", [])]
secret_keys = {l.split("=", 1)[0] for l in (root / "secrets.env.example").read_text().splitlines() if l and not l.startswith("#")}
check("secrets.env is git-ignored, secrets.env.example is not", "secrets.env" in (root / ".gitignore").read_text().split())

dep = objects[("Deployment", "lianyaohu")]
pod = dep["spec"]["template"]
spec = pod["spec"]
c = spec["containers"][0]
args = c["args"]
def arg(flag):
    return args[args.index(flag) + 1] if flag in args else None
check("deployment: runs `lianyaohu serve --host 0.0.0.0 --port 8686 --config ...`",
      args[0] == "serve" and arg("--host") == "0.0.0.0" and arg("--port") == "8686" and arg("--config"))
port = int(arg("--port"))
ports = {p["name"]: p["containerPort"] for p in c["ports"]}
check("deployment: container port http is the --port", ports.get("http") == port)
env = {e["name"]: e for e in c.get("env", [])}
def from_secret(name):
    ref = env.get(name, {}).get("valueFrom", {}).get("secretKeyRef", {})
    return ref.get("name") in gen_secret and ref.get("key") in secret_keys
check("deployment: LIANYAOHU_API_TOKEN, LIANYAOHU_REDIS_URL, LIANYAOHU_REDIS_PASSWORD come from the generated Secret",
      all(from_secret(n) for n in ("LIANYAOHU_API_TOKEN", "LIANYAOHU_REDIS_URL", "LIANYAOHU_REDIS_PASSWORD")))
config_toml = (root / "config.toml").read_text()
check("config.toml's [cache.redis] password_env names the variable the Deployment sets",
      re.search(r'^password_env\s*=\s*"LIANYAOHU_REDIS_PASSWORD"', config_toml, re.M) is not None)
volumes = {v["name"]: v for v in spec["volumes"]}
mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
config_dir = str(pathlib.PurePosixPath(arg("--config")).parent)
config_volume = volumes.get(mounts.get(config_dir, {}).get("name"), {})
check("deployment: --config is the generated ConfigMap's config.toml, mounted read-only",
      config_volume.get("configMap", {}).get("name") in gen_cm and mounts[config_dir].get("readOnly") is True
      and pathlib.PurePosixPath(arg("--config")).name == "config.toml")
writable = [p for p, m in mounts.items() if "emptyDir" in volumes[m["name"]]]
def under_writable(path):
    return any(path == w or path.startswith(w + "/") for w in writable)
xdg = {n: env[n]["value"] for n in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "TMPDIR", "HOME") if n in env}
check("deployment: the XDG data, state and cache dirs and TMPDIR are on emptyDir volumes",
      under_writable(xdg.get("XDG_DATA_HOME", "") + "/lianyaohu") and under_writable(xdg.get("XDG_STATE_HOME", "") + "/lianyaohu")
      and under_writable(xdg.get("XDG_CACHE_HOME", "") + "/lianyaohu") and under_writable(xdg.get("TMPDIR", "")))
sc, psc = c.get("securityContext", {}), spec.get("securityContext", {})
check("deployment: non-root, read-only root, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault",
      psc.get("runAsNonRoot") is True and sc.get("readOnlyRootFilesystem") is True
      and sc.get("allowPrivilegeEscalation") is False and sc.get("capabilities", {}).get("drop") == ["ALL"]
      and sc.get("seccompProfile", {}).get("type") == "RuntimeDefault" and psc.get("seccompProfile", {}).get("type") == "RuntimeDefault")
def probe(name):
    return c.get(name, {}).get("httpGet", {})
check("deployment: readiness on /readyz, liveness and startup on /healthz, on the http port",
      probe("readinessProbe").get("path") == "/readyz" and probe("livenessProbe").get("path") == "/healthz"
      and probe("startupProbe").get("path") == "/healthz"
      and all(probe(p).get("port") in ("http", port) for p in ("readinessProbe", "livenessProbe", "startupProbe")))
sleep = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
grace = spec.get("terminationGracePeriodSeconds", 30)
check("deployment: preStop sleep, then at least 20 s of the grace period left for the SIGTERM drain",
      sleep >= 5 and grace - sleep >= 20)
res = c.get("resources", {})
check("deployment: CPU and memory requests and limits",
      all(k in res.get(t, {}) for t in ("requests", "limits") for k in ("cpu", "memory")))
ann = pod["metadata"].get("annotations", {})
check("deployment: prometheus.io scrape annotations name the http port and /metrics",
      ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/port") == str(port) and ann.get("prometheus.io/path") == "/metrics")
check("deployment: no replicas field (the HPA owns the count)", "replicas" not in dep["spec"])
labels = pod["metadata"]["labels"]
def selects(selector):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())
check("deployment: its selector matches its pod labels", selects(dep["spec"]["selector"]["matchLabels"]))
svc = objects[("Service", "lianyaohu")]
check("service: selects the lianyaohu pods, targets the http port", selects(svc["spec"]["selector"])
      and svc["spec"]["ports"][0]["targetPort"] in ("http", port))
redis_svc = objects.get(("Service", "lianyaohu-redis"))
check("service: no selector of another Service matches the lianyaohu pods",
      all(not selects(o["spec"].get("selector", {})) for (kind, name), o in objects.items() if kind == "Service" and name != "lianyaohu"))
pdb = objects[("PodDisruptionBudget", "lianyaohu")]
check("pdb: selects the lianyaohu pods", selects(pdb["spec"]["selector"]["matchLabels"]))
hpa = objects[("HorizontalPodAutoscaler", "lianyaohu")]
ref = hpa["spec"]["scaleTargetRef"]
check("hpa: scales the Deployment", ref["kind"] == "Deployment" and ref["name"] == "lianyaohu" and "replicas" not in dep["spec"])
metrics = hpa["spec"]["metrics"]
cpu = [m for m in metrics if m["type"] == "Resource" and m["resource"]["name"] == "cpu"]
pods_metrics = [m["pods"]["metric"]["name"] for m in metrics if m["type"] == "Pods"]
check("hpa: on CPU and on a Pods metric", bool(cpu) and bool(pods_metrics))
check("hpa: minReplicas leaves the PDB room to evict", hpa["spec"]["minReplicas"] >= 2)
adapter_cm = load(root / "prometheus-adapter" / "configmap.yaml")[0]
adapter_rules = yaml.safe_load(adapter_cm["data"]["config.yaml"])["rules"]
values_rules = yaml.safe_load((root / "prometheus-adapter" / "values.yaml").read_text())["rules"]["custom"]
check("adapter: the Helm values and the ConfigMap hold the same rules", adapter_rules == values_rules)
served = {r["name"]["as"] for r in adapter_rules}
check("hpa: its Pods metric is the one the adapter serves", set(pods_metrics) <= served)
check("adapter: maps the namespace and pod labels to resources",
      all(r["resources"]["overrides"].get("pod", {}).get("resource") == "pod"
          and r["resources"]["overrides"].get("namespace", {}).get("resource") == "namespace" for r in adapter_rules))

# The redis reference and the URL in the example Secret agree.
if redis_svc:
    url = [l.split("=", 1)[1] for l in (root / "secrets.env.example").read_text().splitlines() if l.startswith("LIANYAOHU_REDIS_URL=")][0]
    host, rport = re.match(r"redis://(?:[^@]*@)?([^:/]+):(\d+)", url).groups()
    check("redis reference: the example LIANYAOHU_REDIS_URL names its Service and port",
          host == redis_svc["metadata"]["name"] and int(rport) == redis_svc["spec"]["ports"][0]["port"])
    sts = objects[("StatefulSet", "lianyaohu-redis")]
    rc = sts["spec"]["template"]["spec"]["containers"][0]
    rsc = rc.get("securityContext", {})
    check("redis reference: labelled as a reference, hardened like the server",
          sts["metadata"]["labels"].get("lianyaohu.dev/reference") == "true"
          and rsc.get("readOnlyRootFilesystem") is True and rsc.get("capabilities", {}).get("drop") == ["ALL"]
          and sts["spec"]["template"]["spec"]["securityContext"].get("runAsNonRoot") is True)
    check("redis reference: the password is not on its command line", "REDIS_PASSWORD" not in " ".join(rc.get("command", []))
          and "--requirepass" not in " ".join(rc.get("args", [])))
    np = objects[("NetworkPolicy", "lianyaohu-redis")]
    check("redis reference: only lianyaohu pods may connect",
          all(selects(peer["podSelector"]["matchLabels"]) for rule in np["spec"]["ingress"] for peer in rule["from"]))

# Prometheus' kubernetes pod job, run on the pod this Deployment makes: is it kept, on the
# right address and path, with job="lianyaohu", namespace and pod?
scrape = yaml.safe_load(pathlib.Path(sys.argv[2]).read_text())["scrape_configs"][0]
meta = {"__address__": "10.1.2.3", "__metrics_path__": "/metrics-default", "job": scrape["job_name"],
        "__meta_kubernetes_namespace": k.get("namespace", "default"), "__meta_kubernetes_pod_name": "lianyaohu-abc"}
for key, value in labels.items():
    meta["__meta_kubernetes_pod_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", key)] = value
for key, value in ann.items():
    meta["__meta_kubernetes_pod_annotation_" + re.sub(r"[^a-zA-Z0-9_]", "_", key)] = value
kept = True
for rule in scrape["relabel_configs"]:
    source = ";".join(meta.get(l, "") for l in rule.get("source_labels", []))
    match = re.fullmatch(rule.get("regex", "(.*)"), source)
    action = rule.get("action", "replace")
    if action == "keep":
        kept = kept and match is not None
    elif action == "replace" and match:
        meta[rule["target_label"]] = re.sub(r"\$\{?(\d+)\}?", lambda m: match.group(int(m.group(1))) or "", rule.get("replacement", "$1"))
check("scrape-kubernetes.yml: keeps the pod and scrapes 10.1.2.3:8686/metrics as job lianyaohu with namespace and pod",
      kept and meta["__address__"] == f"10.1.2.3:{port}" and meta["__metrics_path__"] == "/metrics" and meta["job"] == "lianyaohu"
      and meta.get("namespace") == k.get("namespace") and meta.get("pod") == "lianyaohu-abc")
print("\n".join(results))
PY
status=$?
check "Kubernetes cross-checks ran" test "$status" -eq 0
while IFS=$'\t' read -r result name; do
  check "$name" test "$result" = ok
done <"$scratch/k8s-checks.txt"

# Where kubectl with kustomize is at hand (not installed by this script), the real build too.
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
  cp -r "$k8s" "$scratch/kustomize"
  cp "$scratch/kustomize/secrets.env.example" "$scratch/kustomize/secrets.env"
  if kubectl kustomize "$scratch/kustomize" >"$scratch/built.yaml" 2>"$scratch/kustomize.txt"; then
    "$venv/bin/kubernetes-validate" --strict --quiet -k "${kubernetes_versions[0]}" "$scratch/built.yaml" >"$scratch/kv-built.txt" 2>&1
    status=$?
    [ "$status" -eq 0 ] || cat "$scratch/kv-built.txt"
    check "kubectl kustomize output validates (Kubernetes ${kubernetes_versions[0]}, strict)" test "$status" -eq 0
  else
    cat "$scratch/kustomize.txt"
    check "kubectl kustomize builds deploy/kubernetes" false
  fi
else
  echo "note: no kubectl with kustomize here; kustomization.yaml checked by the cross-checks only"
fi

# --- Prometheus ----------------------------------------------------------------------------
"$promtool" check rules deploy/prometheus/lianyaohu-rules.yml >"$scratch/rules.txt" 2>&1
status=$?
cat "$scratch/rules.txt"
check "promtool check rules" test "$status" -eq 0
check "promtool check rules: no lint problems" bash -c "! grep -qi 'lint\|warn' '$scratch/rules.txt'"
(cd deploy/prometheus && "$promtool" test rules lianyaohu-rules.test.yml) >"$scratch/rules-test.txt" 2>&1
status=$?
tail -n 30 "$scratch/rules-test.txt"
check "promtool test rules: every unit test of the rules passes" test "$status" -eq 0
check "promtool test rules: breaker-open-5m and Redis-down alerts are among those proven to fire" \
  "$python" - deploy/prometheus/lianyaohu-rules.test.yml <<'PY'
import sys, yaml
tests = yaml.safe_load(open(sys.argv[1]))["tests"]
fired = {t["alertname"] for test in tests for t in test.get("alert_rule_test", []) if t.get("exp_alerts")}
sys.exit(0 if {"LianyaohuBreakerOpen", "LianyaohuRedisTierDown"} <= fired else 1)
PY
(cd deploy/prometheus && "$promtool" check config prometheus.yml) >"$scratch/config.txt" 2>&1
status=$?
[ "$status" -eq 0 ] || cat "$scratch/config.txt"
check "promtool check config deploy/prometheus/prometheus.yml" test "$status" -eq 0
check "every alert has a severity, a summary and a description" "$python" - deploy/prometheus/lianyaohu-rules.yml <<'PY'
import sys, yaml
rules = [r for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"] if "alert" in r]
bad = [r["alert"] for r in rules if r.get("labels", {}).get("severity") not in ("critical", "warning", "info")
       or not r.get("annotations", {}).get("summary") or not r.get("annotations", {}).get("description")]
if bad:
    print("\n".join(bad))
sys.exit(1 if bad or not rules else 0)
PY

# --- Grafana -------------------------------------------------------------------------------
check "grafana: valid dashboard with \${datasource} and instance variables, unique panel ids, panels on \${datasource}" \
  "$python" - deploy/grafana/lianyaohu.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
variables = {v["name"]: v for v in d["templating"]["list"]}
def panels(items):
    for p in items:
        yield p
        yield from panels(p.get("panels", []))
ps = list(panels(d["panels"]))
ids = [p["id"] for p in ps]
ok = (variables.get("datasource", {}).get("type") == "datasource" and variables["datasource"].get("query") == "prometheus"
      and variables.get("instance", {}).get("type") == "query" and d.get("uid") and d.get("title")
      and len(ids) == len(set(ids))
      and all(p["gridPos"]["x"] + p["gridPos"]["w"] <= 24 for p in ps)
      and all(p.get("datasource", {}).get("uid") == "${datasource}" and all(t["datasource"]["uid"] == "${datasource}" for t in p["targets"])
              for p in ps if p["type"] != "row")
      and all('instance=~"$instance"' in t["expr"] for p in ps for t in p.get("targets", [])))
sys.exit(0 if ok else 1)
PY

# --- systemd -------------------------------------------------------------------------------
unit=deploy/systemd/lianyaohu.service
# Our own reading of the unit, always: sections, keys, and the hardening the kit promises.
check "systemd unit: parses, and keeps its hardening and XDG layout" "$python" - "$unit" deploy/systemd/lianyaohu.env.example <<'PY'
import re, sys
sections, current, problems = {}, None, []
for number, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    if not line.strip() or line.lstrip().startswith(("#", ";")):
        continue
    if re.fullmatch(r"\[[A-Za-z]+\]", line):
        current = sections.setdefault(line[1:-1], {})
        continue
    m = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*)=(.*)", line)
    if not m or current is None:
        problems.append(f"line {number}: not a key=value line in a section: {line}")
        continue
    current.setdefault(m.group(1), []).append(m.group(2))
s = sections.get("Service", {})
def one(key):
    return (s.get(key) or [None])[-1]
expected = {
    "Type": ("exec", "simple"), "DynamicUser": ("yes",), "StateDirectory": ("lianyaohu",), "LogsDirectory": ("lianyaohu",),
    "ConfigurationDirectory": ("lianyaohu",), "ProtectSystem": ("strict",), "ProtectHome": ("yes", "read-only", "tmpfs"),
    "PrivateTmp": ("yes",), "NoNewPrivileges": ("yes",), "CapabilityBoundingSet": ("",), "MemoryDenyWriteExecute": ("yes",),
    "RestrictAddressFamilies": ("AF_INET AF_INET6 AF_UNIX",), "KillSignal": ("SIGTERM",), "Restart": ("on-failure",),
}
for key, allowed in expected.items():
    if one(key) not in allowed:
        problems.append(f"[Service] {key}={one(key)!r}, expected one of {allowed}")
if "@system-service" not in (s.get("SystemCallFilter") or [""])[0]:
    problems.append("SystemCallFilter does not start from @system-service")
if not one("TimeoutStopSec"):
    problems.append("no TimeoutStopSec")
start = one("ExecStart") or ""
if not re.match(r"/usr/local/bin/lianyaohu serve\b", start) or "--config /etc/lianyaohu/config.toml" not in start:
    problems.append("ExecStart is not /usr/local/bin/lianyaohu serve ... --config /etc/lianyaohu/config.toml")
env = " ".join(s.get("Environment", []))
for pair in ("XDG_CONFIG_HOME=/etc", "XDG_DATA_HOME=/var/lib", "XDG_STATE_HOME=/var/log"):
    if pair not in env.split():
        problems.append(f"Environment lacks {pair} (the XDG paths must land in the unit's directories)")
if not (s.get("EnvironmentFile") or s.get("LoadCredential")):
    problems.append("no EnvironmentFile= or LoadCredential= for the token")
example_keys = {l.split("=", 1)[0] for l in open(sys.argv[2]) if re.match(r"[A-Z_]+=", l)}
if "LIANYAOHU_API_TOKEN" not in example_keys:
    problems.append("the env example does not set LIANYAOHU_API_TOKEN")
if "WantedBy" not in sections.get("Install", {}):
    problems.append("no [Install] WantedBy")
if problems:
    print("\n".join(problems))
sys.exit(1 if problems else 0)
PY
# verify wants ExecStart's program to exist: the copy names the binary under test instead.
mkdir -p "$scratch/unit"
sed "s|^ExecStart=/usr/local/bin/lianyaohu |ExecStart=$binary |" "$unit" >"$scratch/unit/lianyaohu.service"
systemd-analyze verify "$scratch/unit/lianyaohu.service" >"$scratch/verify.txt" 2>&1
status=$?
cat "$scratch/verify.txt"
check "systemd-analyze verify: no errors" test "$status" -eq 0
check "systemd-analyze verify: no warnings" test ! -s "$scratch/verify.txt"
systemd-analyze security --offline=true --no-pager --threshold=20 "$scratch/unit/lianyaohu.service" >"$scratch/security.txt" 2>&1
status=$?
tail -n 1 "$scratch/security.txt"
check "systemd-analyze security: exposure level 2.0 or better" test "$status" -eq 0

# --- the real server: every metric the kit names exists ------------------------------------
redis_port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis_password="deploykit$RANDOM$RANDOM"
mkdir -p "$scratch/redis"
(cd "$scratch/redis" && exec redis-server - --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
  >"$scratch/redis.log" 2>&1 <<EOF
requirepass $redis_password
EOF
) &
redis_pid=$!
for _ in $(seq 50); do
  REDISCLI_AUTH="$redis_password" redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG && break
  sleep 0.1
done

# The systemd unit's sandbox, put on a process by itself as far as one can: NoNewPrivileges,
# MemoryDenyWriteExecute (PR_SET_MDWE, the kernel's own W^X switch; on kernels without it,
# before Linux 6.3, seccomp rules as systemd uses there), SystemCallFilter= (an allow-list in
# seccomp, groups expanded by systemd-analyze, failing with the unit's SystemCallErrorNumber)
# and RestrictAddressFamilies=, all read from the unit file. serve runs inside it below, so
# the unit's hardening is shown not to break the server.
cat >"$scratch/sandbox.py" <<'EOF'
import ctypes, errno, mmap, os, socket, subprocess, sys
unit, state, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
settings = {}
for line in open(unit):
    line = line.strip()
    if line and not line.startswith(("#", ";", "[")):
        key, _, value = line.partition("=")
        settings.setdefault(key, []).append(value)
def last(key, default=""):
    return settings.get(key, [default])[-1]
applied = []
libc = ctypes.CDLL(None, use_errno=True)
if last("NoNewPrivileges") == "yes" and libc.prctl(38, 1, 0, 0, 0) == 0:  # PR_SET_NO_NEW_PRIVS
    applied.append("NoNewPrivileges")
if last("MemoryDenyWriteExecute") == "yes" and libc.prctl(65, 1, 0, 0, 0) == 0:  # PR_SET_MDWE
    applied.append("MemoryDenyWriteExecute")
# Without PR_SET_MDWE the filter below refuses, as systemd does there: a mapping both writable
# and executable, making memory executable later, executable shared memory.
refuse_wx = last("MemoryDenyWriteExecute") == "yes" and "MemoryDenyWriteExecute" not in applied
try:
    import seccomp
except ImportError:
    seccomp = None
filters = settings.get("SystemCallFilter", [])
try:
    listing = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True, check=True).stdout
except (OSError, subprocess.CalledProcessError):
    listing = None  # no systemd-analyze to expand the groups with
if seccomp is not None and listing and filters and not filters[0].startswith("~"):
    groups, group = {}, None
    for line in listing.splitlines():
        if line.startswith("@"):
            group = groups.setdefault(line.strip(), [])
        elif line.strip() and not line.strip().startswith("#") and group is not None:
            group.append(line.strip())
    def expand(name, seen):
        if not name.startswith("@"):
            return {name}
        if name in seen:
            return set()
        seen.add(name)
        return set().union(*[expand(member, seen) for member in groups[name]])
    allowed, denied = set(), set()
    for value in filters:
        names = value.lstrip("~").split()
        (denied if value.startswith("~") else allowed).update(*[expand(n, set()) for n in names])
    families = [getattr(socket, f) for f in last("RestrictAddressFamilies").split()]
    action = seccomp.ERRNO(getattr(errno, last("SystemCallErrorNumber", "EPERM")))
    sandbox = seccomp.SyscallFilter(defaction=action)
    # Allowed only when the third argument (prot, shmflg) has none of these flags; a rule per
    # flag set, so mmap is allowed when it is not both writable and executable.
    without = {}
    if refuse_wx:
        without = {"mmap": [mmap.PROT_EXEC, mmap.PROT_WRITE], "mprotect": [mmap.PROT_EXEC],
                   "pkey_mprotect": [mmap.PROT_EXEC], "shmat": [0o100000]}  # SHM_EXEC
    for name in sorted(allowed - denied - ({"socket"} if families else set())):
        try:
            if name in without:
                for flags in without[name]:
                    sandbox.add_rule(seccomp.ALLOW, name, seccomp.Arg(2, seccomp.MASKED_EQ, flags, 0))
            else:
                sandbox.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):
            pass  # a name this architecture does not have
    for family in families:
        sandbox.add_rule(seccomp.ALLOW, "socket", seccomp.Arg(0, seccomp.EQ, family))
    sandbox.load()
    if refuse_wx:
        applied.insert(applied.index("NoNewPrivileges") + 1 if "NoNewPrivileges" in applied else 0, "MemoryDenyWriteExecute")
    applied.append("SystemCallFilter")
    if families:
        applied.append("RestrictAddressFamilies")
open(state, "w").write(" ".join(applied))
os.execv(argv[0], argv)
EOF
cat >"$scratch/sandbox-probe.py" <<'EOF'
import mmap, os, socket
def refused(attempt):
    try:
        attempt()
    except OSError:
        return True
    return False
print("setpriority", refused(lambda: os.setpriority(os.PRIO_PROCESS, 0, 1)))
print("setuid", refused(lambda: os.setuid(os.getuid())))
print("packet-socket", refused(lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW)))
print("inet-socket", refused(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()))
print("wx-memory", refused(lambda: mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)))
EOF
full_sandbox="NoNewPrivileges MemoryDenyWriteExecute SystemCallFilter RestrictAddressFamilies"
"$sandbox_python" "$scratch/sandbox.py" "$repo/deploy/systemd/lianyaohu.service" "$scratch/probe-state" \
  "$sandbox_python" "$scratch/sandbox-probe.py" >"$scratch/probe.txt" 2>&1
if [ "$(cat "$scratch/probe-state" 2>/dev/null)" = "$full_sandbox" ]; then
  check "the unit's sandbox, emulated: refuses setpriority, setuid, packet sockets and W+X memory; allows TCP sockets" \
    test "$(tr '\n' ' ' <"$scratch/probe.txt")" = "setpriority True setuid True packet-socket True inet-socket False wx-memory True "
else
  cat "$scratch/probe.txt"
  check "the unit's sandbox can be applied here (only '$(cat "$scratch/probe-state" 2>/dev/null)' was)" false
fi
cat >"$scratch/sandboxed" <<EOF
#!/bin/sh
exec "$sandbox_python" "$scratch/sandbox.py" "$repo/deploy/systemd/lianyaohu.service" "$scratch/serve-sandbox" "$binary" "\$@"
EOF
chmod +x "$scratch/sandboxed"
real_binary="$binary"
binary="$scratch/sandboxed"
# serve as the Deployment runs it (same config file, Secret variables and XDG layout), but on
# loopback, in the systemd unit's sandbox.
mkdir -p "$scratch/pod/var/lib/lianyaohu" "$scratch/pod/var/log/lianyaohu" "$scratch/pod/var/cache/lianyaohu" "$scratch/pod/tmp"
start_serve LIANYAOHU_API_TOKEN=deploy-kit-token "LIANYAOHU_REDIS_URL=redis://127.0.0.1:$redis_port/0" \
  "LIANYAOHU_REDIS_PASSWORD=$redis_password" HOME="$scratch/pod/var/lib/lianyaohu" XDG_DATA_HOME="$scratch/pod/var/lib" \
  XDG_STATE_HOME="$scratch/pod/var/log" XDG_CACHE_HOME="$scratch/pod/var/cache" TMPDIR="$scratch/pod/tmp" \
  -- --config deploy/kubernetes/config.toml --log-level info
started=$?
binary="$real_binary"
check "serve starts on deploy/kubernetes/config.toml with the Secret's variables" test "$started" -eq 0
[ "$started" -eq 0 ] || exit 1
sandbox="$(cat "$scratch/serve-sandbox" 2>/dev/null)"
for _ in $(seq 50); do
  [ "$(http_status "$URL/readyz")" = 200 ] && break
  sleep 0.1
done
curl -s --max-time 10 "$URL/readyz" >"$scratch/readyz.json"
check "readyz: ready, with the redis and sqlite tiers up" "$python" -c '
import json, sys
r = json.load(open(sys.argv[1]))
tiers = {t["tier"]: t["up"] for t in r["tiers"]}
sys.exit(0 if r["ready"] and tiers.get("redis") and tiers.get("sqlite") else 1)' "$scratch/readyz.json"
check "the SQLite tier lives where the Deployment's XDG_DATA_HOME puts it" test -f "$scratch/pod/var/lib/lianyaohu/cache.sqlite"
for _ in 1 2 3; do curl -s --max-time 10 "$URL/v1/quotes/AAPL" >/dev/null; done
curl -s --max-time 10 "$URL/v1/quotes/NOPE" >/dev/null
curl -s --max-time 10 "$URL/v1/quotes?symbols=MSFT,BTC-USD,%5EVIX" >/dev/null
curl -s --max-time 10 "$URL/healthz" >/dev/null
curl -sN --max-time 15 "$URL/v1/stream?max_events=1" >/dev/null
curl -s --max-time 10 "$URL/metrics" >/dev/null
sleep 1.2
curl -s --max-time 10 "$URL/metrics" >"$scratch/metrics.txt"
check "serve: the token is never logged" bash -c "! grep -q deploy-kit-token '$serve_log'"
check "serve ran in the unit's sandbox ($sandbox) and answered every request" \
  grep -q '^lianyaohu_http_requests_total{.*route="/v1/stream"' "$scratch/metrics.txt"
stop_serve
check "serve drains and exits 0 on SIGTERM" test "$serve_status" -eq 0
check "serve listened on 127.0.0.1 only" bash -c "grep -q 'listening on http://127.0.0.1:' '$serve_log'"

# Some series appear only once their event has happened: a failed provider call
# (lianyaohu_upstream_errors_total), an eviction, a stale serve. A second serve, on a config
# made for it, makes them happen: a provider that always fails asked first, a memory cache
# smaller than the watchlists, a TTL of 0.1 s.
cat >"$scratch/faults.toml" <<'EOF'
[core]
refresh_interval = 0.5
[cache]
max_entries = 30
quote_ttl = 0.1
quote_max_staleness = 300
tiers = ["memory"]
[routing]
quote_policy = "failover"
[providers.sim-broken]
kind = "simulated"
priority = 1
error_rate = 1.0
latency_median_ms = 1
latency_p99_ms = 2
[providers.sim-ok]
kind = "simulated"
priority = 2
latency_median_ms = 1
latency_p99_ms = 2
EOF
start_serve -- --config "$scratch/faults.toml" || exit 1
for _ in $(seq 50); do
  curl -s --max-time 10 "$URL/v1/quotes?symbols=AAPL,MSFT,NVDA,SPY,QQQ" >/dev/null
  sleep 0.2
  curl -s --max-time 10 "$URL/v1/quotes?symbols=AAPL,MSFT,NVDA,SPY,QQQ" >/dev/null
  curl -s --max-time 10 "$URL/metrics" >"$scratch/metrics-faults.txt"
  grep -q '^lianyaohu_upstream_errors_total{' "$scratch/metrics-faults.txt" \
    && grep -q '^lianyaohu_cache_evictions_total{' "$scratch/metrics-faults.txt" \
    && grep -q '^lianyaohu_cache_stale_serves_total{' "$scratch/metrics-faults.txt" && break
done
stop_serve
cat "$scratch/metrics-faults.txt" >>"$scratch/metrics.txt"

# Every PromQL expression in the dashboard, the rules and the adapter, parsed; each metric
# name must be exposed (histograms through _bucket/_sum/_count), each label matched on must be
# on that metric, and values of the labels whose full set the server shows must exist. Exempt:
# names the kit itself records (recording rules, the adapter's output) and `up`, which
# Prometheus makes for every target.
"$python" - "$scratch/metrics.txt" deploy/grafana/lianyaohu.json deploy/prometheus/lianyaohu-rules.yml \
  deploy/kubernetes/prometheus-adapter/configmap.yaml deploy/kubernetes/hpa.yaml \
  Sources/MarketCore/Providers/ProviderError.swift >"$scratch/names.txt" <<'PY'
import json, re, sys, yaml
import promql_parser as pp
metrics_file, dashboard_file, rules_file, adapter_file, hpa_file, errors_file = sys.argv[1:]

# The exposition: families with their type, and every sample's labels.
types, samples = {}, {}
for line in open(metrics_file):
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split()
        types[name] = kind
    elif line.strip() and not line.startswith("#"):
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ', line)
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples.setdefault(m.group(1), []).append(labels)

def family(name):
    """The exposed family a referenced series name belongs to, or None."""
    if name in types:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            if suffix == "_bucket" and types[base] != "histogram":
                return None
            return base
    return None

target_labels = {"job", "instance", "namespace", "pod"}
block = open(errors_file).read().split("public var errorClass: String {", 1)[1].split("\n  }", 1)[0]
known_values = {"class": set(re.findall(r'"([a-z_]+)"', block))}

# Where expressions come from.
expressions = []  # (origin, expr)
dashboard = json.load(open(dashboard_file))
def panels(items):
    for p in items:
        yield p
        yield from panels(p.get("panels", []))
for p in panels(dashboard["panels"]):
    for t in p.get("targets", []):
        if t.get("expr"):
            expressions.append((f'dashboard panel "{p["title"]}"', t["expr"]))
for v in dashboard["templating"]["list"]:
    q = v.get("query")
    q = q.get("query") if isinstance(q, dict) else q
    if v["type"] == "query":
        m = re.fullmatch(r"\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)\s*", q)
        expressions.append((f'dashboard variable ${v["name"]}', m.group(1) if m else q))
rules = yaml.safe_load(open(rules_file))
recorded = set()
for g in rules["groups"]:
    for r in g["rules"]:
        if "record" in r:
            recorded.add(r["record"])
        expressions.append((f'rule {r.get("alert") or r.get("record")}', r["expr"]))
adapter = yaml.safe_load(yaml.safe_load(open(adapter_file))["data"]["config.yaml"])
adapter_names = set()
for r in adapter["rules"]:
    series = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", r["seriesQuery"]).group(0)
    adapter_names.add(r["name"]["as"])
    expressions.append(("adapter seriesQuery", r["seriesQuery"]))
    query = (r["metricsQuery"].replace("<<.Series>>", series)
             .replace("<<.LabelMatchers>>", 'namespace="lianyaohu",pod=~"lianyaohu-.*"').replace("<<.GroupBy>>", "pod"))
    expressions.append(("adapter metricsQuery", query))
hpa_names = {m["pods"]["metric"]["name"] for m in yaml.safe_load(open(hpa_file))["spec"]["metrics"] if m["type"] == "Pods"}
# Series serve exposes only for some configurations: the budget gauge exists per provider with
# a rate limit or a daily quota, and the kit's config runs the simulated market without them.
conditional = {"lianyaohu_provider_budget_local_share"}
exempt = recorded | adapter_names | {"up"} | conditional

selectors = []  # (origin, name, matchers)
def walk(node, origin):
    if isinstance(node, pp.VectorSelector):
        matchers = list(node.matchers.matchers) if node.matchers else []
        name = node.name or next((m.value for m in matchers if m.name == "__name__"), None)
        selectors.append((origin, name, [m for m in matchers if m.name != "__name__"]))
        return
    for attr in ("vector_selector", "expr", "lhs", "rhs", "param"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, (str, int, float)):
            walk(child, origin)
    for child in getattr(node, "args", None) or []:
        walk(child, origin)

problems, referenced = [], set()
for origin, expr in expressions:
    text = re.sub(r"\$__(rate_interval|interval|range)", "5m", expr)
    try:
        walk(pp.parse(text), origin)
    except Exception as error:  # a parse error is a finding, not a crash
        problems.append(f"{origin}: does not parse: {error}")

def literal_alternatives(regex):
    return regex.split("|") if re.fullmatch(r"[A-Za-z0-9_/{}\-.|]+", regex) else None

for origin, name, matchers in selectors:
    if name is None:
        problems.append(f"{origin}: a selector without a metric name")
        continue
    referenced.add(name)
    if name in exempt:
        continue
    fam = family(name)
    if fam is None:
        problems.append(f"{origin}: {name} is not exposed by lianyaohu serve")
        continue
    series = samples.get(name, [])
    present = {k for s in series for k in s}
    for m in matchers:
        op = str(m.op).split(".")[-1]
        if m.name in target_labels or m.name == "le":
            continue
        if m.name not in present:
            problems.append(f"{origin}: {name} has no label {m.name}")
            continue
        values = {s[m.name] for s in series if m.name in s}
        if m.name in ("class",):
            values = known_values["class"]
        elif m.name not in ("state", "tier", "result", "route"):
            continue
        wanted = [m.value] if op in ("Equal", "NotEqual") else literal_alternatives(m.value) if op in ("Re", "NotRe") else None
        if op in ("Re", "NotRe") and m.value.endswith(".."):
            wanted = None  # a pattern such as 5.. for statuses
        for value in wanted or []:
            if value not in values:
                problems.append(f"{origin}: {name}{{{m.name}=\"{value}\"}} never appears (known: {', '.join(sorted(values))})")

print(f"info\t{len(expressions)} expressions, {len(referenced)} metric names: " + " ".join(sorted(referenced)))
print(("ok" if not problems else "FAIL") + f"\tevery metric, label and label value the kit selects is exposed by lianyaohu serve")
for p in problems:
    print("info\t  " + p)
unused = {n for n in recorded if n not in referenced}
print(("ok" if hpa_names <= adapter_names else "FAIL") + "\tthe HPA asks only for metrics the adapter defines")
dash_names = set()
for p in panels(dashboard["panels"]):
    for t in p.get("targets", []):
        for n in re.findall(r"lianyaohu_[a-z_]+|process_[a-z_]+", t.get("expr", "")):
            dash_names.add(family(n) or n)
wanted = {"lianyaohu_http_requests_total", "lianyaohu_http_request_duration_seconds", "lianyaohu_cache_hits_total",
          "lianyaohu_upstream_requests_total", "lianyaohu_upstream_errors_total", "lianyaohu_upstream_latency_seconds",
          "lianyaohu_provider_breaker_state", "lianyaohu_provider_up", "lianyaohu_refreshes_total",
          "lianyaohu_http_requests_in_flight", "lianyaohu_upstream_in_flight", "lianyaohu_stream_clients",
          "process_resident_memory_bytes", "process_cpu_seconds_total"}
print(("ok" if wanted <= dash_names else "FAIL") + "\tthe dashboard covers requests, latency, cache, upstreams, breakers, refreshes, in-flight, streams, process"
      + ("" if wanted <= dash_names else " (missing: " + ", ".join(sorted(wanted - dash_names)) + ")"))
exposed_lianyaohu = {n for n in types if n.startswith("lianyaohu_")}
print("info\tnot on the dashboard: " + (", ".join(sorted(exposed_lianyaohu - dash_names)) or "nothing"))
PY
status=$?
check "metric-name check ran" test "$status" -eq 0
while IFS=$'\t' read -r result name; do
  if [ "$result" = info ]; then echo "     $name"; else check "$name" test "$result" = ok; fi
done <"$scratch/names.txt"
