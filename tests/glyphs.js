// The characters of a page that a person cannot read, for tests/test_browser.py.
//
// Each grapheme of the page's text is drawn on a canvas in the computed font of the element
// that holds it, beside U+10FFFD: a private-use code point that no font has, so it can only be
// drawn as the font's missing-glyph box (.notdef, "tofu"). A grapheme drawn pixel for pixel like
// it is a box too. An emoji must also draw in colour: without a colour emoji font it is a box
// or a black outline. (document.fonts.check() cannot tell: it says true when no web font needs
// loading, whether or not any installed font has the character.)
//
// arguments[0]: the element whose text to check (default: document.body).
// Returns {checked: graphemes looked at, unreadable: [{text, problem, font, emoji}]}, where
// problem is "box", "no ink" or "not in colour".
const root = arguments[0] || document.body;
const MISSING = "\u{10FFFD}";
const EMOJI = /\p{Emoji_Presentation}|\p{Regional_Indicator}|\uFE0F/u;
const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}]*$/u;
const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA"]);

const canvas = document.createElement("canvas");
canvas.width = 160;
canvas.height = 96;
const context = canvas.getContext("2d", {willReadFrequently: true});

function draw(text, font) {
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.font = font;
  context.fillStyle = "#000";
  context.fillText(text, 16, 68);
  return context.getImageData(0, 0, canvas.width, canvas.height).data;
}

function same(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function pixels(data, test) {
  let count = 0;
  for (let i = 0; i < data.length; i += 4) if (test(data[i], data[i + 1], data[i + 2], data[i + 3])) count++;
  return count;
}

// The text to check, grouped by font: drawn 48px tall, whatever the page's size, so that a
// real glyph and a box differ in many pixels.
const byFont = new Map();
const segmenter = new Intl.Segmenter(undefined, {granularity: "grapheme"});
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const element = node.parentElement;
  if (!element || SKIP.has(element.tagName)) continue;
  const style = getComputedStyle(element);
  const font = `${style.fontStyle} ${style.fontWeight} 48px ${style.fontFamily}`;
  if (!byFont.has(font)) byFont.set(font, new Set());
  for (const {segment} of segmenter.segment(node.data)) {
    if (!INVISIBLE.test(segment)) byFont.get(font).add(segment);
  }
}

let checked = 0;
const unreadable = [];
for (const [font, graphemes] of byFont) {
  const box = draw(MISSING, font);
  for (const text of graphemes) {
    checked++;
    const drawn = draw(text, font);
    let problem = null;
    if (same(drawn, box)) problem = "box";
    else if (pixels(drawn, (r, g, b, a) => a > 0) === 0) problem = "no ink";
    else if (EMOJI.test(text) &&
             pixels(drawn, (r, g, b, a) => a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 64) < 20) {
      problem = "not in colour";
    }
    if (problem) unreadable.push({text, problem, font, emoji: EMOJI.test(text)});
  }
}
return {checked, unreadable};
