export {
  type Database,
  type DatabaseConfig,
  openDatabase,
  type Schema,
  schema,
  type Tx,
} from "./database.js";
export {
  classifyDriverError,
  DatabaseUnavailableError,
  isDatabaseUnavailable,
  isTransientDbError,
  isUniqueViolation,
  type PgErrorInfo,
  pgErrorCode,
  pgErrorInfo,
} from "./errors.js";
export * from "./lookups.js";
export * from "./schema/index.js";
export { withPlatform, withTenant } from "./tenant.js";
