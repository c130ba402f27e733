// Node-only helpers for running the database path locally (the run command, tests, benchmarks).
export { type BridgeStats, startBridge } from "./bridge.js";
export { type LocalDatabase, startLocalDatabase } from "./database.js";
export { createFreshDatabase, dropDatabase, migrateServerDatabase, migrationsFolder } from "./migrate.js";
