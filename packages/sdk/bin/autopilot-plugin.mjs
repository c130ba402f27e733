#!/usr/bin/env node
// The SDK is TypeScript source: tsx runs the CLI (and imports the plugin's own TypeScript).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
