/**
 * Agent messages from Omnidesk's rich editor may carry HTML. Whether a message is markup, and
 * its tag-stripped text, in one linear pass (issue 15 row 12): the regexes this replaces
 * (`/<\/?[a-z][^>]*>/i`, `/<[^>]*>/g`) rescanned to the end of the text from every `<` that had
 * no `>` after it, so 20,000 characters of `<a<a<a…` blocked the relay for most of a second.
 *
 * Same results as those regexes: a message "looks like HTML" when a `<` followed by a letter
 * (or `/` and a letter) has a `>` somewhere after it, and stripping removes every `<…>` span up
 * to the first `>`. The text is for notifications and the transcript's plain form; what the UI
 * renders from `html` goes through DOMPurify there.
 */
export interface AgentMarkup {
  html: boolean;
  /** The message without tags when `html`, else the message itself. */
  text: string;
  /** Characters examined: at most three times the length (the linear bound the security test checks). */
  steps: number;
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const LT = 60;
const GT = 62;
const SLASH = 47;

export function scanAgentMarkup(message: string): AgentMarkup {
  const n = message.length;
  let steps = 0;
  // Where the last `>` is: a `<` after it can open no tag, whatever follows.
  let lastGt = -1;
  for (let i = n - 1; i >= 0; i--) {
    steps++;
    if (message.charCodeAt(i) === GT) {
      lastGt = i;
      break;
    }
  }
  let html = false;
  for (let i = 0; i < lastGt; i++) {
    steps++;
    if (message.charCodeAt(i) !== LT) continue;
    const next = message.charCodeAt(i + 1);
    if (isLetter(next) || (next === SLASH && i + 2 < lastGt && isLetter(message.charCodeAt(i + 2)))) {
      html = true;
      break;
    }
  }
  if (!html) return { html, text: message, steps };

  const out: string[] = [];
  let from = 0;
  let i = 0;
  while (i <= lastGt) {
    steps++;
    if (message.charCodeAt(i) !== LT) {
      i++;
      continue;
    }
    // A `<` at or before the last `>`: its tag runs to the first `>` after it, and the scan goes on past it.
    out.push(message.slice(from, i));
    let j = i + 1;
    while (message.charCodeAt(j) !== GT) {
      steps++;
      j++;
    }
    i = from = j + 1;
  }
  out.push(message.slice(from));
  return { html, text: out.join(''), steps };
}
