// The dashboard worker's bindings (wrangler.toml). Typed by hand, small on purpose: the app code also
// runs in the browser, so the project compiles against the DOM lib, not @cloudflare/workers-types.

/** A service binding: a fetch that reaches the bound worker directly, without the public internet. */
export type ServiceBinding = { fetch(request: Request): Promise<Response> };

export type Env = {
  API: ServiceBinding;
  /** edge-api's public origin: the widget's <script> tag loads from it (public chat goes there directly). */
  API_PUBLIC_URL: string;
};

export type WorkerContext = { waitUntil(promise: Promise<unknown>): void; passThroughOnException(): void };
