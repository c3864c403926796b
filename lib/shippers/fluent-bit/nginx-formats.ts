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

/** Names of the two parsers below, which `FluentBitParser.nginxMain()` and `nginxError()` refer to. */
export const NGINX_MAIN_PARSER = 'nginx_main';
export const NGINX_ERROR_PARSER = 'nginx_error';

/** The `parsers:` every configuration has: nginx's two formats. */
export function nginxParsers(): Array<Record<string, string>> {
  return [
    {
      name: NGINX_MAIN_PARSER,
      format: 'regex',
      regex: NGINX_MAIN_REGEX,
      time_key: 'time',
      time_format: '%d/%b/%Y:%H:%M:%S %z',
      types: 'code:integer size:integer',
    },
    {
      name: NGINX_ERROR_PARSER,
      format: 'regex',
      regex: NGINX_ERROR_REGEX,
      time_key: 'time',
      time_format: '%Y/%m/%d %H:%M:%S',
    },
  ];
}
