// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { Problem, WorkloadsError } from '../../kubernetes/validation';

/**
 * One directive of a Corefile: a plugin (`cache 30`) or a plugin's setting (`lameduck 5s`), with an
 * optional block of nested directives.
 */
export interface CorefileDirective {
  /** Plugin or setting name, e.g. `forward`. */
  readonly name: string;
  /** Arguments, one token each, e.g. `[".", "/etc/resolv.conf"]`. @default - none */
  readonly args?: string[];
  /** Nested directives inside `{ }`. @default - no block */
  readonly block?: CorefileDirective[];
}

/** A server block: the zones it serves, the port, and its plugins. */
export interface CorefileServerBlock {
  /** Zones served, e.g. `["."]` or `["consul.local"]`. */
  readonly zones: string[];
  /** DNS port. @default 53 */
  readonly port?: number;
  /** The plugins of the block, in the order they are written (CoreDNS runs them in its own fixed order). */
  readonly directives: CorefileDirective[];
}

const INDENT = '    ';

/**
 * Why a token cannot appear unquoted in a Corefile, or `undefined` when it can. The renderer never
 * quotes, so every token must be a single word without braces, quotes or comment marks.
 */
export function corefileToken(value: string): Problem | undefined {
  if (value.length === 0) return { reason: 'must not be empty', fix: 'give a value' };
  if (/[\s{}"'#`\\]/.test(value)) {
    return { reason: 'Corefile tokens must be single words without whitespace, braces, quotes, "#" or "\\"', fix: 'split it into separate arguments' };
  }
  return undefined;
}

/**
 * A Corefile as a typed model. Rendering is deterministic (blocks and directives in the given order,
 * four-space indentation as in Kubernetes' addon), and `parse()` reads the same syntax back.
 */
export class Corefile {
  /**
   * Reads a Corefile: one directive per line, a block opens with `{` at the end of a line and closes
   * with `}` on its own line; `#` starts a comment. Enough for the files this library and Kubernetes'
   * addon write (no quoted tokens, imports or snippets).
   */
  public static parse(text: string): Corefile {
    const lines = text.split('\n')
      .map((line, i) => ({ number: i + 1, tokens: line.replace(/#.*$/, '').trim().split(/\s+/).filter((t) => t.length > 0) }))
      .filter((l) => l.tokens.length > 0);
    let pos = 0;
    // Errors point at the line being read, or at the last line when the text ends too early.
    const fail = (message: string, at: number = pos): never => {
      const line = lines[Math.min(at, lines.length - 1)]?.number ?? 0;
      throw new WorkloadsError({ code: 'INVALID_INPUT', path: 'Corefile.parse', field: `line ${line}`, reason: message }, `Corefile line ${line}: ${message}`);
    };
    const directives = (): CorefileDirective[] => {
      const out: CorefileDirective[] = [];
      while (pos < lines.length && !(lines[pos].tokens.length === 1 && lines[pos].tokens[0] === '}')) {
        const at = pos++;
        const tokens = lines[at].tokens;
        const opens = tokens[tokens.length - 1] === '{';
        const words = opens ? tokens.slice(0, -1) : tokens;
        if (words.length === 0 || words.some((w) => w === '{' || w === '}')) fail('unexpected brace', at);
        const block = opens ? directives() : undefined;
        if (opens) {
          if (pos >= lines.length) fail('missing "}"');
          pos++;
        }
        out.push({ name: words[0], args: words.length > 1 ? words.slice(1) : undefined, block });
      }
      return out;
    };
    const servers: CorefileServerBlock[] = [];
    while (pos < lines.length) {
      const keyAt = pos;
      const keys = lines[keyAt].tokens;
      if (keys[keys.length - 1] !== '{' || keys.length < 2) fail('expected "<zone>:<port> {"');
      pos++;
      const body = directives();
      if (pos >= lines.length) fail('missing "}"');
      pos++;
      const parsed = keys.slice(0, -1).map((key) => {
        const m = /^(.*?)(?::(\d+))?$/.exec(key.replace(/^dns:\/\//, ''))!;
        return { zone: m[1], port: m[2] !== undefined ? Number(m[2]) : 53 };
      });
      const ports = new Set(parsed.map((p) => p.port));
      if (ports.size > 1) fail('one server block with several ports is not supported here', keyAt);
      servers.push({ zones: parsed.map((p) => p.zone), port: parsed[0].port, directives: body });
    }
    return new Corefile(servers);
  }

  /** The server blocks, in render order. */
  public readonly servers: CorefileServerBlock[];

  constructor(servers: CorefileServerBlock[]) {
    this.servers = servers.map((s) => ({ zones: [...s.zones], port: s.port ?? 53, directives: s.directives.map(copy) }));
  }

  /** The server block that serves `zone` (e.g. `"."`), if any. */
  public server(zone: string): CorefileServerBlock | undefined {
    return this.servers.find((s) => s.zones.includes(zone));
  }

  /** The Corefile text. Throws when a token cannot be written unquoted (see {@link corefileToken}). */
  public render(): string {
    const lines: string[] = [];
    const write = (d: CorefileDirective, depth: number, where: string) => {
      const tokens = [d.name, ...(d.args ?? [])];
      for (const token of tokens) {
        const problem = corefileToken(token);
        if (problem) throw WorkloadsError.input('Corefile', `${where} token`, token, problem);
      }
      const text = INDENT.repeat(depth) + tokens.join(' ');
      if (d.block === undefined) {
        lines.push(text);
        return;
      }
      lines.push(`${text} {`);
      d.block.forEach((child) => write(child, depth + 1, `${where} > ${d.name}`));
      lines.push(`${INDENT.repeat(depth)}}`);
    };
    for (const server of this.servers) {
      const keys = server.zones.map((zone) => `${zone}:${server.port ?? 53}`);
      keys.forEach((key) => {
        const problem = corefileToken(key);
        if (problem) throw WorkloadsError.input('Corefile', 'server key', key, problem);
      });
      lines.push(`${keys.join(' ')} {`);
      server.directives.forEach((d) => write(d, 1, keys.join(' ')));
      lines.push('}');
    }
    return lines.join('\n') + '\n';
  }

  /** Same as {@link render}. */
  public toString(): string {
    return this.render();
  }
}

function copy(d: CorefileDirective): CorefileDirective {
  return { name: d.name, args: d.args ? [...d.args] : undefined, block: d.block?.map(copy) };
}
