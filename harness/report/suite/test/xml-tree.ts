/**
 * A strict reader for the XML our renderers write (no XML library is installed): elements,
 * attributes in double quotes, text, the five entities and numeric references. Anything else
 * (a stray `<` or `&`, a tag closed out of order, a control character, two roots) throws, so a
 * test that reads a document through it has also checked that the document is well-formed.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own text, entities decoded (not its children's). */
  text: string;
}

const PROLOG = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/;
const NAME = '[A-Za-z_][\\w.-]*';
const OPEN_TAG = new RegExp(`<(${NAME})((?:\\s+${NAME}="[^"<]*")*)\\s*(/?)>`, 'y');
const CLOSE_TAG = new RegExp(`</(${NAME})\\s*>`, 'y');
const TEXT = /[^<]+/y;
const ATTRIBUTE = new RegExp(`(${NAME})="([^"<]*)"`, 'g');
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9A-Fa-f]+));/g;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(xml: string): XmlElement {
  const prolog = PROLOG.exec(xml);
  if (!prolog) throw new Error('no <?xml version="1.0" encoding="UTF-8"?> prolog');
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(xml)) throw new Error('a character XML 1.0 forbids');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let at = prolog[0].length;
  while (at < xml.length) {
    const open = match(OPEN_TAG, xml, at);
    const close = open ? null : match(CLOSE_TAG, xml, at);
    const text = open || close ? null : match(TEXT, xml, at);
    if (open) {
      if (root && stack.length === 0) throw new Error(`a second root <${open[1]}> at ${at}`);
      const element: XmlElement = { name: open[1]!, attributes: attributesOf(open[2]!, at), children: [], text: '' };
      stack.at(-1)?.children.push(element);
      root ??= element;
      if (open[3] !== '/') stack.push(element);
      at += open[0].length;
    } else if (close) {
      const top = stack.pop();
      if (top?.name !== close[1]) throw new Error(`</${close[1]}> at ${at} closes <${top?.name ?? 'nothing'}>`);
      at += close[0].length;
    } else if (text) {
      const parent = stack.at(-1);
      if (!parent && text[0].trim()) throw new Error(`text outside the root at ${at}`);
      if (parent) parent.text += decode(text[0], at);
      at += text[0].length;
    } else {
      throw new Error(`not well-formed at ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
    }
  }
  if (stack.length) throw new Error(`<${stack.at(-1)!.name}> never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every descendant (and the element itself) with this name, in document order. */
export function elementsNamed(element: XmlElement, name: string): XmlElement[] {
  return [...(element.name === name ? [element] : []), ...element.children.flatMap((c) => elementsNamed(c, name))];
}

function match(pattern: RegExp, xml: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(xml);
}

function attributesOf(source: string, at: number): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [, name, value] of source.matchAll(ATTRIBUTE)) {
    if (name! in attributes) throw new Error(`attribute ${name} twice at ${at}`);
    attributes[name!] = decode(value!, at);
  }
  return attributes;
}

function decode(raw: string, at: number): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);)/.test(raw)) throw new Error(`a bare & near ${at}`);
  return raw.replace(ENTITY, (_, named: string | undefined, decimal: string | undefined, hex: string | undefined) =>
    named ? NAMED[named]! : String.fromCodePoint(Number.parseInt(decimal ?? hex!, decimal ? 10 : 16)),
  );
}
