import fc from 'fast-check';
import { XMLBuilder } from 'fast-xml-parser';
import { escapeXml, xmlDocument, type XmlElement } from './xml-document';

/** What iati.report.ts used before xmlDocument, with the same options. */
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, indentBy: '  ', suppressEmptyNode: true });

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', '&', '<tag>', '"quoted"', "it's", 'a > b & c', 'طرابلس', '-0'));
const leaf = fc.oneof(text, fc.integer({ min: -1000, max: 1000 }));
const names = fc.constantFrom('a', 'b-c', 'narrative', 'iati-activity', 'value');
// The builder writes an attribute valued "true" as a bare name (not XML); xmlDocument keeps the value.
const attributes = fc.dictionary(fc.constantFrom('@ref', '@type', '@xml:lang', '@value-date', '@code'), text.filter((t) => t !== 'true'), { maxKeys: 3 });

function elementOf(depth: number): fc.Arbitrary<XmlElement> {
  const child: fc.Arbitrary<unknown> = depth === 0 ? leaf : fc.oneof(leaf, elementOf(depth - 1), fc.array(fc.oneof(leaf, elementOf(depth - 1)), { maxLength: 3 }));
  return fc
    .record({ attrs: attributes, text: fc.option(leaf, { nil: undefined }), kids: fc.array(fc.tuple(names, child), { maxLength: 3 }), textFirst: fc.boolean() })
    .map(({ attrs, text, kids, textFirst }) => {
      const element: Record<string, unknown> = { ...attrs };
      if (textFirst && text !== undefined) element['#text'] = text;
      for (const [name, value] of kids) element[name] = value;
      if (!textFirst && text !== undefined) element['#text'] = text;
      return element as XmlElement;
    });
}

describe('xmlDocument', () => {
  it('writes the same bytes as fast-xml-parser’s XMLBuilder on any tree of elements, attributes and text', () => {
    fc.assert(
      fc.property(elementOf(3), (root) => {
        const document = { '?xml': { '@version': '1.0', '@encoding': 'UTF-8' }, root };
        expect(xmlDocument(document)).toBe(builder.build(document));
      }),
      { numRuns: 500, seed: 20261130 },
    );
  });

  it('escapes the five special characters in text and attributes, and nothing else', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a> طرابلس`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt; طرابلس');
    expect(xmlDocument({ e: { '@a': '"&"', '#text': '<b>' } })).toBe('<e a="&quot;&amp;&quot;">&lt;b&gt;</e>\n');
  });

  it('keeps an attribute valued "true" as an attribute with its value', () => {
    expect(xmlDocument({ e: { '@hierarchy': 'true' } })).toBe('<e hierarchy="true"/>\n');
  });
});
