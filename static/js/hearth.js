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

// A reminder's local time is read in the browser's time zone: the hidden field says which
// (left empty without this script, and then read as UTC).
function fillTimeZones(root) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  for (const el of root.querySelectorAll('input[data-browser-zone]')) if (!el.value) el.value = zone;
}
document.addEventListener('DOMContentLoaded', () => fillTimeZones(document));
document.addEventListener('htmx:afterSwap', (event) => fillTimeZones(event.detail.target));

// An element marked data-show-refusal shows a refusal's message where it would show the answer
// (a draft too long, said beside the form's buttons) rather than leaving it unsaid.
document.addEventListener('htmx:beforeSwap', (event) => {
  const elt = event.detail.elt;
  if (event.detail.xhr.status === 422 && elt instanceof Element && elt.closest('[data-show-refusal]')) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Forms marked data-fallback="submit": after an htmx request, an emptied form on success;
// if the server refused it, the plain submission, so the page comes back with the message
// beside the field and the input kept.
document.addEventListener('htmx:afterRequest', (event) => {
  const form = event.detail.elt;
  if (!(form instanceof HTMLFormElement) || form.dataset.fallback !== 'submit') return;
  if (event.detail.successful) {
    form.reset();
    // reset() brings back the text the page was drawn with (a draft, a quote): posted, it goes.
    for (const box of form.querySelectorAll('textarea')) box.value = '';
    for (const status of form.querySelectorAll('.draft-status')) status.textContent = '';
  } else if (event.detail.xhr && event.detail.xhr.status >= 400 && event.detail.xhr.status < 500) form.submit();
});

// Uploads from the editor (views/partials/posts/editor.hbs): a file chosen and sent with the
// Upload button, or dropped or pasted into the text, goes to /uploads, and the markdown it
// answers is put at the cursor. Without this script the Upload button sends the form itself.
async function uploadInto(textarea, file, status) {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const data = new FormData();
  data.append('file', file, file.name || 'pasted-image.png');
  if (status) status.textContent = `Uploading ${file.name || 'the image'}…`;
  try {
    const res = await fetch('/uploads', {
      method: 'POST',
      body: data,
      headers: { accept: 'application/json', 'x-csrf-token': meta ? meta.getAttribute('content') : '' },
      credentials: 'same-origin',
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(answer.error || 'The upload failed.');
    const at = textarea.selectionStart ?? textarea.value.length;
    const end = textarea.selectionEnd ?? at;
    const before = textarea.value.slice(0, at);
    const text = `${before && !before.endsWith('\n') ? '\n' : ''}${answer.markdown}\n`;
    textarea.setRangeText(text, at, end, 'end');
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    if (status) status.textContent = `${answer.name} is uploaded.`;
  } catch (err) {
    if (status) status.textContent = err instanceof Error ? err.message : 'The upload failed.';
  }
}

function uploadParts(form) {
  const textarea = form && form.querySelector('textarea[name="body"]');
  const field = form && form.querySelector('[data-upload-field]');
  return textarea && field ? { textarea, status: field.querySelector('[data-upload-status]'), input: field.querySelector('input[type="file"]') } : null;
}

document.addEventListener('click', (event) => {
  const button = event.target instanceof Element && event.target.closest('[data-upload-button]');
  const parts = button && uploadParts(button.form);
  if (!parts) return;
  event.preventDefault();
  const file = parts.input && parts.input.files && parts.input.files[0];
  if (!file) {
    if (parts.status) parts.status.textContent = 'Choose a file to upload first.';
    return;
  }
  parts.input.value = '';
  void uploadInto(parts.textarea, file, parts.status);
});

document.addEventListener('dragover', (event) => {
  if (event.target instanceof HTMLTextAreaElement && uploadParts(event.target.form) && event.dataTransfer && [...event.dataTransfer.types].includes('Files')) event.preventDefault();
});
document.addEventListener('drop', (event) => {
  const textarea = event.target;
  const parts = textarea instanceof HTMLTextAreaElement && uploadParts(textarea.form);
  const files = event.dataTransfer && event.dataTransfer.files;
  if (!parts || !files || !files.length) return;
  event.preventDefault();
  for (const file of files) void uploadInto(parts.textarea, file, parts.status);
});
document.addEventListener('paste', (event) => {
  const textarea = event.target;
  const parts = textarea instanceof HTMLTextAreaElement && uploadParts(textarea.form);
  const files = event.clipboardData && event.clipboardData.files;
  if (!parts || !files || !files.length) return;
  event.preventDefault();
  for (const file of files) void uploadInto(parts.textarea, file, parts.status);
});
