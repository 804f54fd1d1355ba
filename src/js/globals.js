// Globals mode for drop-in pages: one module script tag sets `window.chat` (the customer
// API) and `window.Microsoft.CIFramework` / `window.Microsoft.Omnichannel` (the agent APIs),
// the way GWE's and Dynamics' libraries exported theirs:
//
//   <script type="module" src="/pkg/hotline-globals.js"></script>
//   <script>
//     addEventListener('hotline:ready', () => chat.startSession({serverUrl: '…'}).done(…));
//   </script>
//
// The module loads asynchronously; `hotline:ready` fires on window once the globals are there
// (and `window.hotlineReady` is a Promise for the same moment). With
// `data-cif-server-url="…"` (and `data-cif-token` for a signed-in agent) on the script tag,
// CIF is initialized too, and `CIFInitDone` fires on window when it is ready, as in Dynamics.
import init, { chat, Microsoft } from './hotline.js';

const script = document.querySelector('script[src*="hotline-globals"]');

window.hotlineReady = init().then(() => {
  window.chat = chat;
  window.Microsoft = Object.assign(window.Microsoft || {}, {
    CIFramework: Microsoft.CIFramework,
    Omnichannel: Microsoft.Omnichannel,
  });
  window.dispatchEvent(new Event('hotline:ready'));
  const serverUrl = script && script.dataset.cifServerUrl;
  if (serverUrl) {
    Microsoft.CIFramework.initialize({ serverUrl, token: script.dataset.cifToken || undefined })
      .catch((error) => console.error('hotline: CIF initialize failed:', error.message));
  }
  return chat;
});
