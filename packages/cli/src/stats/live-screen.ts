import type { CliIo } from '../io.js';

// ANSI/VT100 control sequences (ECMA-48): cursor to the top left, erase the whole screen, erase
// to the end of the line, erase below the cursor; hide and show the cursor (DEC private mode 25).
const HOME = '\x1b[H';
const CLEAR_SCREEN = '\x1b[2J';
const CLEAR_LINE = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/** A terminal screen redrawn in place, as `top` does. */
export interface LiveScreen {
  /** Replaces what is on the screen with `lines`. */
  draw(lines: readonly string[]): void;
  /** Shows the cursor again, the last frame left in place: call once, on every way out. */
  restore(): void;
}

/**
 * Draws frames over each other on stdout: the first clears the screen, each later one moves the
 * cursor home and rewrites every line to its end, then erases whatever an earlier, longer frame
 * left below, so nothing flickers and nothing scrolls. The cursor is hidden until `restore`.
 */
export function createLiveScreen(io: CliIo): LiveScreen {
  let drawn = false;
  let restored = false;
  return {
    draw(lines) {
      const start = drawn ? HOME : `${HIDE_CURSOR}${HOME}${CLEAR_SCREEN}`;
      drawn = true;
      io.out(`${start}${lines.map((line) => `${line}${CLEAR_LINE}`).join('\n')}${CLEAR_BELOW}`);
    },
    restore() {
      if (!drawn || restored) return;
      restored = true;
      io.out(SHOW_CURSOR);
    },
  };
}
