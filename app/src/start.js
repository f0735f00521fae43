// Starts every page; the shell (root.rs) inlines this module script.
//
// An app page (the editor, the chat, the account forms, admin, review) hydrates into the
// Leptos app once it has painted. A reader page (home, blog list, post, tag, author)
// downloads no wasm at all: it is a document whose links and forms work as plain HTML,
// and this script only makes them client-side: it fetches the next page, swaps its
// <head> tags and <body> in, and keeps the history, the scroll position and the focus as
// a browser would. When the next page is an app page, it is swapped in the same way and
// hydrated in place, and from then on the Leptos router navigates.

const config = document.querySelector("script[data-app-wasm]").dataset;
/** A reader page says so in its <head> (see `reader_page` in root.rs). */
const isReaderPage = (doc) => doc.querySelector('meta[name="commonplace:page"][content="reader"]') !== null;
/** The nonce this document's Content-Security-Policy allows inline scripts with. */
const nonce = document.querySelector("script[data-app-wasm]").nonce;

let appStarted = false;

/** Loads the wasm and hydrates the page; `hydrate_lazy` fetches a lazy page's chunks. */
async function startApp() {
  appStarted = true;
  const app = await import(config.appJs);
  await app.default({ module_or_path: config.appWasm });
  app.hydrate();
}

/** Marks a page live without wasm: its links and forms work from now on. */
function markLive() {
  document.querySelector(".app")?.setAttribute("data-hydrated", "true");
}

if (isReaderPage(document)) {
  markLive();
  document.addEventListener("click", onClick);
  document.addEventListener("submit", onSubmit);
  window.addEventListener("popstate", onPopState);
} else {
  // After the first paint and when the browser is idle, so that the page never waits for
  // or shares the network with the wasm (a hidden tab paints no frames).
  const whenIdle = () => ("requestIdleCallback" in window ? requestIdleCallback(startApp, { timeout: 2000 }) : setTimeout(startApp, 0));
  document.hidden ? whenIdle() : requestAnimationFrame(whenIdle);
}

/** Follows a same-origin link by fetching the page instead of loading it. */
function onClick(event) {
  if (appStarted || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) return;
  if ((link.getAttribute("rel") || "").split(/\s+/).includes("external")) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin) return;
  // A link to a place on this same page is the browser's to scroll to.
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
  event.preventDefault();
  visit(url, { history: "push" });
}

/** Submits a same-origin form with fetch, as the browser would, and shows the answer. */
function onSubmit(event) {
  if (appStarted || event.defaultPrevented) return;
  const form = event.target;
  const submitter = event.submitter;
  if (form.dataset.native === "true") return;
  const target = submitter?.getAttribute("formtarget") || form.getAttribute("target");
  if (target && target !== "_self") return;
  const action = new URL(submitter?.getAttribute("formaction") || form.getAttribute("action") || location.href, location.href);
  if (action.origin !== location.origin) return;
  const method = (submitter?.getAttribute("formmethod") || form.getAttribute("method") || "get").toLowerCase();
  const data = new FormData(form, submitter);
  event.preventDefault();
  if (method === "get") {
    action.search = new URLSearchParams(data).toString();
    visit(action, { history: "push" });
    return;
  }
  const multipart = (submitter?.getAttribute("formenctype") || form.enctype) === "multipart/form-data";
  visit(action, {
    history: "push",
    method: "POST",
    body: multipart ? data : new URLSearchParams(data),
    form: { element: form, submitter, data },
  });
}

function onPopState(event) {
  if (appStarted) return;
  visit(new URL(location.href), { history: "none", scroll: event.state?.scroll });
}

let latest = null;

/**
 * Fetches a page and shows it in place of this one. `history`: "push" for a new entry
 * ("replace" when the answer is this same page), "none" when going back or forward.
 */
async function visit(url, { history: mode, method = "GET", body, form, scroll }) {
  latest?.abort();
  const request = (latest = new AbortController());
  document.documentElement.setAttribute("aria-busy", "true");
  let response, doc;
  try {
    // Accept says "a browser navigation": a server function then answers a form post
    // with a redirect back, as it does without JavaScript.
    response = await fetch(url, {
      method,
      body,
      headers: { Accept: "text/html,application/xhtml+xml" },
      signal: request.signal,
    });
    if (!(response.headers.get("content-type") || "").startsWith("text/html")) {
      // Not a page (a feed, an image): let the browser have it, without reading it twice.
      request.abort();
      location.assign(response.url);
      return;
    }
    doc = new DOMParser().parseFromString(await response.text(), "text/html");
  } catch (error) {
    if (request.signal.aborted) return;
    // Offline or refused: let the browser try, and show its own error page if it must.
    if (form) {
      form.element.dataset.native = "true";
      form.element.requestSubmit(form.submitter);
    } else {
      location.assign(url);
    }
    return;
  } finally {
    if (latest === request) document.documentElement.removeAttribute("aria-busy");
  }
  if (request.signal.aborted) return;
  if (!doc.head.querySelector("script[data-app-wasm]")) {
    // Not one of our pages (the shell always has this script): load it for real.
    location.assign(response.url);
    return;
  }

  const reader = isReaderPage(doc);
  const shown = new URL(response.url);
  // A form that failed comes back with its error in the query (`__err`); a reader page
  // shows it without keeping it in the address, so that a reload is a clean page.
  const failed = shown.searchParams.has("__err");
  if (reader) {
    shown.searchParams.delete("__err");
    shown.searchParams.delete("__path");
  }
  const samePage = shown.pathname === location.pathname && shown.search === location.search;
  const keptScroll = [scrollX, scrollY];
  const focusKey = form ? describeFocus(document.activeElement) : null;
  if (mode !== "none") {
    // Remember where the reader was on this entry, for Back.
    window.history.replaceState({ ...window.history.state, scroll: keptScroll }, "");
    window.history.scrollRestoration = "manual";
    if (mode === "push" && !samePage) window.history.pushState(null, "", shown);
    else window.history.replaceState(null, "", shown);
  }

  const added = swapHead(doc);
  document.body.replaceChildren(...doc.body.childNodes);

  if (!reader) {
    // The app page's resources and errors arrive as inline scripts; run them, then hydrate.
    runScripts([...added, document.body]);
    startApp();
    window.scrollTo(0, 0);
    return;
  }
  markLive();
  if (form && failed) restoreForm(form);
  if (scroll) {
    window.scrollTo(scroll[0], scroll[1]);
  } else if (form && samePage) {
    window.scrollTo(keptScroll[0], keptScroll[1]);
  } else if (shown.hash && document.getElementById(decodeURIComponent(shown.hash.slice(1)))) {
    document.getElementById(decodeURIComponent(shown.hash.slice(1))).scrollIntoView();
  } else {
    window.scrollTo(0, 0);
  }
  const focus = focusKey && findFocus(focusKey);
  if (focus) focus.focus({ preventScroll: true });
  else if (!form || !samePage) document.getElementById("main")?.focus({ preventScroll: true });
}

/**
 * Replaces the page's own <head> tags (title, description, canonical, previews, all after
 * the comment marker leptos_meta puts there) with the next page's, in its order (hydration walks
 * them in order). Tags both pages share stay put, so the stylesheet is never reloaded.
 * Returns the tags it added.
 */
function swapHead(doc) {
  const added = [];
  const marker = (head) => [...head.childNodes].find((node) => node.nodeType === Node.COMMENT_NODE && node.data === "HEAD");
  const ours = marker(document.head);
  const theirs = marker(doc.head);
  let current = ours.nextSibling;
  for (let next = theirs.nextSibling; next; ) {
    const following = next.nextSibling;
    let same = current;
    while (same && !same.isEqualNode(next)) same = same.nextSibling;
    if (same) {
      while (current !== same) {
        const stale = current;
        current = current.nextSibling;
        stale.remove();
      }
      current = current.nextSibling;
    } else {
      document.head.insertBefore(next, current);
      added.push(next);
    }
    next = following;
  }
  while (current) {
    const stale = current;
    current = current.nextSibling;
    stale.remove();
  }
  return added;
}

/** Scripts a parsed document brings do not run when inserted; copies of them do. */
function runScripts(nodes) {
  const scripts = nodes.flatMap((node) =>
    node instanceof HTMLScriptElement ? [node] : node instanceof Element ? [...node.querySelectorAll("script")] : [],
  );
  for (const old of scripts) {
    if (old.src || !["", "module", "text/javascript"].includes(old.type)) continue;
    const script = document.createElement("script");
    for (const { name, value } of old.attributes) if (name !== "nonce") script.setAttribute(name, value);
    script.nonce = nonce;
    script.textContent = old.textContent;
    old.replaceWith(script);
  }
}

/** Puts what was typed back into the form the server refused, so nothing is lost. */
function restoreForm({ element, data }) {
  const action = element.getAttribute("action");
  const forms = [...document.querySelectorAll("form")].filter((f) => f.getAttribute("action") === action);
  const again = (element.id && document.getElementById(element.id)) || forms[0];
  if (!again) return;
  for (const [name, value] of data) {
    const field = again.elements.namedItem(name);
    if (typeof value !== "string" || !field || !("value" in field)) continue;
    if (["hidden", "password", "file", "checkbox", "radio", "submit"].includes(field.type)) continue;
    field.value = value;
  }
}

/** Enough about the focused element to find its counterpart on the next page. */
function describeFocus(element) {
  if (!element || element === document.body) return null;
  const form = element.form;
  return {
    id: element.id,
    action: form?.getAttribute("action"),
    formIndex: form ? [...document.querySelectorAll("form")].filter((f) => f.getAttribute("action") === form.getAttribute("action")).indexOf(form) : -1,
    name: element.getAttribute("name"),
    tag: element.tagName,
  };
}

function findFocus({ id, action, formIndex, name, tag }) {
  if (id) return document.getElementById(id);
  if (action == null) return null;
  const form = [...document.querySelectorAll("form")].filter((f) => f.getAttribute("action") === action)[formIndex];
  if (!form) return null;
  return [...form.querySelectorAll(tag)].find((el) => el.getAttribute("name") === name) || form.querySelector("button");
}
