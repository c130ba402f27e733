import { database } from "./database.js";
import { demo } from "./demo.js";
import { edgeApi } from "./edge-api.js";
import type { Service } from "./types.js";

/**
 * Everything `npm start` runs, in start order (stopped in reverse). A new service (the dashboard, the
 * offline AI provider) is one more entry here.
 */
export const services: Service[] = [database, edgeApi, demo];
