// Types for the globals mode (hotline-globals.js, copied beside it into pkg/ by
// scripts/build-wasm): loading the module sets `window.chat`, `window.Microsoft.CIFramework`,
// `window.Microsoft.Omnichannel` and `window.hotlineReady`, then fires `hotline:ready`; with
// `data-cif-server-url` on its script tag, CIF is initialized and `CIFInitDone` fires.
//
//   import 'hotline/globals';            // or <script type="module" src="…/hotline-globals.js">
//   await window.hotlineReady;
//   window.chat.startSession({ serverUrl: '…' });

import type * as hotline from './hotline.js';

/** `window.Microsoft` once the globals are there (other members of it are kept). */
export interface HotlineMicrosoftGlobals {
  CIFramework: hotline.CIFramework;
  Omnichannel: hotline.Omnichannel;
}

declare global {
  interface Window {
    /** The customer chat API, once `hotline:ready` has fired. */
    chat: typeof hotline.chat;
    /** `CIFramework` and `Omnichannel`, once `hotline:ready` has fired. */
    Microsoft: HotlineMicrosoftGlobals;
    /** Resolves with `window.chat` once the globals are there. */
    hotlineReady: Promise<typeof hotline.chat>;
  }

  interface WindowEventMap {
    /** The globals are there. */
    'hotline:ready': Event;
    /** `Microsoft.CIFramework.initialize` finished. */
    CIFInitDone: Event;
  }
}

export {};
