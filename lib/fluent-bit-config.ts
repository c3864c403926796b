import { FluentBitOutput } from './fluent-bit-output';
import { renderFluentBitSection as section } from './fluent-bit-section';

/** Port of Fluent Bit's HTTP server, which serves the health check the liveness probe calls. */
export const FLUENT_BIT_HTTP_PORT = 2020;

/**
 * The access log in nginx's `main` format, the one the official image writes:
 * `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 * "$http_referer" "$http_user_agent" "$http_x_forwarded_for"`. Fluent Bit's
 * stock `nginx` parser expects a host field after the address and no
 * forwarded-for field, so on these lines it shifts `user` into `host` and
 * drops the forwarded-for address. nginx escapes `"` inside variables as
 * `\x22`, which is what lets the quoted fields be matched with `[^"]*`.
 */
export const NGINX_MAIN_REGEX = '^(?<remote>[^ ]*) - (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] '
  + '"(?<method>\\S+)(?: +(?<path>[^"]*?)(?: +(?<protocol>\\S*))?)?" (?<code>\\d{3}) (?<size>\\d+) '
  + '"(?<referer>[^"]*)" "(?<agent>[^"]*)" "(?<forwarded_for>[^"]*)"$';

/** nginx's error log: `2024/05/01 12:00:00 [error] 29#29: *1 message`. */
export const NGINX_ERROR_REGEX = '^(?<time>\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}) \\[(?<level>\\w+)\\] '
  + '(?<pid>\\d+)#(?<tid>\\d+): (?:\\*(?<connection>\\d+) )?(?<message>.*)$';

/** What the configuration is rendered from; every value was validated by the shipper. */
export interface FluentBitConfigInput {
  readonly logDirectory: string;
  readonly logFiles: string[];
  readonly stateDirectory: string;
  readonly outputs: FluentBitOutput[];
  readonly memBufLimitMiB: number;
  readonly rotateWaitSeconds: number;
  readonly flushSeconds: number;
}

/** `fluent-bit.conf`: one tail input per log file, with the parser its name suggests, and the outputs. */
export function renderFluentBitConfig(input: FluentBitConfigInput): string {
  const service = section('SERVICE', [
    ['Flush', String(input.flushSeconds)],
    ['Log_Level', 'info'],
    ['Parsers_File', 'parsers.conf'],
    ['HTTP_Server', 'On'],
    ['HTTP_Listen', '0.0.0.0'],
    ['HTTP_Port', String(FLUENT_BIT_HTTP_PORT)],
    ['Health_Check', 'On'],
  ]);
  const inputs = input.logFiles.map(file => {
    const parser = parserFor(file);
    return section('INPUT', [
      ['Name', 'tail'],
      ['Tag', `nginx.${file}`],
      ['Path', `${input.logDirectory}/${file}`],
      ['Path_Key', 'file'],
      // The position database survives sidecar restarts: no line is read twice.
      ['DB', `${input.stateDirectory}/tail.db`],
      ['DB.locking', 'true'],
      ['Read_from_Head', 'true'],
      ['Refresh_Interval', '1'],
      ['Rotate_Wait', String(input.rotateWaitSeconds)],
      ['Mem_Buf_Limit', `${input.memBufLimitMiB}MB`],
      ['Skip_Long_Lines', 'On'],
      ...(parser ? [['Parser', parser] as [string, string]] : []),
    ]);
  });
  return [service, ...inputs, ...input.outputs.map(output => output.render())].join('\n\n') + '\n';
}

/** `parsers.conf`: the two nginx formats. */
export function renderFluentBitParsers(): string {
  return [
    section('PARSER', [
      ['Name', 'nginx_main'],
      ['Format', 'regex'],
      ['Regex', NGINX_MAIN_REGEX],
      ['Time_Key', 'time'],
      ['Time_Format', '%d/%b/%Y:%H:%M:%S %z'],
      ['Types', 'code:integer size:integer'],
    ]),
    section('PARSER', [
      ['Name', 'nginx_error'],
      ['Format', 'regex'],
      ['Regex', NGINX_ERROR_REGEX],
      ['Time_Key', 'time'],
      ['Time_Format', '%Y/%m/%d %H:%M:%S'],
    ]),
  ].join('\n\n') + '\n';
}

/** Access logs are parsed as `main`, error logs as nginx errors, anything else is shipped as it is. */
function parserFor(file: string): string | undefined {
  if (file.includes('access')) return 'nginx_main';
  if (file.includes('error')) return 'nginx_error';
  return undefined;
}
