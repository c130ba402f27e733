import { describe, expect, it } from "vitest";
import { bearer, call, createKey, signup } from "./helpers.js";

// Walks the API's own OpenAPI document and sends bad input to every operation (issue 15): wrong types,
// missing and extra fields, NUL bytes, unpaired surrogates, deep and huge bodies, malformed JSON, and
// ids that are malformed or unknown. Every answer must be a 4xx (or a 2xx where the input happens to
// be acceptable) in the error shape — never a 5xx. Deterministic: the same requests every run.

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Parameter = { name: string; in: "path" | "query" | "header"; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

const METHODS = ["get", "post", "put", "patch", "delete"];
const NUL = "a\u0000b";
const SURROGATE = "a\ud800b";

function resolve(doc: Document, schema: Schema | undefined, depth = 0): Schema | undefined {
  if (!schema || depth > 8) return schema;
  if (schema.$ref)
    return resolve(doc, doc.components?.schemas?.[schema.$ref.split("/").at(-1) ?? ""], depth + 1);
  const first = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (first && !schema.properties) return resolve(doc, first, depth + 1);
  if (schema.allOf) {
    const properties: Record<string, Schema> = {};
    for (const part of schema.allOf)
      Object.assign(properties, resolve(doc, part, depth + 1)?.properties ?? {});
    return { type: "object", properties };
  }
  return schema;
}

/** A value of the wrong type for `schema`. */
function wrongFor(schema: Schema | undefined): unknown {
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  switch (type) {
    case "string":
      return 12345;
    case "number":
    case "integer":
      return "not a number";
    case "boolean":
      return "yes";
    case "array":
      return { not: "an array" };
    case "object":
      return "not an object";
    default:
      return [[[]]];
  }
}

function deep(levels: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < levels; i++) value = { d: value };
  return value;
}

/** The bad bodies for one operation's JSON schema (a dozen: each kind of wrongness once). */
function badBodies(schema: Schema | undefined): (unknown | { raw: string })[] {
  const props = Object.entries(schema?.properties ?? {});
  const strings = props.filter(([, s]) =>
    Array.isArray(s.type) ? s.type.includes("string") : s.type === "string",
  );
  const bodies: (unknown | { raw: string })[] = [
    { raw: "{" },
    [],
    null,
    {},
    { unexpectedField: NUL, another: [1, 2, 3] },
    deep(200),
    { name: "x".repeat(300 * 1024) },
  ];
  if (props.length) bodies.push(Object.fromEntries(props.map(([name, s]) => [name, wrongFor(s)])));
  if (strings.length) {
    bodies.push(Object.fromEntries(strings.map(([name]) => [name, NUL])));
    bodies.push(Object.fromEntries(strings.map(([name]) => [name, SURROGATE])));
    bodies.push(Object.fromEntries(strings.map(([name]) => [name, "y".repeat(100_000)])));
  }
  return bodies;
}

// The unknown (well-formed) id is the target of the body and query cases.
const PATH_VALUES = ["not-a-uuid", "%00"];
const QUERY_VALUES = ["%00", "x".repeat(3000), "-99999999999999999999", "%ED%A0%80"];

describe("fuzz: bad input to every operation", () => {
  it("never answers 5xx, and every 4xx is in the error shape", { timeout: 600_000 }, async () => {
    const s = await signup("Fuzz");
    // Several keys so the per-key rate limit never turns the run into 429s.
    const keys = await Promise.all(
      [1, 2, 3, 4].map(async () => bearer((await createKey(s, "admin")).secret)),
    );
    const doc = (await call("/v1/openapi.json")).json as Document;
    let sent = 0;
    const started = Date.now();
    const failures: string[] = [];
    const send = async (
      method: string,
      path: string,
      init: { body?: unknown; raw?: string; query?: string },
    ) => {
      const headers = keys[Math.floor(sent / 1000) % keys.length] as Record<string, string>;
      sent++;
      const what = `${method.toUpperCase()} ${path}${(init.query ?? "").slice(0, 60)} ${String(init.raw ?? JSON.stringify(init.body) ?? "").slice(0, 80)}`;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const res = await Promise.race([
        call(`${path}${init.query ?? ""}`, {
          method: method.toUpperCase(),
          headers:
            init.raw !== undefined || init.body !== undefined
              ? { ...headers, "content-type": "application/json" }
              : headers,
          ...(init.raw !== undefined
            ? { rawBody: init.raw }
            : init.body !== undefined
              ? { body: init.body }
              : {}),
        }),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), 10_000);
        }),
      ]);
      clearTimeout(timer);
      if (!res) {
        failures.push(`no answer within 10 s: ${what}`);
        return;
      }
      if (res.status >= 500)
        failures.push(`${res.status} ${what} → ${JSON.stringify(res.json).slice(0, 200)}`);
      else if (res.status >= 400) {
        const error = (res.json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
        if (typeof error?.code !== "string" || typeof error.message !== "string")
          failures.push(
            `${res.status} not in the error shape: ${what} → ${JSON.stringify(res.json).slice(0, 200)}`,
          );
      }
    };

    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] as Operation })),
    );
    expect(operations.length).toBeGreaterThan(100);
    for (const { path, method, op } of operations) {
      // Logging out would end nothing here (API keys), but it is not bad input either.
      if (path === "/v1/auth/logout") continue;
      const pathParams = (op.parameters ?? []).filter((p) => p.in === "path");
      const withIds = (value: string) =>
        pathParams.reduce((p, param) => p.replace(`{${param.name}}`, value), path);
      for (const value of pathParams.length ? PATH_VALUES : [""]) await send(method, withIds(value), {});
      const target = withIds("00000000-0000-4000-8000-000000000000");
      // Each query parameter gets one bad value (they take turns), all of them together get another.
      const query = (op.parameters ?? []).filter((p) => p.in === "query");
      for (const [i, param] of query.entries())
        await send(method, target, { query: `?${param.name}=${QUERY_VALUES[i % QUERY_VALUES.length]}` });
      if (query.length > 1)
        await send(method, target, { query: `?${query.map((p) => `${p.name}=%00`).join("&")}` });
      const json = op.requestBody?.content?.["application/json"];
      if (json) {
        const schema = resolve(doc, json.schema);
        for (const body of badBodies(schema))
          await send(
            method,
            target,
            body && typeof body === "object" && "raw" in body
              ? { raw: (body as { raw: string }).raw }
              : { body },
          );
      }
    }
    console.log(
      JSON.stringify({ fuzz: { operations: operations.length, requests: sent, ms: Date.now() - started } }),
    );
    expect(sent).toBeGreaterThan(800);
    expect(failures).toEqual([]);
  });
});
