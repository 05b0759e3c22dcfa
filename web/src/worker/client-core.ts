// The client core: owns the WebSocket, the RFB session, the decoders and the display; talks to the page only through typed messages.

import type { Decoder } from '../decoders/decoder';
import type { FramebufferDisplay, SessionEvents } from '../rfb/session';
import { RfbSession } from '../rfb/session';
import type { WebSocketConstructor } from '../rfb/transport';
import { WebSocketTransport } from '../rfb/transport';
import type { FromCore, ToCore } from './protocol';

export interface CoreDependencies {
  /** Sends a message to the page, transferring the listed buffers. */
  post(message: FromCore, transfer?: Transferable[]): void;
  createDisplay(canvas: OffscreenCanvas | HTMLCanvasElement): FramebufferDisplay;
  createDecoders(): Map<number, Decoder>;
  WebSocket?: WebSocketConstructor;
}

export class ClientCore {
  private session: RfbSession | null = null;
  private display: FramebufferDisplay | null = null;

  constructor(private readonly deps: CoreDependencies) {}

  /** Handles one message from the page. */
  handle(msg: ToCore): void {
    if (msg.type === 'connect') {
      this.connect(msg);
      return;
    }
    if (msg.type === 'capture') {
      const d = this.display;
      const rgba = d?.framebuffer ? d.framebuffer.slice(0, d.width * d.height * 4) : null;
      this.deps.post(
        { type: 'capture', id: msg.id, width: d?.width ?? 0, height: d?.height ?? 0, rgba },
        rgba ? [rgba.buffer] : [],
      );
      return;
    }
    if (msg.type === 'rectangleCounts') {
      const counts = new Map(this.session?.rectangleCounts ?? []);
      this.deps.post({ type: 'rectangleCounts', id: msg.id, counts });
      return;
    }
    const s = this.session;
    if (!s) return;
    switch (msg.type) {
      case 'credentials':
        s.sendCredentials(msg.credentials);
        break;
      case 'approveServer':
        s.approveServer();
        break;
      case 'rejectServer':
        s.rejectServer();
        break;
      case 'key':
        s.sendKey(msg.keysym, msg.code, msg.down);
        break;
      case 'pointer':
        s.sendPointer(msg.x, msg.y, msg.mask);
        break;
      case 'clipboard':
        s.clipboardPasteFrom(msg.text);
        break;
      case 'setDesktopSize':
        s.requestDesktopSize(msg.width, msg.height);
        break;
      case 'quality':
        s.setQuality(msg.qualityLevel, msg.compressionLevel);
        break;
      case 'xvp':
        s.xvpOperation(msg.code);
        break;
      case 'disconnect':
        s.disconnect();
        break;
    }
  }

  private connect(msg: Extract<ToCore, { type: 'connect' }>): void {
    this.session?.disconnect();
    const post = this.deps.post;
    const events: SessionEvents = {
      connect: () => post({ type: 'connect' }),
      disconnect: (clean, reason) => post({ type: 'disconnect', clean, reason }),
      credentialsRequired: (types) => post({ type: 'credentialsrequired', types }),
      serverVerification: (identity) => post({ type: 'serververification', identity }),
      securityFailure: (status, reason) => post({ type: 'securityfailure', status, reason }),
      clipboard: (text) => post({ type: 'clipboard', text }),
      bell: () => post({ type: 'bell' }),
      desktopName: (name) => post({ type: 'desktopname', name }),
      capabilities: (capabilities) => post({ type: 'capabilities', capabilities }),
      resize: (width, height) => post({ type: 'resize', width, height }),
      cursor: (hotX, hotY, width, height, rgba) =>
        post({ type: 'cursor', hotX, hotY, width, height, rgba }, [rgba.buffer]),
      ledState: (state) => post({ type: 'ledstate', state }),
    };
    let session: RfbSession | null = null;
    let display: FramebufferDisplay;
    try {
      display = this.deps.createDisplay(msg.canvas);
    } catch (e) {
      post({ type: 'disconnect', clean: false, reason: `cannot draw: ${(e as Error).message}` });
      return;
    }
    const transport = new WebSocketTransport(
      msg.url,
      msg.protocols,
      {
        data: (bytes) => session?.receive(bytes),
        close: (code, reason) => session?.transportClosed(code, reason),
      },
      this.deps.WebSocket,
    );
    session = new RfbSession(transport, display, this.deps.createDecoders(), events, {
      shared: msg.shared,
      credentials: msg.credentials,
      qualityLevel: msg.qualityLevel,
      compressionLevel: msg.compressionLevel,
      encodings: msg.encodings,
      jpeg: msg.jpeg,
    });
    this.session = session;
    this.display = display;
  }
}
