// RFB protocol numbers (named after the RFB specification) and the client's limits.

// Security types (RFB "Security" handshake).
export const securityTypeInvalid = 0;
export const securityTypeNone = 1;
export const securityTypeVncAuth = 2;
export const securityTypeRA2 = 5;
export const securityTypeRA2ne = 6;
export const securityTypeTight = 16;
export const securityTypeVeNCrypt = 19;
export const securityTypeRA2_256 = 129;
export const securityTypeRA2ne_256 = 130;

// VeNCrypt subtypes.
export const vencryptSubtypePlain = 256;
export const vencryptSubtypeTLSNone = 257;
export const vencryptSubtypeX509Ident = 267;

// SecurityResult status words.
export const securityResultOk = 0;
export const securityResultFailed = 1;
export const securityResultTooMany = 2;

// RA2 credential subtypes.
export const ra2SubtypeUserPass = 1;
export const ra2SubtypePass = 2;

// Client to server message types.
export const msgSetPixelFormat = 0;
export const msgSetEncodings = 2;
export const msgFramebufferUpdateRequest = 3;
export const msgKeyEvent = 4;
export const msgPointerEvent = 5;
export const msgClientCutText = 6;
export const msgEnableContinuousUpdates = 150;
export const msgClientFence = 248;
export const msgSetDesktopSize = 251;
export const msgQemuClient = 255;
export const qemuSubmsgExtendedKeyEvent = 0;
/** PointerEvent button-mask bit 7: back (button 8), or with ExtendedMouseButtons the marker of the extended form. */
export const pointerEventExtendedMarker = 0x80;

// Server to client message types.
export const msgFramebufferUpdate = 0;
export const msgSetColourMapEntries = 1;
export const msgBell = 2;
export const msgServerCutText = 3;
export const msgEndOfContinuousUpdates = 150;
export const msgServerFence = 248;
/** XVP (both directions): version and a message code. */
export const msgXvp = 250;
export const xvpVersion = 1;
export const xvpFail = 0;
export const xvpInit = 1;
export const xvpShutdown = 2;
export const xvpReboot = 3;
export const xvpReset = 4;

// Encodings.
export const encodingRaw = 0;
export const encodingCopyRect = 1;
export const encodingRRE = 2;
export const encodingHextile = 5;
export const encodingZlib = 6;
export const encodingTight = 7;
export const encodingZRLE = 16;
export const encodingTightPNG = -260;

// Pseudo-encodings.
export const pseudoEncodingQualityLevel0 = -32;
export const pseudoEncodingQualityLevel9 = -23;
export const pseudoEncodingDesktopSize = -223;
export const pseudoEncodingLastRect = -224;
export const pseudoEncodingCursor = -239;
export const pseudoEncodingCompressLevel0 = -256;
export const pseudoEncodingCompressLevel9 = -247;
export const pseudoEncodingQemuExtendedKeyEvent = -258;
export const pseudoEncodingQemuLedState = -261;
export const pseudoEncodingDesktopName = -307;
export const pseudoEncodingExtendedDesktopSize = -308;
export const pseudoEncodingXvp = -309;
export const pseudoEncodingFence = -312;
export const pseudoEncodingContinuousUpdates = -313;
export const pseudoEncodingExtendedMouseButtons = -316;
export const pseudoEncodingExtendedClipboard = 0xc0a1e5ce | 0; // signed on the wire

// Fence flags.
export const fenceFlagBlockBefore = 1 << 0;
export const fenceFlagBlockAfter = 1 << 1;
export const fenceFlagSyncNext = 1 << 2;
export const fenceFlagRequest = 1 << 31;

// Extended clipboard flags.
export const extendedClipboardFormatText = 1 << 0;
export const extendedClipboardActionCaps = 1 << 24;
export const extendedClipboardActionRequest = 1 << 25;
export const extendedClipboardActionPeek = 1 << 26;
export const extendedClipboardActionNotify = 1 << 27;
export const extendedClipboardActionProvide = 1 << 28;

// ExtendedDesktopSize reasons (x-position) and status codes (y-position).
export const extendedDesktopSizeReasonServer = 0;
export const extendedDesktopSizeReasonClient = 1;
export const extendedDesktopSizeReasonOtherClient = 2;

// Limits: a server that exceeds one ends the session with a ProtocolError.
/** Longest security failure reason the client reads (bytes). */
export const maxReasonLength = 64 * 1024;
/** Longest desktop name (ServerInit and DesktopName, bytes). */
export const maxDesktopNameLength = 64 * 1024;
/** Most security types, VeNCrypt subtypes, Tight tunnels or auth types in one list. */
export const maxSecurityTypes = 255;
/** Most Tight capabilities per list in the extended ServerInit. */
export const maxTightCapabilities = 1024;
/** Largest ServerCutText or extended clipboard message (bytes). */
export const maxCutTextLength = 10 * 1024 * 1024;
/** Largest decompressed clipboard text (bytes). */
export const maxClipboardTextLength = 10 * 1024 * 1024;
/** Largest framebuffer side the client accepts. */
export const maxFramebufferSide = 16384;
/** Largest cursor side. */
export const maxCursorSide = 256;
/** Most screens in an ExtendedDesktopSize rectangle (the count is a U8 anyway). */
export const maxScreens = 255;
/** Fence payloads are at most 64 bytes by the specification. */
export const maxFencePayload = 64;
/** Bytes a server may send ahead while the handshake waits (for the user, or for crypto). */
export const maxHandshakeBuffer = 1024 * 1024;
/** RSA key sizes accepted for RA2 (bits), as in TigerVNC. */
export const minRsaKeyBits = 1024;
export const maxRsaKeyBits = 8192;
/** Longest RA2 username or password (bytes, the length is a U8). */
export const maxRa2CredentialLength = 255;
