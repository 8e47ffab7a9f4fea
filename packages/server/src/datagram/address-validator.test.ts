import { describe, expect, it } from 'vitest';
import { COOKIE_ROTATE_MS } from '../constants.js';
import { AddressValidator } from './address-validator.js';

describe('AddressValidator', () => {
  it('accepts a cookie only from the address it was issued to', () => {
    const validator = new AddressValidator();
    const cookie = validator.issue('10.0.0.1');
    expect(validator.isValid(cookie, '10.0.0.1')).toBe(true);
    expect(validator.isValid(cookie, '10.0.0.2')).toBe(false);
    const forged = Buffer.from(cookie);
    forged[10] = (forged[10] ?? 0) ^ 1;
    expect(validator.isValid(forged, '10.0.0.1')).toBe(false);
  });

  it('keeps accepting a cookie across one secret rotation, not two', () => {
    let now = 1_000_000;
    const validator = new AddressValidator({ now: () => now });
    const cookie = validator.issue('10.0.0.1');
    now += COOKIE_ROTATE_MS + 1;
    expect(validator.isValid(cookie, '10.0.0.1')).toBe(true);
    now += COOKIE_ROTATE_MS + 1;
    expect(validator.isValid(cookie, '10.0.0.1')).toBe(false);
  });
});
