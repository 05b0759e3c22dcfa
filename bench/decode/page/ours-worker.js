// vncgate's shipped worker (web/dist/vncgate-worker.js), unchanged, with the replaying socket as
// its WebSocket.
import './install-socket.js';
import '/web/vncgate-worker.js';
