// RFB encoding numbers of the rectangle encodings this client decodes, named after the RFB specification.

export const encodingRaw = 0;
export const encodingCopyRect = 1;
export const encodingRRE = 2;
export const encodingHextile = 5;
export const encodingZlib = 6;
export const encodingTight = 7;
export const encodingZRLE = 16;
export const encodingTightPNG = -260;
