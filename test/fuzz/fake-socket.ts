/**
 * An in-process WebSocket for the fuzz suites: the transport's real onmessage path, without
 * the network. `receive` takes a frame as text, or an object it serialises.
 */
export class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 1;
  sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  receive(frame: unknown): void {
    this.receiveRaw(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  /** Exactly this as the message's data: binary, null, numbers — what a broken server may send. */
  receiveRaw(data: unknown): void {
    this.onmessage?.({ data });
  }
}
