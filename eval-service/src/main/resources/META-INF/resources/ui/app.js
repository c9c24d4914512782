// The experiment page: asks for its live part every two seconds and swaps it in while anything can still change;
// a service that restarts or a broken connection only delays the next answer (the state is the stored one).
// The cancel button asks first, then sends the REST API's DELETE /experiments/{id}, as the CLI does.
(function () {
  'use strict';
  const live = document.getElementById('live');
  const status = document.getElementById('connection');
  const cancel = document.getElementById('cancel');

  function settled() {
    const part = live && live.querySelector('.live');
    return !part || part.dataset.settled === 'true';
  }

  async function refresh() {
    try {
      const r = await fetch(live.dataset.src, { headers: { 'Accept': 'text/html' }, cache: 'no-store' });
      if (r.ok) {
        const html = await r.text();
        if (html !== live.dataset.last) {
          live.innerHTML = html;
          live.dataset.last = html;
        }
        status.textContent = '';
      } else {
        status.textContent = 'eval-service answered ' + r.status + '; trying again.';
      }
    } catch (e) {
      status.textContent = 'eval-service is not answering; trying again.';
    }
    if (settled()) {
      if (cancel) {
        cancel.hidden = true;
      }
    } else {
      setTimeout(refresh, 2000);
    }
  }

  if (live && !settled()) {
    setTimeout(refresh, 2000);
  }

  if (cancel) {
    cancel.addEventListener('click', async function () {
      if (!window.confirm('Cancel experiment ' + cancel.dataset.experiment + '? Runs under way stop at their next '
          + 'boundary; finished runs are kept.')) {
        return;
      }
      cancel.disabled = true;
      try {
        const r = await fetch(cancel.dataset.url, { method: 'DELETE' });
        const body = await r.json().catch(function () { return {}; });
        status.textContent = r.status === 202 ? 'Cancelling: it stops in a moment.'
          : 'Not cancelled (' + r.status + '): ' + (body.problems || []).join('; ');
        if (r.status !== 202) {
          cancel.disabled = false;
        }
      } catch (e) {
        status.textContent = 'eval-service is not answering: not cancelled; try again.';
        cancel.disabled = false;
      }
    });
  }
})();
