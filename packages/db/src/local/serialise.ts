import type { PGlite } from "@electric-sql/pglite";

// Frontend message types that open or continue an extended-protocol sequence, and those that end one.
const EXTENDED = new Set(["P", "B", "D", "E", "C", "H"].map((c) => c.charCodeAt(0)));
const ENDS = new Set(["S", "Q", "X"].map((c) => c.charCodeAt(0)));

/**
 * pglite-socket runs one message at a time from all connections, keeping a connection's turn only while
 * a transaction is open. Outside a transaction another connection's Parse could then land between this
 * one's Parse and Bind and replace the unnamed statement ("unnamed prepared statement does not exist").
 * Reporting an unfinished Parse…Sync sequence as "in a transaction" keeps it on one connection.
 */
export function serialiseExtendedProtocol(db: PGlite): PGlite {
  let sequenceOpen = false;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "isInTransaction") return () => sequenceOpen || target.isInTransaction();
      if (prop === "execProtocolRawStream") {
        return (message: Uint8Array, options: Parameters<PGlite["execProtocolRawStream"]>[1]) => {
          const type = message[0] ?? 0;
          if (EXTENDED.has(type)) sequenceOpen = true;
          else if (ENDS.has(type)) sequenceOpen = false;
          return target.execProtocolRawStream(message, options);
        };
      }
      if (prop === "exec") {
        // The socket server's clean-up after a dropped connection (ROLLBACK) also ends its sequence.
        return (query: string, options?: Parameters<PGlite["exec"]>[1]) => {
          sequenceOpen = false;
          return target.exec(query, options);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
