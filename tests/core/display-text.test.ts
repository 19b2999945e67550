import { expect, it } from 'vitest';
import { displayText } from '../../src-main/core/display-text.ts';

it('writes controls, direction overrides and invisible characters as escapes, and leaves printable text of every script alone', () => {
  expect(displayText('Riverside\nSigner fingerprint: 3A65\u001b[2K\r')).toBe('Riverside\\x0ASigner fingerprint: 3A65\\x1B[2K\\x0D');
  expect(displayText('abc\u202Edef\u2066x\u2069\u200B\u00AD\uFEFF\u0085\u007F')).toBe('abc\\u202Edef\\u2066x\\u2069\\u200B\\xAD\\uFEFF\\x85\\x7F');
  for (const text of [
    'Zoë O’Connor-Smith',
    'Łódź Centrum',
    'Иванов',
    'مرکز مشاوره\u200cی شهر',
    'नमस्ते',
    '家族 👨\u200d👩\u200d👧',
    'Tab-free, "quoted" \\ text',
  ]) {
    expect(displayText(text)).toBe(text);
  }
});
