/** JUnit XML, the one writer for every report the tools produce (verification and conformance). */

/** Text made safe for an XML attribute or element. */
export const xml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

export interface JUnitCase {
  classname: string;
  name: string;
  /** The failure's text; its first line is the failure message. */
  failure?: string;
  /** Why the case was skipped. */
  skipped?: string;
  /** What a passing case still has to say (its system-out), e.g. the warnings of a rule. */
  output?: string;
}

export interface JUnitSuite {
  name: string;
  cases: readonly JUnitCase[];
  /** When what the suite checks began (ISO-8601), and how long it took, in seconds. */
  timestamp?: string;
  time?: number;
  /** The suite's properties: what it checked beyond its cases. */
  properties?: Readonly<Record<string, string>>;
}

function testcase(c: JUnitCase): string {
  const open = `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}"`;
  if (c.failure !== undefined) {
    const message = c.failure.split('\n')[0]!;
    return `${open}>\n      <failure message="${xml(message)}">${xml(c.failure)}</failure>\n    </testcase>`;
  }
  if (c.skipped !== undefined) return `${open}>\n      <skipped message="${xml(c.skipped)}"/>\n    </testcase>`;
  if (c.output !== undefined) return `${open}>\n      <system-out>${xml(c.output)}</system-out>\n    </testcase>`;
  return `${open}/>`;
}

export function junitXml(name: string, suites: readonly JUnitSuite[]): string {
  const body = suites.map((suite) => {
    const failures = suite.cases.filter((c) => c.failure !== undefined).length;
    const skipped = suite.cases.filter((c) => c.skipped !== undefined).length;
    const when =
      (suite.timestamp === undefined ? '' : ` timestamp="${xml(suite.timestamp)}"`) +
      (suite.time === undefined ? '' : ` time="${suite.time.toFixed(3)}"`);
    const head = `  <testsuite name="${xml(suite.name)}" tests="${suite.cases.length}" failures="${failures}" skipped="${skipped}"${when}>`;
    const properties = Object.entries(suite.properties ?? {}).map(
      ([key, value]) => `      <property name="${xml(key)}" value="${xml(value)}"/>`,
    );
    return [
      head,
      ...(properties.length > 0 ? ['    <properties>', ...properties, '    </properties>'] : []),
      ...suite.cases.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(name)}">\n${body.join('\n')}\n</testsuites>\n`;
}
