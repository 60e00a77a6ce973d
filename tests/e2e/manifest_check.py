#!/usr/bin/env python3
"""Checks contrib/fastpath-daemonset.yaml (no kubeconform in Debian 12).

  manifest_check.py FILE [--opt-in]

Parses every document and asserts what the issue asks of the DaemonSet
(privileged, hostPID, /sys/kernel/btf and /sys/fs/cgroup mounted read-only,
serve on loopback unless the documented opt-in is applied) plus the
structural rules the API server would reject it for (selector versus
template labels, mounts naming volumes, DNS-1123 names).  --opt-in applies
the opt-in the manifest documents (the OPT-IN comment above FASTPATH_LISTEN)
the way its header says, and checks that the node's address is then used.
Prints the container's command and arguments, after Kubernetes' $(VAR)
expansion, one per line, for the caller to run them.
"""
import re
import sys

import yaml

DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
OPT_IN = re.compile(r'^(\s*)# OPT-IN for a cluster Prometheus: value: ("\$\(NODE_IP\):9464")\s*$')


def fail(msg):
    print(f"manifest_check: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def apply_opt_in(text):
    """Replace the value under the OPT-IN comment with the one it names."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = OPT_IN.match(line)
        if not m:
            continue
        check(i + 2 < len(lines) and "name: FASTPATH_LISTEN" in lines[i + 1],
              "the OPT-IN comment is not right above FASTPATH_LISTEN")
        check(re.match(r"^\s*value: ", lines[i + 2]), "FASTPATH_LISTEN has no value line")
        lines[i + 2] = re.sub(r"value: .*$", f"value: {m.group(2)}", lines[i + 2])
        return "\n".join(lines)
    fail("no OPT-IN comment in the manifest")


def expand(s, env):
    """Kubernetes' $(VAR) expansion in command, args and env values."""
    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env.get(m.group(1), m.group(0)), s)


def container_env(c):
    env = {}
    for e in c.get("env", []):
        check(re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", e["name"]), f"env name {e['name']}")
        if "value" in e:
            env[e["name"]] = expand(str(e["value"]), env)
        else:
            ref = e["valueFrom"]["fieldRef"]["fieldPath"]
            env[e["name"]] = "<" + ref + ">"
    return env


def check_daemonset(ds, namespaces):
    check(ds["apiVersion"] == "apps/v1", "DaemonSet apiVersion is not apps/v1")
    check(DNS1123.match(ds["metadata"]["name"]), "DaemonSet name")
    check(ds["metadata"].get("namespace") in namespaces, "the DaemonSet's namespace is not created")
    sel = ds["spec"]["selector"]["matchLabels"]
    labels = ds["spec"]["template"]["metadata"]["labels"]
    check(sel and all(labels.get(k) == v for k, v in sel.items()),
          "selector.matchLabels do not select the template's labels")
    pod = ds["spec"]["template"]["spec"]
    check(pod.get("hostPID") is True, "hostPID is not true")
    check(pod.get("automountServiceAccountToken") is False, "an API token is mounted; fastpath needs none")
    check(len(pod["containers"]) == 1, "one container expected")
    c = pod["containers"][0]
    check(DNS1123.match(c["name"]), "container name")
    check(c["securityContext"].get("privileged") is True, "the container is not privileged")
    for kind in ("requests", "limits"):
        check(set(c["resources"][kind]) == {"cpu", "memory"}, f"resources.{kind} needs cpu and memory")
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    for m in c["volumeMounts"]:
        check(m["name"] in volumes, f"mount {m['mountPath']} names no volume")
    for path in ("/sys/kernel/btf", "/sys/fs/cgroup"):
        check(path in mounts, f"{path} is not mounted")
        check(mounts[path].get("readOnly") is True, f"{path} is not read-only")
        check(volumes[mounts[path]["name"]].get("hostPath", {}).get("path") == path,
              f"{path} is not the node's {path}")
    env = container_env(c)
    argv = [expand(a, env) for a in c["command"] + c["args"]]
    check(argv[1] == "serve", "the container does not run fastpath serve")
    check("--listen" in argv, "--listen is not explicit")
    listen = argv[argv.index("--listen") + 1]
    port = int(listen.rsplit(":", 1)[1])
    check([p["containerPort"] for p in c["ports"]] == [port], "containerPort is not the listen port")
    return argv, listen, pod


def main():
    path = sys.argv[1]
    opt_in = "--opt-in" in sys.argv[2:]
    text = open(path).read()
    if opt_in:
        text = apply_opt_in(text)
    docs = [d for d in yaml.safe_load_all(text) if d]
    kinds = [d["kind"] for d in docs]
    check(kinds == ["Namespace", "DaemonSet"], f"kinds {kinds}")
    namespaces = {d["metadata"]["name"] for d in docs if d["kind"] == "Namespace"}
    argv, listen, pod = check_daemonset(docs[1], namespaces)
    if opt_in:
        check(listen == "<status.hostIP>:9464", f"opt-in: listens on {listen}, not the node's address")
    else:
        check(listen == "127.0.0.1:9464", f"listens on {listen} by default, not on loopback")
        # loopback is the node's only with the node's network namespace
        check(pod.get("hostNetwork") is True, "loopback without hostNetwork is the pod's own")
    print("\n".join(argv))


if __name__ == "__main__":
    main()
