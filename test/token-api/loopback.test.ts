import { describe, expect, it } from '@jest/globals';
import { hostOfHeader, isAllowedHost, isLoopbackPeer } from '../../src/token-api/loopback.js';

describe('isLoopbackPeer', () => {
  it.each([
    '127.0.0.1',
    '127.0.0.2',
    '127.255.255.254',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:127.1.2.3',
    '0:0:0:0:0:0:0:1',
  ])('counts %s as this host', (address) => {
    expect(isLoopbackPeer(address)).toBe(true);
  });

  it.each([
    '10.0.0.1',
    '::ffff:10.0.0.1',
    '192.0.2.2',
    '198.18.0.2',
    '::2',
    'fd00::2',
    'fe80::1',
    '0.0.0.0',
    '::',
    '128.0.0.1',
    'localhost',
    'garbage',
  ])('refuses %s', (address) => {
    expect(isLoopbackPeer(address)).toBe(false);
  });

  it('lets a peer without an address through (a Unix socket)', () => {
    expect(isLoopbackPeer(undefined)).toBe(true);
  });
});

describe('isAllowedHost', () => {
  it.each([
    'localhost',
    'localhost:7164',
    'LOCALHOST:1',
    '127.0.0.1',
    '127.0.0.1:7164',
    '127.9.8.7:80',
    '[::1]',
    '[::1]:7164',
  ])('accepts the loopback name %s', (host) => {
    expect(isAllowedHost(host)).toBe(true);
  });

  it.each([
    'evil.example',
    'evil.example:7164',
    'localhost.evil.example',
    '127.0.0.1.nip.io',
    '10.0.0.1:7164',
    '[fd00::2]:7164',
    '::1',
    '[::1',
    'localhost:port',
    'a@localhost',
    'localhost/x',
    '',
    ' localhost',
  ])('refuses %s', (host) => {
    expect(isAllowedHost(host)).toBe(false);
  });

  it('refuses a request without a Host header', () => {
    expect(isAllowedHost(undefined)).toBe(false);
  });

  it('accepts IP literals, never DNS names, when remote callers are allowed', () => {
    expect(isAllowedHost('198.18.0.1:7164', true)).toBe(true);
    expect(isAllowedHost('[fd00::2]:7164', true)).toBe(true);
    expect(isAllowedHost('evil.example:7164', true)).toBe(false);
  });

  it('reads the host part of a Host header', () => {
    expect(hostOfHeader('[::1]:7164')).toBe('::1');
    expect(hostOfHeader('LocalHost:1')).toBe('localhost');
    expect(hostOfHeader('a b')).toBeUndefined();
  });
});
