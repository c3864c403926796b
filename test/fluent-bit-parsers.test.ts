import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import { FluentBitParser, LoggingSidecarPod, LogShipper } from '../lib';
import { configOf, FluentBit, freePort, problems, remap, sleep, startFluentBit, waitFor } from './fluent-bit-process';
import { Nginx, startNginx } from './nginx-process';

// Parsers per file, on the real Fluent Bit 3.2.10 running the construct's
// configuration (paths moved to a temporary directory): a real nginx writes
// JSON access lines and its error log, and application logs are written as
// OpenJDK 17 and Python 3.11 print them (test/fixtures/). One run serves
// every test; what each file became is read from the stdout output.

/** nginx's access log as JSON, with the ISO 8601 time the json() parser reads by default. */
const JSON_FORMAT = `escape=json '{"time":"$time_iso8601","remote_addr":"$remote_addr","request":"$request",'
  '"status":"$status","body_bytes_sent":"$body_bytes_sent","http_user_agent":"$http_user_agent"}'`;
/** UTC+05:30, so that a time read without its offset would be 5.5 hours off. */
const NGINX_TIME_ZONE = 'IST-5:30';

const JAVA_LOG = fs.readFileSync(path.join(__dirname, 'fixtures', 'java-stack-trace.log'), 'utf8');
const PYTHON_LOG = fs.readFileSync(path.join(__dirname, 'fixtures', 'python-traceback.log'), 'utf8');
const FIRST_LINE = '^\\d{4}-\\d{2}-\\d{2} ';
const APP_LINE = { timeKey: 'time', timeFormat: '%Y-%m-%d %H:%M:%S' };
const ORDERS = [
  '2024-05-01 12:00:05 order=1001 status=201 took=12.5ms retried=false',
  '2024-05-01 12:00:06 order=1002 status=503 took=0.25ms retried=true',
  'health check ok',
];
const RAW_ERRORS = [
  '2024/05/01 12:00:00 [error] 29#29: *1 open() "/usr/share/nginx/html/x" failed (2: No such file or directory)',
  '2024/05/01 12:00:01 [warn] 29#29: *2 an upstream response is buffered to a temporary file',
];

const PARSERS: { [file: string]: FluentBitParser } = {
  'access.log': FluentBitParser.json(),
  // A name that would pick nginx_error.
  'raw-error.log': FluentBitParser.none(),
  'orders.log': FluentBitParser.regex({
    regex: '^(?<time>\\S+ \\S+) order=(?<order>\\d+) status=(?<status>\\d+) took=(?<took>[\\d.]+)ms retried=(?<retried>\\w+)$',
    ...APP_LINE,
    types: { status: 'integer', took: 'float', retried: 'bool' },
  }),
  // Fluent Bit alone would read the slashes as delimiters and search `(?<service>[a-z]+)`.
  'paths.log': FluentBitParser.regex({ regex: '/(?<service>[a-z]+)/' }),
  'app.log': FluentBitParser.multiline({
    firstLine: FIRST_LINE,
    flushTimeout: Duration.millis(500),
    parser: FluentBitParser.regex({ regex: '^(?<time>\\S+ \\S+) (?<level>[A-Z]+) (?<message>.*)$', ...APP_LINE }),
  }),
  // A name with each character a file name may have besides letters and digits, in its tag and its parsers' names.
  'Trace_1-x..log': FluentBitParser.multiline({
    firstLine: FIRST_LINE,
    continuation: '^(?:\\s+at |\\s+\\.\\.\\. \\d+ more|Caused by: )',
    flushTimeout: Duration.millis(500),
  }),
  'java.log': FluentBitParser.builtInMultiline('java', {
    parser: FluentBitParser.regex({ regex: '^(?<time>\\S+ \\S+) (?<level>[A-Z]+) \\[(?<thread>[^\\]]+)\\] (?<message>.*)$', ...APP_LINE }),
  }),
  'python.log': FluentBitParser.builtInMultiline('python'),
};
const LOG_FILES = ['access.log', 'error.log', ...Object.keys(PARSERS).filter(f => f !== 'access.log')];

/** What an application appends while Fluent Bit runs: a record whose traceback comes 0.3 s after its first line. */
const LATE_FIRST = '2024-05-01 12:00:10 ERROR late failure\n';
const LATE_REST = 'Traceback (most recent call last):\n  File "/srv/shop/late.py", line 1, in <module>\nKeyError: \'k\'\n2024-05-01 12:00:11 INFO end\n';

function parsersChart() {
  const chart = Testing.chart();
  // Memory buffering: with filesystem buffering, the tail inputs of 8 files or more hold all of
  // storage.max_chunks_up (8) at start and are paused, with a warning, until a flush.
  new LoggingSidecarPod(chart, 'pod', { logFiles: LOG_FILES, shipper: LogShipper.fluentBit({ parsers: PARSERS, filesystemBuffering: false }) });
  return Testing.synth(chart);
}

let dir: string;
let logDirectory: string;
let nginx: Nginx;
let fluentBit: FluentBit;
let config: any;
let requested: { from: number; to: number };

/** The records Fluent Bit printed for one file, without the fields every record has. */
function recordsOf(file: string): any[] {
  return fluentBit.output().split('\n').filter(line => line.startsWith('{'))
    .map(line => JSON.parse(line))
    .filter(r => r.file === path.join(logDirectory, file))
    .map(({ file: _file, pod_name: _n, pod_namespace: _ns, node_name: _node, pod_ip: _ip, ...own }) => own);
}

/** nginx's error log has its start notices too. */
const ofThisTest = (record: any) => !('level' in record) || !('pid' in record) || /missing-parsers/.test(record.message);

/** The log's lines grouped as a record per line matching FIRST_LINE with the lines after it. */
function groupedByFirstLine(text: string): string[] {
  return text.trimEnd().split('\n').reduce<string[]>((records, line) =>
    new RegExp(FIRST_LINE).test(line) || records.length === 0 ? [...records, line] : [...records.slice(0, -1), `${records[records.length - 1]}\n${line}`], []);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-bit-parsers-'));
  logDirectory = path.join(dir, 'logs');
  nginx = await startNginx(path.join(dir, 'nginx'), logDirectory, { logFormat: JSON_FORMAT, timeZone: NGINX_TIME_ZONE });
  fs.writeFileSync(path.join(logDirectory, 'raw-error.log'), RAW_ERRORS.map(l => `${l}\n`).join(''));
  fs.writeFileSync(path.join(logDirectory, 'orders.log'), ORDERS.map(l => `${l}\n`).join(''));
  fs.writeFileSync(path.join(logDirectory, 'paths.log'), 'get /orders/ 200\n');
  fs.writeFileSync(path.join(logDirectory, 'app.log'), PYTHON_LOG);
  fs.writeFileSync(path.join(logDirectory, 'Trace_1-x..log'), JAVA_LOG);
  fs.writeFileSync(path.join(logDirectory, 'java.log'), JAVA_LOG);
  fs.writeFileSync(path.join(logDirectory, 'python.log'), PYTHON_LOG);
  config = configOf(parsersChart());
  fs.mkdirSync(path.join(dir, 'state')); // the sidecar's state volume
  fluentBit = await startFluentBit(remap(config, {
    paths: { '/var/log/nginx': logDirectory, '/var/lib/logging-sidecar': path.join(dir, 'state') },
    httpPort: await freePort(),
  }), dir, 'parsers');

  requested = { from: Date.now(), to: 0 };
  await nginx.request('/index.html?parsers=1', { 'User-Agent': 'parsers-test "quoted" \\ back' });
  await nginx.request('/missing-parsers');
  requested.to = Date.now();
  fs.appendFileSync(path.join(logDirectory, 'app.log'), LATE_FIRST);
  await sleep(300);
  fs.appendFileSync(path.join(logDirectory, 'app.log'), LATE_REST);

  const expected: { [file: string]: number } = {
    'access.log': 2, 'error.log': 1, 'raw-error.log': 2, 'orders.log': 3, 'paths.log': 1,
    'app.log': 6, 'Trace_1-x..log': 4, 'java.log': 4, 'python.log': 5,
  };
  await waitFor(() => Object.entries(expected).every(([file, count]) => recordsOf(file).filter(ofThisTest).length >= count),
    'every file\'s records', 15000).catch(e => {
    throw new Error(`${e.message}: ${JSON.stringify(Object.fromEntries(Object.keys(expected).map(f => [f, recordsOf(f).length])))}`);
  });
  await sleep(300); // anything more that would come comes with the same flush
}, 30000);

afterAll(async () => {
  await fluentBit?.stop();
  await nginx?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the real Fluent Bit parses each file with its parser', () => {
  test('JSON access lines of a real nginx (log_format escape=json) arrive with their fields, at nginx\'s time with its offset', () => {
    const records = recordsOf('access.log');
    const record = records.find(r => r.request === 'GET /index.html?parsers=1 HTTP/1.1');
    expect(record).toMatchObject({
      remote_addr: '127.0.0.1', status: '200', body_bytes_sent: '15',
      // escape=json writes quotes and backslashes as JSON escapes: they arrive as sent.
      http_user_agent: 'parsers-test "quoted" \\ back',
    });
    // The time left the record for its timestamp: whole seconds, as nginx writes them, within the requests.
    expect(record.time).toBeUndefined();
    expect(record.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000Z$/);
    const date = Date.parse(record.date);
    expect(date).toBeGreaterThanOrEqual(Math.floor(requested.from / 1000) * 1000);
    expect(date).toBeLessThanOrEqual(requested.to);
    expect(records.find(r => r.request === 'GET /missing-parsers HTTP/1.1')).toMatchObject({ status: '404' });
  });

  test('the error log, named in no parser, keeps nginx_error', () => {
    expect(recordsOf('error.log').filter(ofThisTest)).toEqual([expect.objectContaining({ level: 'error', message: expect.stringContaining('missing-parsers') })]);
  });

  test('none ships each line as it is in log, though the file\'s name would pick nginx_error', () => {
    expect(recordsOf('raw-error.log').map(({ date: _date, ...own }) => own)).toEqual(RAW_ERRORS.map(log => ({ log })));
  });

  test('a user\'s regex makes its named groups fields, with their types and time; a line it does not match stays in log', () => {
    expect(recordsOf('orders.log')).toEqual([
      { date: '2024-05-01T12:00:05.000000Z', order: '1001', status: 201, took: 12.5, retried: false },
      { date: '2024-05-01T12:00:06.000000Z', order: '1002', status: 503, took: 0.25, retried: true },
      { date: expect.not.stringMatching(/^2024/), log: 'health check ok' },
    ]);
  });

  test('a regex starting and ending with "/" is matched as written, not read as delimited', () => {
    expect(recordsOf('paths.log')).toEqual([{ date: expect.any(String), service: 'orders' }]);
  });

  test('multiline with a first line joins a message and its Python traceback into one record, parsed, and leaves single lines alone', () => {
    const records = recordsOf('app.log');
    expect(records.map(r => r.level)).toEqual(['INFO', 'ERROR', 'WARNING', 'INFO', 'ERROR', 'INFO']);
    expect(records[1]).toEqual({
      date: '2024-05-01T12:00:01.000000Z',
      level: 'ERROR',
      // In the joined record's parser, `.` matches line breaks: the traceback is part of the message.
      message: groupedByFirstLine(PYTHON_LOG)[1].replace(/^\S+ \S+ ERROR /, ''),
    });
    expect(records[1].message).toMatch(/^parse failed\nTraceback \(most recent call last\):\n {2}File .*\n {4}int\("x"\)\nValueError: .*'x'$/);
    expect(records[3]).toEqual({ date: '2024-05-01T12:00:03.000000Z', level: 'INFO', message: 'done' });
  });

  test('lines of one record written 0.3 s apart are still one record', () => {
    expect(recordsOf('app.log').slice(4)).toEqual([
      { date: '2024-05-01T12:00:10.000000Z', level: 'ERROR', message: `late failure\n${LATE_REST.split('\n').slice(0, 3).join('\n')}` },
      { date: '2024-05-01T12:00:11.000000Z', level: 'INFO', message: 'end' },
    ]);
  });

  test('multiline with a continuation joins a Java stack trace and its cause into one record in log, without a trailing newline', () => {
    const logs = recordsOf('Trace_1-x..log').map(r => r.log);
    expect(logs).toEqual(groupedByFirstLine(JAVA_LOG));
    expect(logs[1].split('\n')).toHaveLength(16);
    expect(logs[1]).toMatch(/Caused by: java\.lang\.NumberFormatException: .*\n(\tat .*\n)+\t\.\.\. 8 more$/);
  });

  test('the built-in java parser joins the exception with its trace, and the joined record is parsed', () => {
    const records = recordsOf('java.log');
    expect(records.map(r => r.message)).toEqual(['starting', expect.stringMatching(/^request failed: java\.lang\.IllegalStateException: checkout failed\n\tat /), 'after', 'done']);
    expect(records[1]).toMatchObject({ date: '2024-05-01T12:00:01.000000Z', level: 'ERROR', thread: 'main' });
    expect(records[1].message).toBe(groupedByFirstLine(JAVA_LOG)[1].replace(/^\S+ \S+ ERROR \[main\] /, ''));
  });

  test('the built-in python parser joins the traceback, from its first line to the exception', () => {
    const lines = PYTHON_LOG.trimEnd().split('\n');
    expect(recordsOf('python.log').map(r => r.log)).toEqual([lines[0], lines[1], lines.slice(2, 6).join('\n'), lines[6], lines[7]]);
  });

  test('Fluent Bit logged no error or warning', () => {
    const log = fluentBit.output().split('\n').filter(line => !line.startsWith('{')).join('\n');
    expect(problems(log)).toEqual([]);
  });
});

describe('the configuration of parsers', () => {
  test('a multiline file has no tail parser, which Fluent Bit would ignore: filters parse the joined record', () => {
    const input = (file: string) => config.pipeline.inputs.find((i: any) => i.tag === `nginx.${file}`);
    expect(input('app.log')).toMatchObject({ 'multiline.parser': 'app.log.multiline' });
    expect(input('app.log').parser).toBeUndefined();
    expect(input('java.log')).toMatchObject({ 'multiline.parser': 'java' });
    expect(config.pipeline.filters.filter((f: any) => f.match === 'nginx.app.log').map((f: any) => f.parser)).toEqual(['multiline_trim', 'app.log.parser']);
    expect(input('error.log')).toMatchObject({ parser: 'nginx_error' });
    expect(input('raw-error.log').parser).toBeUndefined();
  });

  test('every parser is defined once, under a name of its own', () => {
    const names = config.parsers.map((p: any) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(['nginx_main', 'nginx_error', 'access.log.parser', 'orders.log.parser', 'paths.log.parser',
      'multiline_trim', 'app.log.parser', 'java.log.parser']);
    expect(config.multiline_parsers.map((p: any) => p.name)).toEqual(['app.log.multiline', 'Trace_1-x..log.multiline']);
  });

  test('a regex is written between slashes, and a joined record\'s with the m option', () => {
    const regex = (name: string) => config.parsers.find((p: any) => p.name === name).regex;
    expect(regex('paths.log.parser')).toBe('//(?<service>[a-z]+)//');
    expect(regex('app.log.parser')).toBe('/^(?<time>\\S+ \\S+) (?<level>[A-Z]+) (?<message>.*)$/m');
    expect(config.multiline_parsers[1]).toEqual({
      name: 'Trace_1-x..log.multiline', type: 'regex', flush_timeout: '500', rules: [
        { state: 'start_state', regex: `/${FIRST_LINE}/`, next_state: 'cont' },
        { state: 'cont', regex: '/^(?:\\s+at |\\s+\\.\\.\\. \\d+ more|Caused by: )/', next_state: 'cont' },
      ],
    });
  });

  test('the same parser object serves two files under two names', () => {
    const parser = FluentBitParser.regex({ regex: '^(?<word>\\w+)' });
    const chart = Testing.chart();
    new LoggingSidecarPod(chart, 'pod', { logFiles: ['a.log', 'b.log'], shipper: LogShipper.fluentBit({ parsers: { 'a.log': parser, 'b.log': parser } }) });
    const synthesized = configOf(Testing.synth(chart));
    expect(synthesized.pipeline.inputs.map((i: any) => i.parser)).toEqual(['a.log.parser', 'b.log.parser']);
  });

  test('toString() says how the parser was made', () => {
    expect(`${FluentBitParser.builtInMultiline('go')}`).toBe('FluentBitParser.builtInMultiline("go")');
    expect(String(FluentBitParser.json())).toBe('FluentBitParser.json()');
  });
});

describe('bad parsers', () => {
  const regex = (regexOptions: any) => () => FluentBitParser.regex(regexOptions);
  test.each([
    ['a regex without named groups', regex({ regex: '^(\\w+) (\\d+)$' }),
      'FluentBitParser.regex() regex must capture at least one field with a named group such as (?<level>\\w+), got "^(\\\\w+) (\\\\d+)$"'],
    ['a regex whose only named group is escaped', regex({ regex: '\\(?<level>x' }),
      'FluentBitParser.regex() regex must capture at least one field with a named group'],
    ['a regex with a variable', regex({ regex: '^(?<home>${HOME})' }),
      'FluentBitParser.regex() regex must not contain "${", which Fluent Bit replaces with an environment variable (write \\$\\{ to match it), got "^(?<home>${HOME})"'],
    ['an empty regex', regex({ regex: '' }), 'FluentBitParser.regex() regex must be a non-empty regular expression, got ""'],
    ['a missing regex', regex({}), 'FluentBitParser.regex() regex must be a non-empty regular expression, got undefined'],
    ['a regex with a newline', regex({ regex: '^(?<a>x)\nparsers:' }),
      'FluentBitParser.regex() regex must not contain a control character (U+000A): write \\t, \\n or \\x{85} to match one, got "^(?<a>x)\\nparsers:"'],
    ['a regex with a next-line character, which YAML 1.1 folds into a space', regex({ regex: '^(?<a>x)\u0085y' }),
      'FluentBitParser.regex() regex must not contain a control character (U+0085)'],
    ['a regex with a line separator', regex({ regex: '^(?<a>x)\u2028y' }), 'FluentBitParser.regex() regex must not contain a line or paragraph separator (U+2028)'],
    ['a regex with a lone surrogate half', regex({ regex: '^(?<a>x)\ud800y' }), 'FluentBitParser.regex() regex must not contain a lone surrogate half'],
    ['a regex with a tab', regex({ regex: '^(?<a>x)\ty' }), 'FluentBitParser.regex() regex must not contain a control character (U+0009): write \\t, \\n or \\x{85} to match one, got "^(?<a>x)\\ty"'],
    ['a timeKey that is no named group', regex({ regex: '^(?<ts>\\S+)', timeKey: 'time', timeFormat: '%s' }),
      'FluentBitParser.regex() timeKey must be one of the regex\'s named groups ["ts"], got "time"'],
    ['a timeKey without timeFormat', regex({ regex: '^(?<time>\\S+)', timeKey: 'time' }),
      'FluentBitParser.regex() timeKey and timeFormat must be given together, got timeKey "time" and timeFormat undefined'],
    ['a timeFormat without timeKey', regex({ regex: '^(?<time>\\S+)', timeFormat: '%s' }),
      'FluentBitParser.regex() timeKey and timeFormat must be given together, got timeKey undefined and timeFormat "%s"'],
    ['a timeFormat without a directive', regex({ regex: '^(?<time>\\S+)', timeKey: 'time', timeFormat: 'YYYY-MM-DD' }),
      'FluentBitParser.regex() timeFormat must be a strptime format such as "%Y-%m-%d %H:%M:%S" of at most 128 characters, without control characters or "${", got "YYYY-MM-DD"'],
    ['types naming a field the regex does not capture', regex({ regex: '^(?<code>\\d+)', types: { status: 'integer' } }),
      'FluentBitParser.regex() types must name the regex\'s named groups ["code"], got "status"'],
    ['a type Fluent Bit does not know', regex({ regex: '^(?<code>\\d+)', types: { code: 'int' } }),
      'FluentBitParser.regex() types.code must be one of "integer", "float", "bool", "hex", "string", got "int"'],
    ['types in Fluent Bit\'s own notation', regex({ regex: '^(?<code>\\d+)', types: 'code:integer' }),
      'FluentBitParser.regex() types must map named groups to types, such as { status: \'integer\' }, got "code:integer"'],
    ['a JSON timeKey with a space', () => FluentBitParser.json({ timeKey: 'time stamp' }),
      'FluentBitParser.json() timeKey must be 1 to 64 letters, digits, \'_\', \'@\', \'.\' or \'-\', got "time stamp"'],
    ['a JSON timeFormat with a variable', () => FluentBitParser.json({ timeFormat: '%Y ${TZ}' }),
      'FluentBitParser.json() timeFormat must be a strptime format such as "%Y-%m-%d %H:%M:%S" of at most 128 characters, without control characters or "${", got "%Y ${TZ}"'],
    ['an empty firstLine', () => FluentBitParser.multiline({ firstLine: '' }), 'FluentBitParser.multiline() firstLine must be a non-empty regular expression, got ""'],
    ['a continuation with a variable', () => FluentBitParser.multiline({ firstLine: '^\\d', continuation: '^${INDENT}' }),
      'FluentBitParser.multiline() continuation must not contain "${", which Fluent Bit replaces with an environment variable (write \\$\\{ to match it), got "^${INDENT}"'],
    ['a flushTimeout Fluent Bit refuses', () => FluentBitParser.multiline({ firstLine: '^\\d', flushTimeout: Duration.millis(499) }),
      'FluentBitParser.multiline() flushTimeout must be a whole number of milliseconds from 500 to 3600000, got 499 millis'],
    ['a flushTimeout that is NaN', () => FluentBitParser.multiline({ firstLine: '^\\d', flushTimeout: Duration.seconds(NaN) }),
      'FluentBitParser.multiline() flushTimeout must be a whole number of milliseconds from 500 to 3600000, got NaN seconds'],
    ['a flushTimeout that is Infinity', () => FluentBitParser.multiline({ firstLine: '^\\d', flushTimeout: Duration.millis(Infinity) }),
      'FluentBitParser.multiline() flushTimeout must be a whole number of milliseconds from 500 to 3600000, got Infinity millis'],
    ['a flushTimeout of a fraction of a millisecond', () => FluentBitParser.multiline({ firstLine: '^\\d', flushTimeout: Duration.millis(500.5) }),
      'FluentBitParser.multiline() flushTimeout must be a whole number of milliseconds from 500 to 3600000, got 500.5 millis'],
    ['a flushTimeout beyond an hour', () => FluentBitParser.multiline({ firstLine: '^\\d', flushTimeout: Duration.minutes(61) }),
      'FluentBitParser.multiline() flushTimeout must be a whole number of milliseconds from 500 to 3600000, got 1 hour 1 minute'],
    ['a number as flushTimeout', () => FluentBitParser.multiline({ firstLine: '^\\d', flushTimeout: 4000 as any }),
      'FluentBitParser.multiline() flushTimeout must be a Duration (such as Duration.seconds(30)), got 4000'],
    ['a joined record parser that is null', () => FluentBitParser.multiline({ firstLine: '^\\d', parser: null as any }),
      'FluentBitParser.multiline() parser must parse one record, made with a FluentBitParser method such as FluentBitParser.regex(), got null'],
    ['JSON options that are null', () => FluentBitParser.json(null as any), 'FluentBitParser.json() options must be an object, got null'],
    ['a number as a JSON timeKey', () => FluentBitParser.json({ timeKey: 1 as any }), 'FluentBitParser.json() timeKey must be a string, got 1'],
    ['built-in options that are null', () => FluentBitParser.builtInMultiline('go', null as any), 'FluentBitParser.builtInMultiline() options must be an object, got null'],
    ['regex options that are a string', () => FluentBitParser.regex('^(?<a>x)' as any), 'FluentBitParser.regex() options must be an object, got "^(?<a>x)"'],
    ['a multiline parser of the joined record', () => FluentBitParser.multiline({ firstLine: '^\\d', parser: FluentBitParser.builtInMultiline('java') }),
      'FluentBitParser.multiline() parser must parse one record, made with a FluentBitParser method such as FluentBitParser.regex(), got FluentBitParser.builtInMultiline("java")'],
    ['a joined record parser that is no FluentBitParser', () => FluentBitParser.builtInMultiline('go', { parser: { regex: 'x' } as any }),
      'FluentBitParser.builtInMultiline() parser must parse one record, made with a FluentBitParser method such as FluentBitParser.regex(), got {"regex":"x"}'],
    ['an unknown built-in multiline parser', () => FluentBitParser.builtInMultiline('kotlin'),
      'FluentBitParser.builtInMultiline() name must be one of "go", "java", "python", "ruby", got "kotlin"'],
    ['the docker built-in multiline parser', () => FluentBitParser.builtInMultiline('docker'),
      'FluentBitParser.builtInMultiline() name must be one of "go", "java", "python", "ruby", got "docker"'],
    ['a parser that is no FluentBitParser', () => LogShipper.fluentBit({ parsers: { 'access.log': 'json' as any } }),
      'LogShipper.fluentBit() parsers["access.log"] must be made with a FluentBitParser method such as FluentBitParser.json(), got "json"'],
    ['a parser for a file the sidecar does not ship', () => {
      const chart = Testing.chart();
      new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.fluentBit({ parsers: { 'app.log': FluentBitParser.json() } }) });
    }, 'LogShipper.fluentBit() parsers must name files among the sidecar\'s logFiles ["access.log","error.log"], got "app.log"'],
  ] as Array<[string, () => unknown, string]>)('fails on %s', (_, create, message) => {
    expect(create).toThrow(message);
  });
});
