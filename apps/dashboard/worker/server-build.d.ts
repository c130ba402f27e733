// The server build module wrangler.toml aliases to build/server/index.js; its exports form a ServerBuild.
declare module "virtual:react-router/server-build" {
  export const entry: unknown;
  export const routes: unknown;
  export const assets: unknown;
}
