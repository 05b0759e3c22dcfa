// The Web Worker entry: runs the client core off the main thread, drawing into the transferred OffscreenCanvas.

import { createDecoders } from '../decoders/index';
import { Display } from '../display/display';
import { ClientCore } from './client-core';
import type { FromCore, ToCore } from './protocol';

const scope = self as unknown as {
  postMessage(message: FromCore, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToCore>) => void) | null;
};

const core = new ClientCore({
  post: (message, transfer = []) => scope.postMessage(message, transfer),
  createDisplay: (canvas) => new Display(canvas, 0, 0),
  createDecoders,
});

scope.onmessage = (e) => core.handle(e.data);
