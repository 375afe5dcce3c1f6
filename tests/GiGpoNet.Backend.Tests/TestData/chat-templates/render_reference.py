"""Renders chat templates the way transformers' apply_chat_template does, as the reference for GiGPO.NET's Jinja interpreter.

usage: python3 render_reference.py cases.json out.json
cases.json: [{"template": "...", "variables": {...}}, ...]; out.json: [{"text": "..."} or {"error": "..."}, ...]
The environment is transformers': jinja2's ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks, loop controls and the
{% generation %} block, a tojson
that keeps non-ASCII text, raise_exception, and strftime_now (fixed here to 2026-07-26 09:05:03 so that outputs are reproducible).
"""
import datetime
import json
import sys

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

NOW = datetime.datetime(2026, 7, 26, 9, 5, 3)


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return NOW.strftime(fmt)


class Generation(Extension):
    """transformers' {% generation %} block (it marks assistant tokens): renders its body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_body"), [], [], body).set_lineno(lineno)

    def _body(self, caller):
        return caller()


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[Generation, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    cases = json.load(open(sys.argv[1], encoding="utf-8"))
    env = environment()
    results = []
    for case in cases:
        try:
            results.append({"text": env.from_string(case["template"]).render(**case["variables"])})
        except Exception as e:  # the interpreter must fail on the same inputs
            results.append({"error": type(e).__name__ + ": " + str(e)})
    json.dump(results, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)


main()
