// A scriptable stand-in for the browser WebSocket: records what the client sends, lets the test play the server.

export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  binaryType = 'blob';
  readyState = 0;
  sent: Uint8Array[] = [];
  closeCode: number | undefined;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeWebSocket.instances.push(this);
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(Uint8Array.from(data));
  }

  close(code = 1005): void {
    if (this.readyState >= 2) return;
    this.closeCode = code;
    this.readyState = 3;
  }

  // Test side.
  serverOpen(): void {
    this.readyState = 1;
  }
  serverSend(bytes: ArrayLike<number>): void {
    this.onmessage?.({ data: Uint8Array.from(bytes).buffer });
  }
  serverSendText(text: string): void {
    this.onmessage?.({ data: text });
  }
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  /** Everything sent so far, concatenated; clears it. */
  take(): number[] {
    const all = this.sent.flatMap((b) => Array.from(b));
    this.sent = [];
    return all;
  }
}
