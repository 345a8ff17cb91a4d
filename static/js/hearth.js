// Hearth's only script: wiring that htmx needs. Every page works without it.

// htmx requests carry the page's CSRF token in a header.
document.addEventListener('htmx:configRequest', (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers['x-csrf-token'] = meta.getAttribute('content');
});

// Category colours come from data attributes: the CSP forbids inline styles in markup.
function paintCategories(root) {
  for (const el of root.querySelectorAll('[data-color]')) {
    const color = el.getAttribute('data-color');
    if (/^#[0-9a-f]{6}$/i.test(color)) el.style.setProperty('--cat', color);
  }
}
document.addEventListener('DOMContentLoaded', () => paintCategories(document));
document.addEventListener('htmx:afterSwap', (event) => paintCategories(event.detail.target));

// Forms marked data-fallback="submit": after an htmx request, an emptied form on success;
// if the server refused it, the plain submission, so the page comes back with the message
// beside the field and the input kept.
document.addEventListener('htmx:afterRequest', (event) => {
  const form = event.detail.elt;
  if (!(form instanceof HTMLFormElement) || form.dataset.fallback !== 'submit') return;
  if (event.detail.successful) form.reset();
  else if (event.detail.xhr && event.detail.xhr.status >= 400 && event.detail.xhr.status < 500) form.submit();
});
