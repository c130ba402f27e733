import { describe, expect, it } from "vitest";
import { KEPT_CONVERSATIONS, visitorStore } from "./store.js";

describe("visitorStore", () => {
  it("remembers the visitor and their latest conversations across page loads", () => {
    localStorage.clear();
    const first = visitorStore(localStorage);
    expect(first.visitorId).toBeNull();
    first.setVisitorId("v_12345678");
    for (const id of ["c1", "c2", "c3", "c4", "c2"]) first.addConversation(id);
    const again = visitorStore(localStorage);
    expect(again.visitorId).toBe("v_12345678");
    expect(again.conversations).toEqual(["c3", "c4", "c2"]);
    expect(again.conversations).toHaveLength(KEPT_CONVERSATIONS);
  });

  it("takes over the first widget version's single conversation id", () => {
    localStorage.clear();
    localStorage.setItem("ap_conversation", "old-conv");
    expect(visitorStore(localStorage).conversations).toEqual(["old-conv"]);
  });

  it("works without storage and with storage that throws", () => {
    const none = visitorStore(null);
    none.addConversation("c1");
    expect(none.conversations).toEqual(["c1"]);
    const throwing = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
    } as unknown as Storage;
    const s = visitorStore(throwing);
    s.setVisitorId("v_abcdefgh");
    s.addConversation("c9");
    expect(s.visitorId).toBe("v_abcdefgh");
    expect(s.conversations).toEqual(["c9"]);
  });
});
