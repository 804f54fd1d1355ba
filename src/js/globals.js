// Globals mode for drop-in pages: one module script tag sets `window.chat`, the way GWE's
// library exported its API as a global:
//
//   <script type="module" src="/pkg/hotline-globals.js"></script>
//   <script>
//     addEventListener('hotline:ready', () => chat.startSession({serverUrl: '…'}).done(…));
//   </script>
//
// The module loads asynchronously; `hotline:ready` fires on window once `chat` is there (and
// `window.hotlineReady` is a Promise for the same moment).
import init, { chat } from './hotline.js';

window.hotlineReady = init().then(() => {
  window.chat = chat;
  window.dispatchEvent(new Event('hotline:ready'));
  return chat;
});
