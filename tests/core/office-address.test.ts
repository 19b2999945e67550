import { isIP as nodeIsIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AddressError, isIP, isLoopback, pairingCode, parseOfficeAddress, parsePairingCode } from '../../src-main/core/office/address.ts';

describe('office addresses (core, so without node:net)', () => {
  it('tells IP addresses from anything else as node:net does', () => {
    const samples = ['127.0.0.1', '192.168.1.10', '0.0.0.0', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '::1', '::', 'fd00::5'];
    samples.push('::ffff:1.2.3.4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', 'gggg::1', ':1', 'office-pc', '');
    for (const sample of samples) expect(isIP(sample), sample).toBe(nodeIsIP(sample));
  });

  it('reads ADDRESS:PORT, [IPv6]:PORT and an address alone (the default port), and refuses names and bad ports plainly', () => {
    expect(parseOfficeAddress('192.168.1.10:5000')).toEqual({ host: '192.168.1.10', port: 5000 });
    expect(parseOfficeAddress('[fd00::5]:5000')).toEqual({ host: 'fd00::5', port: 5000 });
    expect(parseOfficeAddress(' 10.0.0.2 ').port).toBe(47470);
    expect(() => parseOfficeAddress('office-pc:5000')).toThrow(AddressError);
    expect(() => parseOfficeAddress('300.1.1.1:5000')).toThrow(/not an IP address/);
    expect(() => parseOfficeAddress('10.0.0.2:0')).toThrow(/port must be 1–65535/);
    expect(parseOfficeAddress('127.0.0.1:0', { allowAnyPort: true }).port).toBe(0);
    expect(isLoopback('127.0.0.9')).toBe(true);
    expect(isLoopback('192.168.1.10')).toBe(false);
  });

  it('a pairing code carries the address and fingerprint, even pasted with line breaks', () => {
    const fingerprint = 'ab'.repeat(32);
    const code = pairingCode({ host: 'fd00::5', port: 5000 }, fingerprint.toUpperCase());
    expect(parsePairingCode(`${code.slice(0, 30)}\n  ${code.slice(30)}`)).toEqual({ address: { host: 'fd00::5', port: 5000 }, fingerprint });
    expect(() => parsePairingCode('192.168.1.10:5000')).toThrow(/starts with needmap-office:\/\//);
    expect(() => parsePairingCode('needmap-office://192.168.1.10:5000/abc')).toThrow(/not 64 hex digits/);
  });
});
