// Starts every page; the shell (root.rs) inlines this module script.
//
// An app page (the editor, the chat, log in, sign up, the account, new password) hydrates
// into the Leptos app once it has painted. A document page (home, blog list, post, tag,
// author, search, drafts, review, user admin, the API reference, "forgot password" and
// the activation pages) downloads no wasm at all: it is a document whose links and forms
// work as plain HTML, and this script only makes them client-side: it fetches the next
// page, swaps its head tags and body in, and keeps the history, the scroll position and
// the focus as a browser would. When the next page is an app page, it is swapped in the
// same way and hydrated in place, and from then on the Leptos router navigates between
// app pages (the app has no document page's code: it loads such a page as a document).

const ownScript = document.querySelector("script[data-app-wasm]");
const config = ownScript.dataset;
/** The nonce this document's Content-Security-Policy allows inline scripts with. */
const nonce = ownScript.nonce;
/** A document page says so in its head (see `document!` in root.rs). */
const isDocumentPage = (doc) => doc.head.querySelector('meta[name="commonplace:page"][content="document"]') !== null;

let appStarted = false;

/** Loads and instantiates the wasm; from then on this script leaves navigation alone. */
async function loadApp() {
  appStarted = true;
  const app = await import(config.appJs);
  await app.default({ module_or_path: config.appWasm });
  return app;
}

/** Hydrates the page. */
async function startApp() {
  (await loadApp()).hydrate();
}

/** Marks a page live without wasm: its links and forms work from now on. */
function markLive() {
  document.querySelector(".app")?.setAttribute("data-hydrated", "true");
}

/** The address shown, without its fragment: a change of fragment alone is no visit. */
let shownAddress = address(location.href);

const fragmentAsked = takeFragmentRequest();

if (isDocumentPage(document)) {
  markLive();
  document.addEventListener("click", onClick);
  document.addEventListener("submit", onSubmit);
  window.addEventListener("popstate", onPopState);
  window.addEventListener("scroll", rememberScroll, { passive: true });
  if (fragmentAsked) goToFragment();
} else {
  // Not the document page the app asked for (an app page, an error): nothing to go to.
  if (fragmentAsked) window.history.scrollRestoration = "auto";
  // After the first paint and when the browser is idle, so that the page never waits for
  // or shares the network with the wasm (a hidden tab paints no frames).
  const whenIdle = () => ("requestIdleCallback" in window ? requestIdleCallback(startApp, { timeout: 2000 }) : setTimeout(startApp, 0));
  document.hidden ? whenIdle() : requestAnimationFrame(whenIdle);
}

// The app loads a document page as a document (`LoadDocument` in root.rs); Back can bring
// the app page it left out of the back-forward cache as it was then, loading: load it anew.
window.addEventListener("pageshow", (event) => {
  if (event.persisted && document.querySelector(".loading-document")) location.reload();
});

/**
 * The app loads a document page by reloading its entry, and a reload restores the entry's
 * scroll position rather than going to the address's fragment; the app marks a new entry
 * when there is one to go to, and turns the browser's restoration off (`ask_for_fragment`
 * in root.rs). Takes the mark off; says whether it was there.
 */
function takeFragmentRequest() {
  if (!window.history.state?.toFragment) return false;
  const { toFragment, ...state } = window.history.state;
  window.history.replaceState(state, "");
  return true;
}

function goToFragment() {
  fragmentTarget(location.hash)?.scrollIntoView();
  // Not sooner: the browser would still restore the reload's position over this one.
  window.addEventListener("pagehide", () => (window.history.scrollRestoration = "auto"), { once: true });
}

/** The element a URL's fragment names, as the browser finds it: as written, then decoded. */
function fragmentTarget(hash) {
  const id = hash.slice(1);
  if (!id) return null;
  let decoded = id;
  try {
    decoded = decodeURIComponent(id);
  } catch {
    // Not valid percent-encoding (`#%`): only the fragment as written can name an element.
  }
  return document.getElementById(id) || document.getElementById(decoded);
}

/** A URL's path and query, the query normalized (so `%20` and `+` are one address). */
function address(url) {
  const parsed = new URL(url, location.href);
  const query = new URLSearchParams(parsed.search).toString();
  return parsed.pathname + (query ? `?${query}` : "");
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
  if (url.hash && address(url) === shownAddress) return;
  event.preventDefault();
  visit(url, { history: "push" });
}

/** Submits a same-origin form with fetch, as the browser would, and shows the answer. */
function onSubmit(event) {
  if (appStarted || event.defaultPrevented) return;
  const form = event.target;
  const submitter = event.submitter;
  const target = submitter?.getAttribute("formtarget") || form.getAttribute("target");
  if (target && target !== "_self") return;
  const action = new URL(submitter?.getAttribute("formaction") || form.getAttribute("action") || location.href, location.href);
  if (action.origin !== location.origin) return;
  const method = (submitter?.getAttribute("formmethod") || form.getAttribute("method") || "get").toLowerCase();
  if (method === "dialog") return;
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
    form: { element: form, key: formKey(form), data },
  });
}

function onPopState(event) {
  if (appStarted) {
    // Back or Forward before the app has taken over: the page shown is not the address's.
    if (document.querySelector(".app")?.dataset.hydrated !== "true") location.reload();
    return;
  }
  const now = address(location.href);
  if (now === shownAddress) return; // only the fragment changed
  visit(new URL(location.href), { history: "none", scroll: event.state?.scroll });
}

/** Keeps this entry's scroll position in its history state, for Back and Forward. */
function saveScroll(position) {
  clearTimeout(scrollTimer);
  window.history.replaceState({ ...window.history.state, scroll: position }, "");
}

let scrollTimer = 0;
function rememberScroll() {
  if (appStarted) return;
  clearTimeout(scrollTimer);
  scrollTimer = setTimeout(() => saveScroll([scrollX, scrollY]), 150);
}

let latest = null;

/**
 * Fetches a page and shows it in place of this one. `history`: "push" for a new entry
 * ("replace" when the answer is this same page), "none" when going back or forward.
 */
async function visit(url, { history: mode, method = "GET", body, form, scroll }) {
  latest?.abort();
  const request = (latest = new AbortController());
  // Where a visit that cannot be shown here goes instead (Back and Forward make no entry).
  const leave = (to) => (mode === "none" ? location.replace(to) : location.assign(to));
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
    const html = (response.headers.get("content-type") || "").startsWith("text/html");
    if (!html || new URL(response.url).origin !== location.origin) {
      request.abort();
      // A page of some other kind (a feed, an image) is the browser's to show; a form's
      // answer that is not a page (a proxy's error) is reported where the form is.
      if (form) formFailed(form, `the server answered ${response.status} ${response.statusText}`.trim());
      else leave(response.url);
      return;
    }
    doc = new DOMParser().parseFromString(await response.text(), "text/html");
  } catch (error) {
    if (request.signal.aborted) return;
    // Offline or refused. A form is not sent again: the server may have taken it.
    if (form) formFailed(form, "the server could not be reached");
    else leave(url);
    return;
  } finally {
    if (latest === request) document.documentElement.removeAttribute("aria-busy");
  }
  if (request.signal.aborted) return;
  const theirs = doc.head.querySelector("script[data-app-wasm]");
  if (!theirs) {
    // Not one of our pages (the shell always has this script): load it for real.
    leave(response.url);
    return;
  }
  // Only the page's own scripts run: those carrying the nonce its server gave it.
  const trusted = new Set(
    [...doc.querySelectorAll("script:not([src])")].filter((script) => script !== theirs && script.getAttribute("nonce") === theirs.getAttribute("nonce")),
  );

  const isDocument = isDocumentPage(doc);
  // An app page replaces this one only once its wasm is ready to hydrate it, so that it
  // turns live at once (until then this page stays, and its links load pages for real).
  let app = null;
  if (!isDocument) {
    try {
      app = await loadApp();
    } catch (error) {
      leave(response.url);
      return;
    }
  }
  const shown = new URL(response.url);
  // A form that failed comes back with its error in the query (`__err`); a document page
  // shows it without keeping it in the address, so that a reload is a clean page.
  const failed = shown.searchParams.has("__err");
  if (isDocument && failed) {
    shown.searchParams.delete("__err");
    shown.searchParams.delete("__path");
  }
  // A redirect back from a form can leave a bare "?"; the address is the same without it.
  if (!shown.searchParams.size) shown.search = "";
  // A redirect keeps the fragment the link asked for, as the browser does.
  if (!shown.hash && url.hash) shown.hash = url.hash;
  const samePage = address(shown) === shownAddress;
  const keptScroll = [scrollX, scrollY];
  const focusKey = form ? describeFocus(document.activeElement) : null;
  if (mode !== "none") {
    saveScroll(keptScroll);
    window.history.scrollRestoration = "manual";
    if (mode === "push" && !samePage) window.history.pushState(null, "", shown);
    else window.history.replaceState(null, "", shown);
  }
  shownAddress = address(shown);

  swapHead(doc);
  document.body.replaceChildren(...doc.body.childNodes);
  // Streamed parts of the page and, on an app page, its serialized data for hydration.
  runScripts(trusted);

  if (app) {
    app.hydrate();
    // The Leptos router keeps the browser's own scroll restoration.
    window.history.scrollRestoration = "auto";
    window.scrollTo(0, 0);
    document.getElementById("main")?.focus({ preventScroll: true });
    return;
  }
  markLive();
  if (form && failed) restoreForm(form);
  const fragment = fragmentTarget(shown.hash);
  if (scroll) window.scrollTo(scroll[0], scroll[1]);
  else if (form && samePage) window.scrollTo(keptScroll[0], keptScroll[1]);
  else if (fragment) fragment.scrollIntoView();
  else window.scrollTo(0, 0);
  const focus = focusKey && findFocus(focusKey);
  if (focus) focus.focus({ preventScroll: true });
  else if (!form || !samePage) document.getElementById("main")?.focus({ preventScroll: true });
}

/** Says, next to a form, that it was not sent; what was typed stays in it. */
function formFailed({ element }, why) {
  const earlier = element.previousElementSibling;
  if (earlier?.matches(".alert[data-from-start]")) earlier.remove();
  const alert = document.createElement("div");
  alert.className = "alert alert--error";
  alert.setAttribute("role", "alert");
  alert.dataset.fromStart = "";
  alert.textContent = `Not sent: ${why}. Please try again.`;
  element.before(alert);
}

/**
 * Replaces the page's own head tags (title, description, canonical, previews, all after
 * the comment marker leptos_meta puts there) with the next page's, in its order
 * (hydration walks them in order). Tags both pages share stay put, so the stylesheet is
 * never reloaded.
 */
function swapHead(doc) {
  const marker = (head) => [...head.childNodes].find((node) => node.nodeType === Node.COMMENT_NODE && node.data === "HEAD");
  let current = marker(document.head).nextSibling;
  for (let next = marker(doc.head).nextSibling; next; ) {
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
    }
    next = following;
  }
  while (current) {
    const stale = current;
    current = current.nextSibling;
    stale.remove();
  }
}

/** Scripts a parsed document brings do not run when inserted; copies of them do. */
function runScripts(scripts) {
  for (const old of scripts) {
    if (!old.isConnected || !["", "module", "text/javascript"].includes(old.type)) continue;
    const script = document.createElement("script");
    for (const { name, value } of old.attributes) if (name !== "nonce") script.setAttribute(name, value);
    script.nonce = nonce;
    script.textContent = old.textContent;
    old.replaceWith(script);
  }
}

/** Which form this is: its action, and its place among the forms with that action. */
function formKey(form) {
  const action = form.getAttribute("action");
  const index = [...document.querySelectorAll("form")].filter((f) => f.getAttribute("action") === action).indexOf(form);
  return { id: form.id, action, index };
}

function findForm({ id, action, index }) {
  if (id) return document.getElementById(id);
  return [...document.querySelectorAll("form")].filter((f) => f.getAttribute("action") === action)[index] || null;
}

/** Puts what was typed back into the form the server refused, so nothing is lost. */
function restoreForm({ key, data }) {
  const again = findForm(key);
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
  return { id: element.id, form: element.form ? formKey(element.form) : null, name: element.getAttribute("name"), tag: element.tagName };
}

function findFocus({ id, form, name, tag }) {
  if (id) return document.getElementById(id);
  const again = form && findForm(form);
  if (!again) return null;
  return [...again.querySelectorAll(tag)].find((el) => el.getAttribute("name") === name) || again.querySelector("button");
}
