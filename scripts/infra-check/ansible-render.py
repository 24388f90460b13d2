"""Renders Ansible variables and role templates the way a play would, but offline and strict.

Reads one JSON request on stdin:
  {"hosts": {name: {vars}}, "templates": [{"file": path, "host": name}]}
where each host's vars are already merged in Ansible's precedence order (role defaults <
group_vars < inventory < runtime facts). Writes {"vars": {host: resolved vars}, "rendered":
[{"file", "host", "text"}], "errors": [{"file", "host", "message"}]} to stdout.

StrictUndefined: a variable that nothing defines is an error, not an empty string, because
that is what makes `ansible-playbook` fail halfway through a real rebuild.
"""
import base64
import json
import re
import sys

import jinja2

WHOLE = re.compile(r"^\s*\{\{(.*)\}\}\s*$", re.S)


def make_env():
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters.update(
        b64decode=lambda s: base64.b64decode(s).decode(),
        b64encode=lambda s: base64.b64encode(str(s).encode()).decode(),
        to_json=json.dumps,
        difference=lambda a, b: [x for x in a if x not in b],
        bool=lambda v: str(v).lower() in ("1", "true", "yes", "on") if isinstance(v, str) else bool(v),
    )
    return env


def resolve(env, value, ctx, depth=0):
    """Templates inside vars are lazy in Ansible; a string that is one whole expression keeps its type."""
    if depth > 20:
        raise ValueError("variables refer to each other in a loop")
    if isinstance(value, dict):
        return {k: resolve(env, v, ctx, depth) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(env, v, ctx, depth) for v in value]
    if not isinstance(value, str) or "{{" not in value and "{%" not in value:
        return value
    whole = WHOLE.match(value)
    if whole and "}}" not in whole.group(1):
        out = env.compile_expression(whole.group(1).strip(), undefined_to_none=False)(**ctx)
        if isinstance(out, jinja2.Undefined):
            str(out)  # raises UndefinedError with the variable's name
    else:
        out = env.from_string(value).render(**ctx)
    return resolve(env, out, ctx, depth + 1)


class LazyVars(dict):
    """Resolves a host's variables on first use, so templates see finished values."""

    def __init__(self, env, raw):
        super().__init__(raw)
        self.env = env
        self.done = {}

    def __getitem__(self, key):
        if key == "hostvars":  # the other hosts resolve their own variables
            return dict.__getitem__(self, key)
        if key not in self.done:
            self.done[key] = resolve(self.env, dict.__getitem__(self, key), self)
        return self.done[key]

    def get(self, key, default=None):
        return self[key] if key in self else default


def main():
    req = json.load(sys.stdin)
    env = make_env()
    hostvars = {name: LazyVars(env, v) for name, v in req["hosts"].items()}
    for hv in hostvars.values():
        dict.__setitem__(hv, "hostvars", hostvars)
    out = {"vars": {}, "rendered": [], "errors": []}
    for name, hv in hostvars.items():
        resolved = {}
        for key in list(dict.keys(hv)):
            if key == "hostvars" or key in req.get("skip", []):
                continue
            try:
                resolved[key] = hv[key]
            except Exception as e:  # noqa: BLE001 - every failure is a finding to report
                out["errors"].append({"file": None, "host": name, "var": key, "message": f"{key}: {e}"})
        out["vars"][name] = resolved
    for t in req["templates"]:
        hv = hostvars[t["host"]]
        try:
            tmpl = env.from_string(open(t["path"], encoding="utf8").read())
            # shared=True keeps the lazy mapping instead of copying (and resolving) every variable.
            text = "".join(tmpl.root_render_func(tmpl.new_context(hv, shared=True)))
            out["rendered"].append({"file": t["file"], "host": t["host"], "text": text})
        except Exception as e:  # noqa: BLE001
            out["errors"].append({"file": t["file"], "host": t["host"], "message": str(e)})
    json.dump(out, sys.stdout, default=str)


main()
