// The measurements of tests/browser/harness.py: check_page(), run in the page through Playwright (the DevTools
// protocol, so the page's CSP does not apply). Argument: the viewport width the page must fit. Returns the
// document's scroll width with the elements that stick out furthest, the primary actions under 44 px and the
// tap targets under 24 px.
(width) => {
  window.scrollTo(0, 0);
  const LIMIT = 12;
  const part = (e) =>
    e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + Array.from(e.classList).slice(0, 2).map((c) => "." + c).join("");
  const describe = (el) => {
    const chain = [];
    for (let e = el; e && e !== document.body && chain.length < 3; e = e.parentElement) chain.unshift(part(e));
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || el.getAttribute("title") || "")
      .trim().replace(/\s+/g, " ").slice(0, 40);
    return chain.join(" > ") + (text ? ` "${text}"` : "");
  };
  // Rendered and visible: not in a closed <details> (whose content still has a box when asked for one), not
  // display:none, visibility:hidden or transparent, not a 1 px "visually hidden" text, not moved off the page.
  const shown = (el) => {
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && r.right > 0 && r.bottom > 0;
  };
  const cut = (list) => (list.length > LIMIT ? [...list.slice(0, LIMIT), `… and ${list.length - LIMIT} more`] : list);
  const px = (n) => Math.round(n * 10) / 10;

  // 1. No sideways scrolling: the outermost elements reaching past the viewport, not clipped by a scrolling box.
  const scrollWidth = document.documentElement.scrollWidth;
  const widest = [];
  if (scrollWidth > width) {
    const clipped = (el) => {
      for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== "visible") return true;
      }
      return false;
    };
    const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
    for (const el of document.body.querySelectorAll("*")) {
      if (!sticksOut(el) || el.getBoundingClientRect().width === 0) continue;
      const parent = el.parentElement;
      if (parent !== document.body && sticksOut(parent)) continue;
      if (clipped(el)) continue;
      widest.push([el.getBoundingClientRect().right, `${describe(el)} reaches ${Math.round(el.getBoundingClientRect().right)} px`]);
    }
    widest.sort((a, b) => b[0] - a[0]);
  }

  // 2. Primary actions (buttons, a.button, submit inputs; not .small or .link-button) at least 44 px tall.
  const lowPrimary = [];
  for (const el of document.querySelectorAll('button, a.button, input[type=submit], input[type=button], input[type=reset]')) {
    if (!shown(el) || el.matches(".small, .link-button")) continue;
    const r = el.getBoundingClientRect();
    if (r.height < 43.5) lowPrimary.push(`${describe(el)} is ${px(r.height)} px tall`);
  }

  // 3. Tap targets at least 24 × 24 px (WCAG 2.2, 2.5.8), unless inline in a sentence or spaced apart: a circle
  //    of 24 px across on its centre touches no other target and no other small target's circle.
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link], [tabindex]:not([tabindex="-1"])';
  const union = (rects) => {
    const r = rects.filter((x) => x.width > 0 && x.height > 0);
    if (!r.length) return null;
    const left = Math.min(...r.map((x) => x.left)), top = Math.min(...r.map((x) => x.top));
    const right = Math.max(...r.map((x) => x.right)), bottom = Math.max(...r.map((x) => x.bottom));
    return { left, top, right, bottom, width: right - left, height: bottom - top };
  };
  const targets = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el)) continue;
    const rects = [el.getBoundingClientRect()];
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      // the label is part of the target: tapping it ticks the box
      for (const label of el.labels || []) rects.push(label.getBoundingClientRect());
    }
    if (el.matches("a")) for (const child of el.querySelectorAll("img, svg")) rects.push(child.getBoundingClientRect());
    targets.push({ el, box: union(rects) });
  }
  const blockOf = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const d = getComputedStyle(a).display;
      if (d !== "inline" && d !== "contents") return a;
    }
    return document.body;
  };
  const inSentence = (el) => {
    if (!getComputedStyle(el).display.startsWith("inline") || el.matches("button, input, select, textarea")) return false;
    const block = blockOf(el);
    let text = block.textContent;
    for (const t of block.querySelectorAll(selector)) text = text.replace(t.textContent, " ");
    return /\p{L}{3,}/u.test(text);
  };
  const centre = (b) => [(b.left + b.right) / 2, (b.top + b.bottom) / 2];
  const distanceTo = ([x, y], b) => Math.hypot(Math.max(b.left - x, 0, x - b.right), Math.max(b.top - y, 0, y - b.bottom));
  const small = targets.filter((t) => t.box.width < 23.5 || t.box.height < 23.5);
  // A bar fixed to the screen (a phone's tab bar, a sticky header) lies over the page, which scrolls beneath it:
  // its targets are spaced against each other, not against the page under them.
  const layer = (el) => {
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const position = getComputedStyle(a).position;
      if (position === "fixed" || position === "sticky") return a;
    }
    return null;
  };
  for (const t of targets) t.layer = layer(t.el);
  const related = (a, b) => a.contains(b) || b.contains(a) || (a.labels && Array.from(a.labels).some((l) => l.contains(b)));
  const smallTargets = [];
  for (const t of small) {
    if (inSentence(t.el)) continue;
    const c = centre(t.box);
    const crowded = targets.find((u) => {
      if (u === t || u.layer !== t.layer || related(t.el, u.el) || related(u.el, t.el)) return false;
      if (distanceTo(c, u.box) < 12) return true;
      return small.includes(u) && Math.hypot(c[0] - centre(u.box)[0], c[1] - centre(u.box)[1]) < 24;
    });
    if (crowded) {
      smallTargets.push(`${describe(t.el)} is ${px(t.box.width)} × ${px(t.box.height)} px, too close to ${describe(crowded.el)}`);
    }
  }

  return {
    scrollWidth,
    widest: widest.slice(0, 5).map((w) => w[1]),
    lowPrimary: cut(lowPrimary),
    smallTargets: cut(smallTargets),
  };
}
