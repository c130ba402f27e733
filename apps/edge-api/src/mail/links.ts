// The dashboard's address of each object a mail or notification links to, in one place, so a link
// never points at a screen that does not exist. The dashboard keeps these paths (its routes.ts), and
// its sign-in screen returns to them.

export const links = {
  conversation: (appUrl: string, id: string) => `${appUrl}/inbox/${id}`,
  lead: (appUrl: string, id: string) => `${appUrl}/leads/${id}`,
};
