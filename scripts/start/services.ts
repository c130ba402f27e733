import { dashboard } from "./dashboard.js";
import { database } from "./database.js";
import { demo } from "./demo.js";
import { edgeApi } from "./edge-api.js";
import type { Service } from "./types.js";

/**
 * Everything `npm start` runs, in start order (stopped in reverse). A new service is one more entry here.
 */
export const services: Service[] = [database, edgeApi, dashboard, demo];
