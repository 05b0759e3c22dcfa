// The rectangle encodings this client decodes: their numbers (defined once, in rfb/constants.ts) and the names users give them.

import {
  encodingCopyRect,
  encodingHextile,
  encodingRaw,
  encodingRRE,
  encodingTight,
  encodingTightPNG,
  encodingZlib,
  encodingZRLE,
} from '../rfb/constants';

export {
  encodingCopyRect,
  encodingHextile,
  encodingRaw,
  encodingRRE,
  encodingTight,
  encodingTightPNG,
  encodingZlib,
  encodingZRLE,
};

/** Lower-case names of the rectangle encodings (as in TigerVNC's PreferredEncoding), to numbers. */
export const encodingNumbers: Readonly<Record<string, number>> = Object.freeze({
  raw: encodingRaw,
  copyrect: encodingCopyRect,
  rre: encodingRRE,
  hextile: encodingHextile,
  zlib: encodingZlib,
  tight: encodingTight,
  zrle: encodingZRLE,
  tightpng: encodingTightPNG,
});

/**
 * Parses a comma-separated list of encoding names or numbers ("tight,copyrect", "16") into
 * encoding numbers, in the order given. Throws an Error naming the first unknown entry.
 */
export function parseEncodingList(text: string): number[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = encodingNumbers[s.toLowerCase()] ?? (/^-?\d+$/.test(s) ? Number(s) : undefined);
      if (n === undefined) throw new Error(`unknown encoding "${s}"`);
      return n;
    });
}
