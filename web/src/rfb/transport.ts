// The WebSocket transport: binary frames in and out, subprotocol "binary", nothing RFB-specific.

export interface TransportEvents {
  /** Bytes from the server (a view valid only during the call). */
  data(bytes: Uint8Array): void;
  /** The socket closed, by either side or after an error. */
  close(code: number, reason: string): void;
}

/** The constructor of a WebSocket (injectable for tests). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

export class WebSocketTransport {
  private readonly ws: WebSocket;
  private closedReported = false;

  constructor(
    url: string,
    protocols: string[],
    private readonly events: TransportEvents,
    Impl: WebSocketConstructor = WebSocket,
  ) {
    this.ws = new Impl(url, protocols);
    this.ws.binaryType = 'arraybuffer';
    this.ws.onmessage = (e: MessageEvent) => {
      if (e.data instanceof ArrayBuffer) this.events.data(new Uint8Array(e.data));
      else this.fail(4000, 'the server sent a text WebSocket message');
    };
    // An error is always followed by close; the close carries the code.
    this.ws.onclose = (e: CloseEvent) => this.reportClose(e.code, e.reason);
  }

  send(bytes: Uint8Array): void {
    if (this.ws.readyState === 1 /* OPEN */) this.ws.send(bytes);
  }

  close(): void {
    if (this.ws.readyState === 0 /* CONNECTING */ || this.ws.readyState === 1 /* OPEN */)
      this.ws.close(1000);
    this.reportClose(1000, '');
  }

  private fail(code: number, reason: string): void {
    this.ws.close(code, reason);
    this.reportClose(code, reason);
  }

  private reportClose(code: number, reason: string): void {
    if (this.closedReported) return;
    this.closedReported = true;
    this.events.close(code, reason);
  }
}
