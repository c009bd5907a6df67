// Passkey ceremonies for the sign-in and account pages (the only script Vigil serves besides the
// @simplewebauthn/browser bundle). Everything else on these pages works without JavaScript.
(() => {
  const button = document.querySelector('[data-passkey]');
  if (!button) return;
  const status = document.querySelector('[data-passkey-status]');
  if (!window.PublicKeyCredential || !window.SimpleWebAuthnBrowser) {
    button.hidden = true;
    return;
  }
  const { startRegistration, startAuthentication } = window.SimpleWebAuthnBrowser;
  const post = async (url, body) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    return { ok: res.ok, json: await res.json().catch(() => ({})) };
  };
  button.addEventListener('click', async () => {
    const { passkey: mode, csrf, optionsUrl, verifyUrl } = button.dataset;
    button.disabled = true;
    status.textContent = 'Waiting for your passkey…';
    try {
      const options = await post(optionsUrl, { csrf });
      if (!options.ok) throw new Error(options.json.detail ?? 'No passkey is available.');
      const optionsJSON = options.json.options;
      const response =
        mode === 'register'
          ? await startRegistration({ optionsJSON })
          : await startAuthentication({ optionsJSON });
      const label = document.querySelector('#passkey-label')?.value ?? '';
      const done = await post(verifyUrl, {
        csrf,
        challengeId: options.json.challengeId,
        response,
        label,
      });
      if (!done.ok) throw new Error(done.json.detail ?? 'The passkey was not accepted.');
      window.location.assign(done.json.redirect);
    } catch (err) {
      status.textContent = err instanceof Error ? err.message : String(err);
      button.disabled = false;
    }
  });
})();
