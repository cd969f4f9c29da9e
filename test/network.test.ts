import {
  addressInCidr, cidr, cidrPosition, ensure, ipAddress, ipv4Address, isIpv6,
} from '../src/kubernetes/validation';

describe('ipv4Address', () => {
  test.each(['10.0.0.2', '0.0.0.0', '255.255.255.255', '192.168.1.10'])('accepts %s', (ip) => {
    expect(ipv4Address(ip)).toBeUndefined();
  });

  test('names the octet above 255 and shows a valid example', () => {
    expect(ipv4Address('10.0.0.300')).toEqual({ reason: '300 is above 255', fix: 'use four numbers from 0 to 255, e.g. "10.0.0.10"' });
  });

  test('counts the parts', () => {
    expect(ipv4Address('10.0.2')?.reason).toBe('an IPv4 address has four dot-separated numbers (this has 3)');
    expect(ipv4Address('10.0.0.0.2')?.reason).toBe('an IPv4 address has four dot-separated numbers (this has 5)');
  });

  test('rejects leading zeros (ambiguous octal) with the decimal form as fix', () => {
    expect(ipv4Address('10.0.0.010')).toEqual({ reason: '"010" has a leading zero, which Kubernetes rejects as ambiguous', fix: 'write it as "10"' });
  });

  test.each(['10.0.0.x', '10.0.0.', '10.0.0.-1', '1.2.3.1234', ' 10.0.0.2'])('rejects %j', (ip) => {
    expect(ipv4Address(ip)).toBeDefined();
  });
});

describe('ipAddress with IPv6 text', () => {
  test.each(['::', '::1', 'fd00::a', 'fd00:10:96::a', '2001:db8:0:0:0:0:0:1', 'FD00::A', '::ffff:10.0.0.2', '1:2:3:4:5:6:7::'])('accepts %s', (ip) => {
    expect(ipAddress(ip)).toBeUndefined();
  });

  test.each([
    ['fd00::a::1', '"::" may appear only once'],
    ['1:2:3:4:5:6:7', 'an IPv6 address has eight groups (this has 7)'],
    ['1:2:3:4:5:6:7:8::', '"::" must stand for at least one zero group'],
    ['fd00::12345', '"12345" is not a group of one to four hex digits'],
    ['fe80::1%eth0', 'zone indexes ("%eth0") are not allowed in Kubernetes addresses'],
    ['::ffff:10.0.0.300', '300 is above 255'],
  ])('rejects %s: %s', (ip, reason) => {
    expect(ipAddress(ip)?.reason).toBe(reason);
  });
});

describe('ipAddress', () => {
  test('takes either family', () => {
    expect(ipAddress('10.0.0.2')).toBeUndefined();
    expect(ipAddress('fd00::a')).toBeUndefined();
    expect(ipAddress('10.0.0.300')?.reason).toBe('300 is above 255');
    expect(isIpv6('fd00::a')).toBe(true);
    expect(isIpv6('10.0.0.2')).toBe(false);
  });

  test('ensure() formats the error with path, field, value and fix', () => {
    expect(() => ensure('test/dns', 'dnsServiceIp', '10.0.0.300', ipAddress))
      .toThrow('[test/dns] dnsServiceIp "10.0.0.300": 300 is above 255; use four numbers from 0 to 255, e.g. "10.0.0.10"');
  });
});

describe('cidr', () => {
  test.each(['10.0.0.0/24', '10.96.0.0/12', '0.0.0.0/0', '10.0.0.2/32', 'fd00:10:96::/108', '::/0', '10.0.0.1/24'])('accepts %s', (range) => {
    expect(cidr(range)).toBeUndefined();
  });

  test('needs a prefix length', () => {
    expect(cidr('10.0.0.0')).toEqual({ reason: 'a CIDR needs a prefix length after "/"', fix: 'try "10.0.0.0/24"' });
    expect(cidr('fd00::')?.fix).toBe('try "fd00::/64"');
  });

  test('bounds the prefix length by the family', () => {
    expect(cidr('10.0.0.0/33')).toEqual({ reason: 'the prefix length must be a number from 0 to 32', fix: 'try "10.0.0.0/24"' });
    expect(cidr('fd00::/129')?.reason).toBe('the prefix length must be a number from 0 to 128');
    expect(cidr('10.0.0.0/x')?.reason).toBe('the prefix length must be a number from 0 to 32');
  });

  test('reports a bad base address', () => {
    expect(cidr('10.0.0.256/24')?.reason).toBe('256 is above 255');
  });
});

describe('cidrPosition', () => {
  test('inside, with the offset from the first address', () => {
    expect(cidrPosition('10.0.0.2', '10.0.0.0/24')).toEqual({ inside: true, offset: 2n, size: 256n });
    expect(cidrPosition('10.96.0.10', '10.96.0.0/12')).toEqual({ inside: true, offset: 10n, size: 1048576n });
    expect(cidrPosition('10.111.255.255', '10.96.0.0/12').inside).toBe(true);
  });

  test('host bits in the range are ignored, as Go does', () => {
    expect(cidrPosition('10.0.0.2', '10.0.0.77/24')).toEqual({ inside: true, offset: 2n, size: 256n });
  });

  test('outside', () => {
    expect(cidrPosition('10.0.1.2', '10.0.0.0/24').inside).toBe(false);
    expect(cidrPosition('9.255.255.255', '10.0.0.0/24').inside).toBe(false);
    expect(cidrPosition('10.112.0.0', '10.96.0.0/12').inside).toBe(false);
  });

  test('IPv6', () => {
    expect(cidrPosition('fd00:10:96::a', 'fd00:10:96::/108')).toEqual({ inside: true, offset: 10n, size: 1048576n });
    expect(cidrPosition('fd00:10:97::a', 'fd00:10:96::/108').inside).toBe(false);
  });

  test('another family is never inside', () => {
    expect(cidrPosition('fd00::a', '10.0.0.0/24').inside).toBe(false);
    expect(cidrPosition('10.0.0.2', '::/0').inside).toBe(false);
  });

  test('throws for invalid input', () => {
    expect(() => cidrPosition('10.0.0.300', '10.0.0.0/24')).toThrow('not valid: "10.0.0.300"');
    expect(() => cidrPosition('10.0.0.3', '10.0.0.0/40')).toThrow('not a CIDR: "10.0.0.0/40"');
  });
});

describe('addressInCidr', () => {
  test('the n-th address of a range', () => {
    expect(addressInCidr('10.96.0.0/12', 10n)).toBe('10.96.0.10');
    expect(addressInCidr('10.0.0.77/24', 255n)).toBe('10.0.0.255');
    expect(addressInCidr('fd00:10:96::/108', 10n)).toBe('fd00:10:96::a');
  });

  test('RFC 5952 text for IPv6, dotted quads for IPv4', () => {
    // The first address of a one-address range is the address itself, in canonical text.
    const canonicalIp = (ip: string) => addressInCidr(`${ip}/${isIpv6(ip) ? 128 : 32}`, 0n);
    expect(canonicalIp('FD00:0:0:0:0:0:0:A')).toBe('fd00::a');
    expect(canonicalIp('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(canonicalIp('1:0:2:3:4:5:6:7')).toBe('1:0:2:3:4:5:6:7');
    expect(canonicalIp('::')).toBe('::');
    expect(canonicalIp('10.0.0.2')).toBe('10.0.0.2');
  });
});
