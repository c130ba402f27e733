// `npm run db:migrate`: applies migrations/ to DATABASE_URL, or to the local PGlite under .data/
// (stop `npm start` first: PGlite allows one process at a time).
import { PGlite } from "@electric-sql/pglite";
import { migratePgliteDatabase, migrateServerDatabase } from "./migrate.js";

const url = process.env.DATABASE_URL;
if (url) {
  await migrateServerDatabase(url);
  console.log(`migrated ${new URL(url).pathname.slice(1)} on ${new URL(url).host}`);
} else {
  const dir = process.env.PGLITE_DIR ?? ".data/pglite";
  const db = await PGlite.create(dir);
  await migratePgliteDatabase(db);
  await db.close();
  console.log(`migrated PGlite at ${dir}`);
}
