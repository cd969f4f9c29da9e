import { Corefile, CorefileServerBlock } from '../src';
import { UPSTREAM_YAML } from './fixtures/coredns-upstream';
import { parseYamlDocuments } from './util';
import { corefileToken } from '../src/constructs/coredns/corefile';

describe('rendering', () => {
  const servers: CorefileServerBlock[] = [
    {
      zones: ['.'],
      directives: [
        { name: 'errors' },
        { name: 'health', block: [{ name: 'lameduck', args: ['5s'] }] },
        { name: 'forward', args: ['.', '/etc/resolv.conf'], block: [{ name: 'max_concurrent', args: ['1000'] }] },
        { name: 'cache', args: ['30'] },
      ],
    },
    { zones: ['consul.local'], port: 5353, directives: [{ name: 'forward', args: ['.', '10.150.0.1'] }] },
  ];

  test('one directive per line, blocks in braces, four-space indentation, port defaults to 53', () => {
    expect(new Corefile(servers).render()).toBe([
      '.:53 {',
      '    errors',
      '    health {',
      '        lameduck 5s',
      '    }',
      '    forward . /etc/resolv.conf {',
      '        max_concurrent 1000',
      '    }',
      '    cache 30',
      '}',
      'consul.local:5353 {',
      '    forward . 10.150.0.1',
      '}',
      '',
    ].join('\n'));
  });

  test('an empty block renders as braces', () => {
    expect(new Corefile([{ zones: ['.'], directives: [{ name: 'health', block: [] }] }]).render()).toBe('.:53 {\n    health {\n    }\n}\n');
  });

  test('several zones share one block', () => {
    expect(new Corefile([{ zones: ['a.local', 'b.local'], directives: [{ name: 'errors' }] }]).render())
      .toBe('a.local:53 b.local:53 {\n    errors\n}\n');
  });

  test('deterministic and independent of the caller mutating its input afterwards', () => {
    const input = { zones: ['.'], directives: [{ name: 'cache', args: ['30'] }] };
    const corefile = new Corefile([input]);
    const first = corefile.render();
    input.directives[0].args[0] = '99';
    input.zones.push('x.local');
    expect(corefile.render()).toBe(first);
    expect(corefile.toString()).toBe(first);
  });

  test('refuses tokens that would need quoting, naming where they are', () => {
    expect(() => new Corefile([{ zones: ['.'], directives: [{ name: 'forward', block: [{ name: 'policy', args: ['round robin'] }] }] }]).render())
      .toThrow('[Corefile] .:53 > forward token "round robin": Corefile tokens must be single words without whitespace, braces, quotes, "#" or "\\"; split it into separate arguments');
    expect(() => new Corefile([{ zones: ['a{'], directives: [] }]).render()).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', path: 'Corefile', field: 'server key', value: 'a{:53' }));
  });
});

describe('corefileToken', () => {
  test.each(['.', '/etc/resolv.conf', ':9153', 'in-addr.arpa', '10.0.0.1:53', '[::1]:53', 'tls://1.1.1.1'])('accepts %s', (t) => {
    expect(corefileToken(t)).toBeUndefined();
  });

  test.each(['', 'a b', 'a\tb', '{', '}', '"x"', "'x'", 'a#b', 'a\\b', 'a\nb'])('rejects %j', (t) => {
    expect(corefileToken(t)).toBeDefined();
  });
});

describe('parsing', () => {
  // Kubernetes' addon Corefile, from the same upstream manifest the addon's parity test uses.
  const UPSTREAM: string = parseYamlDocuments(UPSTREAM_YAML).find((d) => d.kind === 'ConfigMap')!.data.Corefile;

  test('reads the upstream Corefile into the model', () => {
    const parsed = Corefile.parse(UPSTREAM);
    expect(parsed.servers).toHaveLength(1);
    expect(parsed.servers[0].zones).toEqual(['.']);
    expect(parsed.servers[0].port).toBe(53);
    expect(parsed.servers[0].directives.map((d) => d.name)).toEqual([
      'errors', 'health', 'ready', 'kubernetes', 'prometheus', 'forward', 'cache', 'loop', 'reload', 'loadbalance',
    ]);
    expect(parsed.server('.')?.directives[3]).toEqual({
      name: 'kubernetes',
      args: ['cluster.local', 'in-addr.arpa', 'ip6.arpa'],
      block: [
        { name: 'pods', args: ['insecure'], block: undefined },
        { name: 'fallthrough', args: ['in-addr.arpa', 'ip6.arpa'], block: undefined },
        { name: 'ttl', args: ['30'], block: undefined },
      ],
    });
  });

  test('render(parse(text)) gives the text back', () => {
    expect(Corefile.parse(UPSTREAM).render()).toBe(UPSTREAM);
  });

  test('comments, blank lines, tabs and "dns://" prefixes are tolerated', () => {
    const parsed = Corefile.parse('# stub\ndns://example.org:1053 {  # the zone\n\n\tforward . 10.0.0.1   # upstream\n}\n');
    expect(parsed.servers).toEqual([{ zones: ['example.org'], port: 1053, directives: [{ name: 'forward', args: ['.', '10.0.0.1'], block: undefined }] }]);
  });

  test('a key without a port means 53', () => {
    expect(Corefile.parse('example.org {\n    whoami\n}\n').servers[0].port).toBe(53);
  });

  test('server lookup by zone', () => {
    const parsed = Corefile.parse('.:53 {\n    errors\n}\nconsul.local:53 {\n    forward . 10.150.0.1\n}\n');
    expect(parsed.server('consul.local')?.directives[0].args).toEqual(['.', '10.150.0.1']);
    expect(parsed.server('missing.local')).toBeUndefined();
  });

  test.each([
    ['.:53 {\n    errors\n', 'Corefile line 2: missing "}"'],
    ['.:53 {\n    health {\n        lameduck 5s\n', 'Corefile line 3: missing "}"'],
    ['errors\n', 'Corefile line 1: expected "<zone>:<port> {"'],
    ['.:53 {\n    forward { x\n}\n', 'Corefile line 2: unexpected brace'],
    ['a:53 b:54 {\n}\n', 'Corefile line 1: one server block with several ports is not supported here'],
  ])('rejects %j', (text, message) => {
    expect(() => Corefile.parse(text)).toThrow(message);
    expect(() => Corefile.parse(text)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', path: 'Corefile.parse', field: message.split(':')[0].replace('Corefile ', '') }));
  });
});
