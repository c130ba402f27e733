// Every word the widget shows, per language. The workspace's locale (sent with the visitor session)
// picks the table; a missing language falls back to English, a missing key never happens (the type).

export type Strings = {
  launcher: string;
  unread: (n: number) => string;
  close: string;
  message: string;
  placeholder: string;
  answerPlaceholder: string;
  newConversationPlaceholder: string;
  send: string;
  typing: string;
  sources: string;
  reconnecting: string;
  notSent: string;
  closed: string;
  newConversation: string;
  rateTitle: string;
  rateStar: (n: number) => string;
  comment: string;
  submitRating: string;
  thanks: string;
  ratingFailed: string;
  you: string;
};

const en: Strings = {
  launcher: "Chat with us",
  unread: (n) => (n === 1 ? "1 unread message" : `${n} unread messages`),
  close: "Close chat",
  message: "Message",
  placeholder: "Type a message",
  answerPlaceholder: "Your answer",
  newConversationPlaceholder: "Write to start a new conversation",
  send: "Send",
  typing: "Typing…",
  sources: "Sources",
  reconnecting: "Reconnecting…",
  notSent: "Not sent yet, retrying…",
  closed: "This conversation has ended.",
  newConversation: "New conversation",
  rateTitle: "How was this conversation?",
  rateStar: (n) => `${n} out of 5`,
  comment: "Comment (optional)",
  submitRating: "Send rating",
  thanks: "Thank you for your feedback!",
  ratingFailed: "The rating could not be sent. Please try again.",
  you: "You",
};

const de: Strings = {
  launcher: "Chatten Sie mit uns",
  unread: (n) => (n === 1 ? "1 ungelesene Nachricht" : `${n} ungelesene Nachrichten`),
  close: "Chat schließen",
  message: "Nachricht",
  placeholder: "Nachricht schreiben",
  answerPlaceholder: "Ihre Antwort",
  newConversationPlaceholder: "Schreiben Sie, um ein neues Gespräch zu beginnen",
  send: "Senden",
  typing: "Schreibt…",
  sources: "Quellen",
  reconnecting: "Verbindung wird wiederhergestellt…",
  notSent: "Noch nicht gesendet, neuer Versuch…",
  closed: "Dieses Gespräch ist beendet.",
  newConversation: "Neues Gespräch",
  rateTitle: "Wie war dieses Gespräch?",
  rateStar: (n) => `${n} von 5`,
  comment: "Kommentar (optional)",
  submitRating: "Bewertung senden",
  thanks: "Vielen Dank für Ihr Feedback!",
  ratingFailed: "Die Bewertung konnte nicht gesendet werden. Bitte versuchen Sie es erneut.",
  you: "Sie",
};

const fr: Strings = {
  launcher: "Discutez avec nous",
  unread: (n) => (n === 1 ? "1 message non lu" : `${n} messages non lus`),
  close: "Fermer la discussion",
  message: "Message",
  placeholder: "Écrivez un message",
  answerPlaceholder: "Votre réponse",
  newConversationPlaceholder: "Écrivez pour commencer une nouvelle discussion",
  send: "Envoyer",
  typing: "En train d’écrire…",
  sources: "Sources",
  reconnecting: "Reconnexion…",
  notSent: "Pas encore envoyé, nouvel essai…",
  closed: "Cette discussion est terminée.",
  newConversation: "Nouvelle discussion",
  rateTitle: "Comment s’est passée cette discussion ?",
  rateStar: (n) => `${n} sur 5`,
  comment: "Commentaire (facultatif)",
  submitRating: "Envoyer la note",
  thanks: "Merci pour votre avis !",
  ratingFailed: "La note n’a pas pu être envoyée. Veuillez réessayer.",
  you: "Vous",
};

const es: Strings = {
  launcher: "Chatea con nosotros",
  unread: (n) => (n === 1 ? "1 mensaje sin leer" : `${n} mensajes sin leer`),
  close: "Cerrar el chat",
  message: "Mensaje",
  placeholder: "Escribe un mensaje",
  answerPlaceholder: "Tu respuesta",
  newConversationPlaceholder: "Escribe para empezar una nueva conversación",
  send: "Enviar",
  typing: "Escribiendo…",
  sources: "Fuentes",
  reconnecting: "Reconectando…",
  notSent: "Aún no enviado, reintentando…",
  closed: "Esta conversación ha terminado.",
  newConversation: "Nueva conversación",
  rateTitle: "¿Qué tal fue esta conversación?",
  rateStar: (n) => `${n} de 5`,
  comment: "Comentario (opcional)",
  submitRating: "Enviar valoración",
  thanks: "¡Gracias por tu opinión!",
  ratingFailed: "No se pudo enviar la valoración. Inténtalo de nuevo.",
  you: "Tú",
};

export const STRINGS: Record<string, Strings> = { en, de, fr, es };

/** The table for a locale such as "de" or "de-AT"; English when the language has none. */
export function stringsFor(locale: string | undefined): { lang: string; strings: Strings } {
  const lang = (locale ?? "en").toLowerCase().split(/[-_]/)[0] ?? "en";
  const strings = STRINGS[lang];
  return strings ? { lang, strings } : { lang: "en", strings: en };
}
