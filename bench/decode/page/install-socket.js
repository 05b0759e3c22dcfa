// Side effect only: makes the replaying socket this realm's WebSocket (imported first by the
// bench worker, so vncgate's worker opens it instead of a network connection).
import { ReplaySocket } from './replay-socket.js';

self.WebSocket = ReplaySocket;
