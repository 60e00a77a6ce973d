#!/usr/bin/env python3
"""gen_project.py DIR N: a TypeScript project of N modules for tsgo to check.

Each module imports the previous one and declares generic interfaces,
classes, mapped and template-literal types, so type checking allocates a
lot (about 700k Go allocations for 300 modules) and takes a few seconds.
The project type-checks without errors (noEmit)."""
import os
import sys

d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d + "/src", exist_ok=True)
open(d + "/tsconfig.json", "w").write('{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2022", "module": "es2022", "moduleResolution": "bundler"}, "include": ["src"]}\n')
for i in range(n):
    imp = f'import {{ Box{i-1}, make{i-1} }} from "./m{i-1}";\n' if i else ""
    body = f'''{imp}
export interface Shape{i}<T> {{ id: number; name: string; value: T; tags: string[]; next?: Shape{i}<T> }}
export class Box{i}<T extends object> {{
  private items: Map<string, Shape{i}<T>> = new Map();
  add(key: string, v: T): Shape{i}<T> {{ const s = {{ id: this.items.size, name: key, value: v, tags: [key, `${{key}}-{i}`] }}; this.items.set(key, s); return s; }}
  find(pred: (s: Shape{i}<T>) => boolean): Shape{i}<T>[] {{ return [...this.items.values()].filter(pred); }}
  map<U>(f: (v: T, i: number) => U): U[] {{ return [...this.items.values()].map((s, i) => f(s.value, i)); }}
}}
export type Pick{i}<T> = {{ [K in keyof T as `get${{Capitalize<string & K>}}`]: () => T[K] }};
export function make{i}(n: number): Box{i}<{{ a: number; b: string; c: boolean[] }}> {{
  const b = new Box{i}<{{ a: number; b: string; c: boolean[] }}>();
  for (let j = 0; j < n; j++) b.add(String(j), {{ a: j, b: `v${{j}}`, c: [j % 2 === 0] }});
  {"const prev = make" + str(i-1) + "(n - 1); const _x: Box" + str(i-1) + "<{ a: number; b: string; c: boolean[] }> = prev;" if i else ""}
  return b;
}}
export const table{i}: Record<string, Pick{i}<{{ x: number; y: string }}>> = {{
  one: {{ getX: () => {i}, getY: () => "{i}" }},
}};
'''
    open(f"{d}/src/m{i}.ts", "w").write(body)
