// What the widget remembers per site in localStorage: the visitor id (so a returning customer keeps
// their conversations) and their latest conversation ids, newest last. Storage may be unavailable
// (private mode, blocked cookies): the widget then works for the page's lifetime only.

const PREFIX = "ap_";
/** How many past conversations come back above the current one after a reload. */
export const KEPT_CONVERSATIONS = 3;

export type VisitorStore = {
  visitorId: string | null;
  conversations: string[];
  setVisitorId(id: string): void;
  addConversation(id: string): void;
};

export function visitorStore(storage: Storage | null): VisitorStore {
  const get = (k: string) => {
    try {
      return storage?.getItem(PREFIX + k) ?? null;
    } catch {
      return null;
    }
  };
  const set = (k: string, v: string) => {
    try {
      storage?.setItem(PREFIX + k, v);
    } catch {
      // Full or blocked storage: remembered for this page only.
    }
  };
  const readList = (): string[] => {
    try {
      const parsed: unknown = JSON.parse(get("conversations") ?? "[]");
      return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
    } catch {
      return [];
    }
  };
  // The widget's first version kept one id under "conversation".
  const legacy = get("conversation");
  const list = readList();
  if (legacy && !list.includes(legacy)) list.push(legacy);
  const store: VisitorStore = {
    visitorId: get("visitor"),
    conversations: list.slice(-KEPT_CONVERSATIONS),
    setVisitorId(id) {
      store.visitorId = id;
      set("visitor", id);
    },
    addConversation(id) {
      store.conversations = [...store.conversations.filter((c) => c !== id), id].slice(-KEPT_CONVERSATIONS);
      set("conversations", JSON.stringify(store.conversations));
    },
  };
  return store;
}
